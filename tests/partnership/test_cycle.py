"""The task list tells the truth: each stage's status comes from its data, with the reasons shown;
a manager may mark a stage done, and that mark is recorded in the audit history."""
from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from saferplan.partnership.models import CycleStage, RoleKind, Stage, StageStatus
from saferplan.partnership.testing import make_member, sign_in_verified


def _stage_rows(client, partnership) -> dict[str, str]:
    from html.parser import HTMLParser

    page = client.get(reverse("partnership:home", kwargs={"slug": partnership.slug})).content.decode()
    rows, current = {}, None

    class Rows(HTMLParser):
        def handle_starttag(self, tag, attrs):
            nonlocal current
            classes = dict(attrs).get("class", "")
            if tag == "li" and "govuk-task-list__item" in classes:
                current = len(rows)
                rows[current] = ""

        def handle_data(self, data):
            if current is not None:
                rows[current] += data

    Rows().feed(page)
    return {stage.value: " ".join(rows[i].split()) for i, stage in enumerate(Stage)}


def _respond(survey, n):
    from saferplan.consultation.testing import respond

    for _ in range(n):
        respond(survey, q1="Yes")


def _survey(partnership, **kwargs):
    from saferplan.consultation.testing import make_survey

    return make_survey(partnership, **kwargs)


def test_an_open_survey_with_responses_is_consultation_in_progress_whatever_was_set_by_hand(manager_client, partnership):
    CycleStage.objects.create(partnership=partnership, stage=Stage.CONSULTATION, status=StageStatus.NOT_STARTED)
    survey = _survey(partnership)
    _respond(survey, 3)
    row = _stage_rows(manager_client, partnership)["consultation"]
    assert "In progress" in row and "Not yet started" not in row
    closes = survey.closes_on
    assert f"open until {closes.day} {closes:%B %Y}, 3 responses so far" in row


def test_a_closed_survey_with_responses_is_consultation_completed(manager_client, partnership):
    from saferplan.consultation.models import Survey

    survey = _survey(partnership)
    _respond(survey, 1)
    today = timezone.localdate()
    Survey.objects.filter(pk=survey.pk).update(opens_on=today - timedelta(days=90), closes_on=today - timedelta(days=1))
    row = _stage_rows(manager_client, partnership)["consultation"]
    assert "Completed" in row and "with 1 response" in row and "1 responses" not in row


def test_no_survey_is_consultation_not_started(manager_client, partnership):
    row = _stage_rows(manager_client, partnership)["consultation"]
    assert "Not yet started" in row and "No survey yet" in row


def test_assessment_status_follows_imports_and_findings(manager_client, partnership):
    from saferplan.assessment.models import Finding, ImportJob

    assert "Not yet started" in _stage_rows(manager_client, partnership)["assessment"]
    ImportJob.objects.create(partnership=partnership, kind=ImportJob.Kind.POLICE, status=ImportJob.Status.SUCCEEDED)
    finding = Finding.objects.create(partnership=partnership, period="2024-01:2024-12", key="asb", kind="change",
                                     title="Anti-social behaviour rose", text="It rose by a fifth")
    row = _stage_rows(manager_client, partnership)["assessment"]
    assert "In progress" in row and "1 police.uk import" in row and "0 accepted, 1 waiting for review" in row
    Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.ACCEPTED)
    row = _stage_rows(manager_client, partnership)["assessment"]
    assert "Completed" in row and "1 accepted, 0 waiting for review" in row


def test_plan_equality_approval_and_delivery_follow_the_plan(manager_client, partnership):
    from saferplan.planning.models import EqualityImpactAssessment, Plan, PlanStatus
    from saferplan.planning.testing import make_plan

    plan = make_plan(partnership)
    rows = _stage_rows(manager_client, partnership)
    assert "In progress" in rows["plan"] and "draft, 1 priority, 1 action" in rows["plan"]
    assert "Completed" in rows["workshops"] and "1 held, 0 planned" in rows["workshops"]
    assert "Not yet started" in rows["approval"] and "Not yet started" in rows["delivery"]
    assert "Completed" not in rows["equality"]

    EqualityImpactAssessment.objects.filter(plan=plan).update(status=EqualityImpactAssessment.Status.FINAL)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.SCRUTINY)
    rows = _stage_rows(manager_client, partnership)
    assert "Completed" in rows["equality"] and "final" in rows["equality"]
    assert "Completed" in rows["plan"] and "In progress" in rows["approval"] and "at scrutiny" in rows["approval"]

    # The plan runs 1 April 2025 to 31 March 2028: adopted, it is being delivered today.
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.ADOPTED, starts_on=timezone.localdate() - timedelta(days=30),
                                           ends_on=timezone.localdate() + timedelta(days=1000))
    rows = _stage_rows(manager_client, partnership)
    assert "Completed" in rows["approval"] and "In progress" in rows["delivery"]


def test_the_manager_marks_a_stage_done_and_it_is_recorded_with_who_and_why(manager_client, partnership):
    url = reverse("partnership:stage", kwargs={"slug": partnership.slug, "stage": "assessment"})
    page = manager_client.get(url).content.decode()
    assert "No crime or partner data has been imported yet" in page
    response = manager_client.post(url, {"done": "yes", "note": "Written by the county analyst team"})
    assert response.status_code == 302
    row = _stage_rows(manager_client, partnership)["assessment"]
    assert "Completed" in row and "Marked done by Partnership manager" in row and "county analyst team" in row
    record = CycleStage.objects.get(partnership=partnership, stage="assessment")
    assert record.history.first().history_user is not None
    # Unmarking gives the stage back to the data.
    manager_client.post(url, {"done": "no", "note": ""})
    assert "Not yet started" in _stage_rows(manager_client, partnership)["assessment"]
    assert record.history.count() == 2


def test_the_mark_done_question_must_be_answered(manager_client, partnership):
    url = reverse("partnership:stage", kwargs={"slug": partnership.slug, "stage": "delivery"})
    response = manager_client.post(url, {"note": "kept"})
    page = response.content.decode()
    assert response.status_code == 200 and "Answer “Is this stage done?”" in page and "kept" in page


def test_only_a_manager_may_mark_a_stage_done(client, partnership):
    sign_in_verified(client, make_member(partnership, RoleKind.ANALYST))
    url = reverse("partnership:stage", kwargs={"slug": partnership.slug, "stage": "assessment"})
    assert client.post(url, {"done": "yes"}).status_code == 403
    assert not CycleStage.objects.filter(partnership=partnership).exists()


def test_the_task_list_reads_other_stages_only_through_their_progress_functions():
    """No module of the partnership app imports another stage's models or looks them up by name."""
    root = Path(__file__).resolve().parents[2] / "saferplan" / "partnership"
    offenders = []
    for path in root.glob("*.py"):
        if path.name in ("demo.py", "testing.py", "cli.py"):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and any(
                    node.module.startswith(f"saferplan.{app}") for app in ("assessment", "consultation", "planning")):
                offenders.append(f"{path.name}: from {node.module}")
            if isinstance(node, ast.Attribute) and node.attr == "get_model":
                offenders.append(f"{path.name}: get_model")
    assert not offenders, offenders
