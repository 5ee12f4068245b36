"""The demo's example consultation: made-up responses in a closed survey of their own."""
from __future__ import annotations

import pytest

from saferplan.consultation import analysis, demo, examples
from saferplan.consultation.models import Answer, Response, Survey
from saferplan.planning.evidence_sources import concern_candidates, concern_question, concern_results

pytestmark = pytest.mark.django_db


def test_example_responses_are_labelled_closed_apart_and_loaded_once(partnership):
    open_survey = demo.load(partnership)
    first = examples.load(partnership)
    second = examples.load(partnership)
    assert first.pk == second.pk
    assert Response.objects.filter(survey=second).count() == examples.RESPONSES
    assert not open_survey.responses.exists()  # the open demo survey holds only real submissions
    assert not second.published and not second.is_open()
    assert "EXAMPLE DATA" in second.purpose and "example" in second.title
    assert second.events.count() == len(examples.EVENTS)
    # Never more choices than the question allows, and every response placed in a ward.
    q5 = second.questions.get(code="q5")
    per_response = {}
    for response_id in Answer.objects.filter(question=q5).values_list("response_id", flat=True):
        per_response[response_id] = per_response.get(response_id, 0) + 1
    assert max(per_response.values()) <= q5.max_choices
    assert Answer.objects.filter(question__code="ward", response__survey=second).count() == examples.RESPONSES


def test_the_plans_public_concern_comes_from_the_survey_people_answered(partnership):
    demo.load(partnership)
    assert concern_question(partnership).survey.slug == demo.SLUG  # nobody has answered anything yet
    examples.load(partnership)
    # Two surveys now ask about priorities: neither is picked for how many answered it (that mixed
    # one survey's base with another's percentages); the plan names the one it uses.
    assert concern_question(partnership) is None
    question = next(q for q in concern_candidates(partnership) if q.survey.slug == examples.SLUG)
    results = concern_results(partnership, question.pk)
    top = max(results.options, key=lambda o: o.count)
    assert top.label.startswith("Anti-social Behaviour") and results.base == examples.RESPONSES
    # The same figure the consultation's own results give.
    survey = Survey.objects.get(pk=question.survey.pk)  # the read API gives planning a link, not the model
    q5 = next(q for q in analysis.results_json(survey) if q["code"] == "q5")
    assert {o["label"]: o["count"] for o in q5["options"]}[top.label] == top.count
    profile = analysis.census_profile(survey)
    assert profile  # the example respondents' ages are compared with Census 2021


def test_made_up_responses_are_marked_and_labelled_on_every_output(client, partnership):
    import csv
    import io

    from django.urls import reverse

    from saferplan.consultation import outputs
    from saferplan.consultation.testing import respond
    from saferplan.partnership.models import RoleKind
    from saferplan.partnership.testing import make_member, sign_in_verified

    open_survey = demo.load(partnership)
    made_up = examples.load(partnership)
    assert made_up.responses.filter(is_example=False).count() == 0
    # An example response that found its way into the open survey is removed by the next load.
    Response.objects.filter(pk=made_up.responses.first().pk).update(survey=open_survey)
    respond(open_survey, q1="Yes")
    demo.load(partnership)
    assert open_survey.responses.count() == 1 and not open_survey.responses.filter(is_example=True).exists()

    sign_in_verified(client, make_member(partnership, RoleKind.MANAGER))
    for name in ("survey", "analysis", "responses", "themes"):
        page = client.get(reverse(f"consultation:{name}", kwargs={"slug": partnership.slug, "pk": made_up.pk})).content.decode()
        assert "Example data:" in page and "made up by a program" in page, name
    real = client.get(reverse("consultation:analysis", kwargs={"slug": partnership.slug, "pk": open_survey.pk})).content.decode()
    assert "Example data" not in real
    document = outputs.report(made_up)
    assert "EXAMPLE DATA" in document.title and ("Example data", f"{examples.RESPONSES - 1:,} made-up responses, not the views of real people") in document.meta
    charts = [block.chart for section in document.sections for block in section.blocks if hasattr(block, "chart")]
    assert charts and all("Example data:" in chart.table.note and chart.title.startswith("Example data:") for chart in charts)
    rows = list(csv.reader(io.StringIO(outputs.responses_csv(made_up))))
    assert rows[0][1] == "example_data" and {r[1] for r in rows[1:]} == {"Yes: made up"}
    assert {r[1] for r in list(csv.reader(io.StringIO(outputs.responses_csv(open_survey))))[1:]} == {"No"}
