"""The question templates: Coventry's nine questions word for word, Medway's, equality; the demo."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from saferplan.consultation import demo, equality, library
from saferplan.consultation.models import Option, QuestionType, Survey
from saferplan.consultation.testing import make_survey

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _plan_text() -> str:
    text = (SEEDS / "002_3aba29d05db102bb.txt").read_text(encoding="utf-8")
    start = text.index("3.3 What are the questions we will ask?")
    return " ".join(text[start:text.index("3.4 How will we promote")].split())


def test_every_coventry_question_and_option_is_in_the_plan_word_for_word():
    plan = _plan_text()
    questions = [q for section in library.COVENTRY_2024 for q in section["questions"]]
    assert [q["code"] for q in questions] == [f"q{i}" for i in range(1, 10)]
    for number, q in enumerate(questions, 1):
        assert f"{number}. {q['text']}" in plan, q["text"]
        for label in q.get("options", []):
            assert f"- {label}" in plan or f"• {label}" in plan, label


def test_coventry_option_lists_are_complete_and_in_order():
    plan = _plan_text()
    questions = {q["code"]: q for section in library.COVENTRY_2024 for q in section["questions"]}
    # The plan's bullets between one numbered question and the next, "Other" rows aside.
    for number in (5, 7, 8, 9):
        block = plan[plan.index(f"{number}. "):plan.index(f"{number + 1}. ") if number < 9 else None]
        bullets = [b.strip() for b in re.split(r"\s-\s", block)[1:]]
        bullets = [b for b in bullets if b and not b.startswith("Other")]
        bullets = [re.sub(r"\s+\d+\.\s.*$", "", b) for b in bullets]
        # The plan's "Not Answered" is not a way of getting news: leaving the question blank is.
        assert [b for b in bullets if b and b != "Not Answered"] == questions[f"q{number}"]["options"], number


@pytest.mark.django_db
def test_coventry_template_builds_the_survey(partnership):
    survey = make_survey(partnership, with_area=False)
    qs = {q.code: q for q in survey.ordered_questions()}
    assert list(qs) == [f"q{i}" for i in range(1, 10)]
    assert qs["q1"].type == QuestionType.YES_NO and [o.label for o in qs["q1"].options.all()] == ["Yes", "No"]
    assert qs["q4"].type == QuestionType.TEXT
    assert (qs["q5"].max_choices, qs["q7"].max_choices, qs["q8"].max_choices, qs["q9"].max_choices) == (3, 5, 3, None)
    assert [o.label for o in qs["q5"].options.all()][-1] == "Other"
    assert qs["q5"].options.get(label="Other").is_other
    assert not qs["q9"].allow_other


def test_not_answered_is_no_option_in_any_template():
    sections = library.COVENTRY_2024 + library.medway_feeling_safe()
    labels = [label.lower() for s in sections for q in s["questions"] for label in q.get("options", [])]
    assert "not answered" not in labels and "no answer" not in labels


@pytest.mark.django_db
def test_area_question_lists_meltons_wards(partnership):
    survey = make_survey(partnership)
    ward = survey.questions.get(code="ward")
    assert ward.type == QuestionType.AREA
    labels = [o.label for o in ward.options.all()]
    assert len(labels) == 17 and "Melton Egerton" in labels and labels[-1] == library.OUTSIDE_AREA
    assert Option.objects.get(question=ward, label="Asfordby").code == "E05005495"


@pytest.mark.django_db
def test_medway_feeling_safe_day_and_evening():
    from saferplan.partnership.testing import make_partnership

    medway = make_partnership("Medway Community Safety Partnership", "medway", ("E06000035",))
    survey = make_survey(medway, template="medway-feeling-safe", with_area=False)
    day, evening = survey.ordered_questions()
    assert day.text == "How safe or unsafe do you feel in Medway during the day?"
    assert evening.text == "How safe or unsafe do you feel in Medway in the evening?"
    assert [o.label for o in day.options.all()][:5] == ["Very safe", "Fairly safe", "Neither safe nor unsafe",
                                                       "Fairly unsafe", "Very unsafe"]
    assert day.type == QuestionType.SCALE


@pytest.mark.django_db
def test_medway_questions_name_the_partnerships_own_area(partnership):
    partnership.area_names = ["Melton"]
    partnership.save()
    day = make_survey(partnership, template="medway-feeling-safe", with_area=False).ordered_questions()[0]
    assert day.text == "How safe or unsafe do you feel in Melton during the day?"
    unnamed = make_partnership_without_area()
    day = make_survey(unnamed, template="medway-feeling-safe", with_area=False).ordered_questions()[0]
    assert day.text == "How safe or unsafe do you feel in [area] during the day?"
    assert [i["why"] for i in library.still_to_edit(day.survey)] == ["fill in [area]", "fill in [area]"]


def make_partnership_without_area():
    from saferplan.partnership.testing import make_partnership

    return make_partnership("Rushcliffe Community Safety Partnership", "rushcliffe", ("E07000176",))


@pytest.mark.django_db
def test_coventry_template_speaks_of_the_partnership_that_uses_it(partnership):
    survey = make_survey(partnership, with_area=False)
    texts = {q.code: q.text for q in survey.ordered_questions()}
    labels = [o.label for q in survey.ordered_questions() for o in q.options.all()]
    everything = " ".join([*texts.values(), *labels])
    assert "Coventry" not in everything
    assert texts["q5"].endswith("main priorities for the Melton Community Safety Partnership to focus on.")
    assert "the Melton Community Safety Partnership, or about" in texts["q6"]
    assert "Melton Community Safety Partnership council web site" in labels  # its council organisation
    assert texts["q2"] == "Do you go into [town centre] on a regular basis during the day?"
    assert "your neighbourhood and the area" in texts["q7"]
    # What the builder must still change, before publishing: the town centre, twice.
    todo = library.still_to_edit(survey)
    assert [(i["question"].code, i["why"]) for i in todo] == [("q2", "fill in [town centre]"),
                                                              ("q3", "fill in [town centre]")]


@pytest.mark.django_db
def test_wording_naming_another_place_is_listed_for_the_builder(partnership):
    survey = make_survey(partnership, with_area=False)
    q4 = survey.questions.get(code="q4")
    q4.text = "What are the biggest issues in Coventry?"
    q4.save()
    option = survey.questions.get(code="q9").options.first()
    option.label = "Medway Council web site"
    option.save()
    todo = {(i["question"].code, i["where"]): i["why"] for i in library.still_to_edit(survey)}
    assert todo[("q4", "question")] == "names Coventry, not this partnership’s area"
    assert todo[("q9", "option")] == "names Medway, not this partnership’s area"


@pytest.mark.django_db
def test_a_coventry_partnership_keeps_coventrys_words():
    from saferplan.partnership.testing import make_partnership

    coventry = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    survey = make_survey(coventry, with_area=False)
    assert survey.questions.get(code="q2").text == library.COVENTRY_2024[0]["questions"][1]["text"]
    assert library.still_to_edit(survey) == []


def test_equality_questions_follow_the_gss_categories():
    codes = [q["code"] for q in equality.QUESTIONS]
    assert codes == ["age", "sex", "gender_identity", "sexual_orientation", "ethnic_group", "religion", "disability"]
    for q in equality.QUESTIONS:
        assert q["options"][-1] == equality.PREFER_NOT
    assert "White: English, Welsh, Scottish, Northern Irish or British" in equality.BY_CODE["ethnic_group"]["options"]
    assert equality.clean_answers({"age": "25 to 34", "sex": "Robot", "name": "x"}) == {"age": "25 to 34"}


@pytest.mark.django_db
def test_demo_loads_an_open_coventry_survey_for_melton_and_can_run_twice(partnership):
    first = demo.load(partnership)
    second = demo.load(partnership)
    assert first.pk == second.pk and Survey.objects.filter(partnership=partnership).count() == 1
    assert second.slug == "community-safety-2024" and second.is_open() and second.published
    assert second.questions.count() == 10  # the ward, then Coventry's nine
    assert second.questions.get(code="ward").options.count() == 17
    assert second.weeks == 12
    texts = " ".join(q.text for q in second.questions.all())
    labels = " ".join(o.label for q in second.questions.all() for o in q.options.all())
    # Adapted to Melton: Melton's residents are not asked about Coventry.
    assert "Coventry" not in texts + labels
    assert "Do you go into Melton Mowbray town centre on a regular basis during the day?" in texts
    assert "Melton Borough Council web site" in labels


def _survey_post(survey, **changes):
    data = {"title": survey.title, "slug": survey.slug, "audience": survey.audience, "purpose": survey.purpose,
            "can_influence": survey.can_influence, "cannot_influence": survey.cannot_influence,
            "how_results_used": survey.how_results_used, "contact": survey.contact,
            "opens_on_day": survey.opens_on.day, "opens_on_month": survey.opens_on.month,
            "opens_on_year": survey.opens_on.year, "closes_on_day": survey.closes_on.day,
            "closes_on_month": survey.closes_on.month, "closes_on_year": survey.closes_on.year,
            "equality_monitoring": "on", "published": "on"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
def test_publishing_refuses_an_empty_information_pack(staff_client, partnership):
    from django.urls import reverse

    survey = make_survey(partnership, slug="draft", published=False, template="medway-feeling-safe", with_area=False,
                         purpose="")
    Survey.objects.filter(pk=survey.pk).update(can_influence="", how_results_used="")
    survey.refresh_from_db()
    edit = reverse("consultation:survey-edit", kwargs={"slug": partnership.slug, "pk": survey.pk})
    page = staff_client.post(edit, _survey_post(survey, title="Feeling safe in Melton")).content.decode()
    assert "There is a problem" in page
    for missing in ("what the consultation is for", "what people can influence",
                    "how the results will be used and published"):
        assert f"Enter {missing} before publishing the survey" in page
    assert "fill in [area]" in page  # the wording still to change is named too
    survey.refresh_from_db()
    assert not survey.published and survey.title != "Feeling safe in Melton"
    assert 'value="Feeling safe in Melton"' in page  # what was typed is kept
    # Filled in and reworded, it publishes.
    for q in survey.questions.all():
        q.text = q.text.replace("[area]", "Melton")
        q.save()
    done = staff_client.post(edit, _survey_post(survey, purpose="To hear how safe you feel", can_influence="Priorities",
                                                how_results_used="In a report to the board"))
    assert done.status_code == 302
    survey.refresh_from_db()
    assert survey.published
    assert "What this consultation is for" in staff_client.get(survey.public_url()).content.decode()


@pytest.mark.django_db
def test_a_survey_without_questions_cannot_be_published(staff_client, partnership):
    from django.urls import reverse

    survey = make_survey(partnership, slug="empty", published=False, template=None, with_area=False)
    edit = reverse("consultation:survey-edit", kwargs={"slug": partnership.slug, "pk": survey.pk})
    page = staff_client.post(edit, _survey_post(survey)).content.decode()
    assert "Add at least one question before publishing the survey" in page
    survey.refresh_from_db()
    assert not survey.published


@pytest.mark.django_db
def test_the_survey_page_lists_the_wording_still_to_change(staff_client, partnership):
    survey = make_survey(partnership, published=False, with_area=False)
    page = staff_client.get(survey.get_absolute_url()).content.decode()
    assert "2 pieces of wording to change before publishing" in page
    assert "Do you go into [town centre] on a regular basis during the day?" in page
