"""The public form reads a survey's questions from a copy kept per survey version (definition.py):
a page costs one query for the survey (and one for the person's session), and any edit by staff
is on the public pages at once, in every web process, because the version moves with it."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferplan.consultation import definition
from saferplan.consultation.models import Option, Question, Survey

pytestmark = pytest.mark.django_db


def question_url(survey, code):
    return reverse("public-consultation:question", kwargs={"partnership": survey.partnership.slug,
                                                           "survey": survey.slug, "code": code})


def staff_url(name, partnership, **kwargs):
    return reverse(f"consultation:{name}", kwargs={"slug": partnership.slug, **kwargs})


def test_a_question_page_reads_the_survey_and_the_session_only(client, survey):
    q1 = survey.questions.get(code="q1")
    client.post(question_url(survey, "q1"), {"answer": str(q1.options.get(label="Yes").pk)})
    client.get(question_url(survey, "q2"))  # this process now holds the survey's questions
    with CaptureQueriesContext(connection) as queries:
        page = client.get(question_url(survey, "q2"))
    assert page.status_code == 200
    tables = sorted(q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries.captured_queries)
    assert tables == ["consultation_survey", "django_session"], tables


def test_another_process_reads_the_shared_copy_not_the_database(client, survey):
    client.get(question_url(survey, "q1"))
    definition.forget_local()  # as a second web process, which has built nothing yet
    with CaptureQueriesContext(connection) as queries:
        assert client.get(question_url(survey, "q1")).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "saferplan_cache" in sql and "consultation_question" not in sql


def test_staff_edits_are_on_the_public_page_at_once(client, staff_client, survey):
    q1 = survey.questions.get(code="q1")
    assert "Do you feel safe" not in client.get(question_url(survey, "q1")).content.decode()
    before = Survey.objects.get(pk=survey.pk).definition_version
    staff_client.post(staff_url("question-edit", survey.partnership, pk=q1.pk), {
        "section": q1.section_id, "code": "q1", "text": "Do you feel safe in your neighbourhood after dark?",
        "type": q1.type, "options_text": "Yes\nNo", "max_length": "1000", "order": q1.order})
    assert Survey.objects.get(pk=survey.pk).definition_version > before
    page = client.get(question_url(survey, "q1")).content.decode()
    assert "Do you feel safe in your neighbourhood after dark?" in page


def test_every_change_to_sections_questions_and_options_moves_the_version(survey):
    def version():
        return Survey.objects.get(pk=survey.pk).definition_version

    seen = [version()]
    option = Option.objects.filter(question__survey=survey).first()
    option.label = "Changed"
    option.save()
    seen.append(version())
    Option.objects.create(question=option.question, label="Added", order=99)
    seen.append(version())
    Option.objects.filter(label="Added").delete()
    seen.append(version())
    section = survey.sections.first()
    section.title = "Renamed"
    section.save()
    seen.append(version())
    Question.objects.filter(survey=survey, code="q6").delete()  # a whole question, its options with it
    seen.append(version())
    assert seen == sorted(set(seen)), seen


def test_saving_a_survey_loaded_earlier_never_puts_an_old_version_back(survey):
    stale = Survey.objects.get(pk=survey.pk)
    q1 = survey.questions.get(code="q1")
    q1.text = "Changed after the survey was loaded"
    q1.save()
    moved = Survey.objects.get(pk=survey.pk).definition_version
    stale.title = "A new title"
    stale.save()
    fresh = Survey.objects.get(pk=survey.pk)
    assert fresh.title == "A new title" and fresh.definition_version == moved
    assert any(q.text == "Changed after the survey was loaded" for q in definition.questions_of(fresh))


def test_every_question_page_names_and_labels_its_inputs(client, survey):
    import re

    for question in survey.ordered_questions():
        page = client.get(question_url(survey, question.code))
        assert page.status_code == 200, question.code
        html = page.content.decode()
        inputs = re.findall(r'<(?:input|textarea) class="govuk-(?:radios__input|checkboxes__input|textarea)[^>]*>', html)
        assert inputs, question.code
        for tag in inputs:
            assert 'name="answer"' in tag, (question.code, tag)
            ident = re.search(r' id="([^"]+)"', tag).group(1)
            assert ident.startswith("id_answer") and f'for="{ident}"' in html, (question.code, tag)
        if question.is_choice:
            values = re.findall(r'name="answer" type="(?:radio|checkbox)" value="(\d+)"', html)
            assert values == [str(o.pk) for o in question.options.all()], question.code
