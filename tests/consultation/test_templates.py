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
        assert [b for b in bullets if b] == questions[f"q{number}"]["options"], number


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
    assert "Not Answered" in [o.label for o in qs["q9"].options.all()]
    assert not qs["q9"].allow_other


@pytest.mark.django_db
def test_area_question_lists_meltons_wards(partnership):
    survey = make_survey(partnership)
    ward = survey.questions.get(code="ward")
    assert ward.type == QuestionType.AREA
    labels = [o.label for o in ward.options.all()]
    assert len(labels) == 17 and "Melton Egerton" in labels and labels[-1] == library.OUTSIDE_AREA
    assert Option.objects.get(question=ward, label="Asfordby").code == "E05005495"


@pytest.mark.django_db
def test_medway_feeling_safe_day_and_evening(partnership):
    survey = make_survey(partnership, template="medway-feeling-safe", with_area=False)
    day, evening = survey.ordered_questions()
    assert day.text == "How safe or unsafe do you feel in Medway during the day?"
    assert evening.text == "How safe or unsafe do you feel in Medway in the evening?"
    assert [o.label for o in day.options.all()][:5] == ["Very safe", "Fairly safe", "Neither safe nor unsafe",
                                                       "Fairly unsafe", "Very unsafe"]
    assert day.type == QuestionType.SCALE


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
