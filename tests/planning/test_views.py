"""The planning pages as a manager, a partner officer and the public use them."""
from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from saferplan.partnership.models import RoleKind, Stage
from saferplan.partnership.progress import derived_progress
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified
from saferplan.planning.models import KPI, Action, ApprovalStep, Evidence, KPIValue, Plan, Priority, Theme, Workshop
from saferplan.planning.testing import make_plan

pytestmark = pytest.mark.django_db


def url(partnership, name, **kwargs):
    return reverse(f"planning:{name}", kwargs={"slug": partnership.slug, **kwargs})


def date_fields(name, d):
    return {f"{name}_day": d.day, f"{name}_month": d.month, f"{name}_year": d.year}


def test_a_manager_starts_a_plan_and_builds_it(manager_client, partnership):
    response = manager_client.get(url(partnership, "index"))
    assert "No plan has been started yet" in response.content.decode()
    response = manager_client.post(url(partnership, "plan-start"), {
        "title": "Melton Plan 2025 to 2028", **date_fields("starts_on", date(2025, 4, 1)),
        **date_fields("ends_on", date(2028, 3, 31))})
    assert response.status_code == 302
    plan = Plan.objects.get(partnership=partnership)
    # The task list reads the plan's own data (partnership.progress), not a status set by hand.
    assert derived_progress(partnership, Stage.PLAN).status == "in_progress"

    manager_client.post(url(partnership, "theme-add"), {"title": "Place", "description": ""})
    theme = Theme.objects.get(plan=plan)
    # A priority cites a workshop point chosen from the evidence list, and a report typed in.
    workshop = Workshop.objects.create(partnership=partnership, title="Place workshop", held_on=date(2024, 10, 1))
    point = workshop.points.create(kind="priority", text="Make ASB a priority")
    page = manager_client.get(url(partnership, "priority-add")).content.decode()
    assert "Place workshop: Make ASB a priority" in page
    response = manager_client.post(url(partnership, "priority-add"), {
        "theme": theme.pk, "title": "Tackle anti-social behaviour", "description": "It rose by a fifth.",
        "evidence": [f"workshop_point|planning.workshoppoint|{point.pk}"],
        "other_title": "Police neighbourhood survey 2024", "other_url": "https://example.org/survey"})
    priority = Priority.objects.get(theme=theme)
    assert response["Location"] == priority.get_absolute_url()
    assert sorted(e.kind for e in priority.evidence.all()) == ["other", "workshop_point"]

    police = partnership.organisations.get(kind="police")
    response = manager_client.post(url(partnership, "action-add", priority=priority.pk), {
        "title": "Joint patrols", "owner": police.pk, **date_fields("due_on", date(2026, 3, 31)),
        **date_fields("starts_on", date(2026, 4, 1)), "funding_source": "", "funding_amount": "500"})
    page = response.content.decode()
    assert "The due date must be on or after the start date" in page
    assert "Select where the funding comes from" in page
    response = manager_client.post(url(partnership, "action-add", priority=priority.pk), {
        "title": "Joint patrols", "owner": police.pk, **date_fields("due_on", date(2026, 3, 31)),
        "funding_source": "pcc", "funding_amount": "12000"})
    action = Action.objects.get(priority=priority)
    assert action.funding_label == "PCC Crime Reduction Grant: £12,000"

    response = manager_client.post(url(partnership, "kpi-add", action=action.pk), {
        "title": "ASB records per quarter", "direction": "down", "frequency": "quarterly", "source": "police.uk",
        "measure_kind": "police", "measure_category": ""})
    assert "Select the police.uk category the KPI counts" in response.content.decode()
    manager_client.post(url(partnership, "kpi-add", action=action.pk), {
        "title": "ASB records per quarter", "direction": "down", "frequency": "quarterly", "source": "police.uk",
        "measure_kind": "police", "measure_category": "Anti-social behaviour", "baseline": "300", "target": "270",
        "unit": "count"})
    kpi = KPI.objects.get(action=action)
    assert kpi.bound and kpi.measure_label == "Police.uk: Anti-social behaviour records in the area per quarter"
    overview = manager_client.get(url(partnership, "index")).content.decode()
    assert "Tackle anti-social behaviour" in overview and "ASB records per quarter" in overview
    # Every change is in the plan's audit history.
    history = manager_client.get(url(partnership, "history")).content.decode()
    assert "Priority: Tackle anti-social behaviour" in history and "KPI: ASB records per quarter" in history


def test_partner_officers_report_values_only_for_their_own_organisations_actions(client, partnership, plan):
    kpi = KPI.objects.get(action__priority__theme__plan=plan)
    police_officer = make_member(partnership, RoleKind.PARTNER_OFFICER)
    council = partnership.organisations.get(kind="district_council")
    council_officer = make_member(partnership, RoleKind.PARTNER_OFFICER, organisation=council)
    path = url(partnership, "kpi-value-add", pk=kpi.pk)
    sign_in_verified(client, council_officer)
    assert client.get(path).status_code == 403
    assert client.post(path, {"period": "2025-04-01", "value": "12"}).status_code == 403
    client.logout()
    sign_in_verified(client, police_officer)
    response = client.post(path, {"period": "2025-04-01", "value": "281", "note": "Fewer calls after patrols"})
    assert response.status_code == 302
    value = KPIValue.objects.get(kpi=kpi)
    assert (value.period_label, value.value, value.source, value.entered_by) == ("2025-26 Q1", 281, "entered", police_officer)


def test_weights_change_the_ranking_on_the_page(manager_client, partnership, plan):
    page = manager_client.get(url(partnership, "prioritisation")).content.decode()
    assert "Anti-social behaviour" in page and "Make it a priority" in page
    response = manager_client.post(url(partnership, "weights"), {
        "volume": "0", "trend": "0", "harm": "0", "concern": "0", "partner": "0", "judgement": "0"})
    assert "At least one weight must be more than 0" in response.content.decode()
    manager_client.post(url(partnership, "weights"), {
        "volume": "0", "trend": "0", "harm": "0", "concern": "0", "partner": "0", "judgement": "1"})
    page = manager_client.get(url(partnership, "prioritisation")).content.decode()
    # Only the judgement counts: ASB (judged 4) scores 4.00 and comes first.
    assert "4.00" in page


def test_evidence_can_be_withdrawn_only_by_those_who_may_change_its_subject(client, partnership, plan):
    evidence = Evidence.objects.filter(object_id=Priority.objects.get(theme__plan=plan).pk).first()
    board = make_member(partnership, RoleKind.BOARD_MEMBER)
    sign_in_verified(client, board)
    assert client.post(url(partnership, "evidence-remove", pk=evidence.pk)).status_code == 403
    client.logout()
    sign_in_verified(client, make_member(partnership, RoleKind.MANAGER))
    assert client.post(url(partnership, "evidence-remove", pk=evidence.pk)).status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_recording_meetings_and_comparing_versions(manager_client, partnership, plan):
    response = manager_client.post(url(partnership, "approval-record"), {
        "stage": "board", "committee": "Partnership board", **date_fields("meeting_on", date(2025, 2, 11)),
        "comments": "", "decision": "recommended"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "scrutiny"
    response = manager_client.post(url(partnership, "approval-record"), {
        "stage": "scrutiny", "committee": "Scrutiny Committee", **date_fields("meeting_on", date(2025, 3, 4)),
        "comments": "Members expressed concern at the lack of targets.", "decision": "commented"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "cabinet"
    step = ApprovalStep.objects.get(plan=plan, stage="scrutiny")
    assert step.version.number == 3
    page = manager_client.get(url(partnership, "approval")).content.decode()
    assert "Members expressed concern at the lack of targets." in page and "Commented and noted" in page
    action = Action.objects.get(priority__theme__plan=plan)
    action.title = "Joint patrols every weekend"
    action.save()
    manager_client.post(url(partnership, "version-save"), {"label": "After scrutiny"})
    versions = list(plan.versions.order_by("number"))
    page = manager_client.get(url(partnership, "compare"), {"a": versions[0].pk, "b": versions[-1].pk}).content.decode()
    assert "Joint patrols in the town centre" in page and "Joint patrols every weekend" in page
    same = manager_client.get(url(partnership, "compare"), {"a": versions[0].pk, "b": versions[0].pk})
    assert "Choose two different versions" in same.content.decode()


def test_eia_row_records_impact_narrative_and_evidence(manager_client, partnership, plan):
    response = manager_client.post(url(partnership, "eia-row", characteristic="race"), {
        "impact": "positive", "narrative": "Race hate crime is the most common strand.",
        "other_title": "Hate crime by strand, 2024", "other_url": "/assessment/hate/"})
    assert response.status_code == 302
    page = manager_client.get(url(partnership, "eia")).content.decode()
    assert "Race hate crime is the most common strand." in page and "Hate crime by strand, 2024" in page
    assert manager_client.get(url(partnership, "eia-row", characteristic="nonsense")).status_code == 404


def test_public_pages_show_only_published_plans(client, partnership, plan):
    public = reverse("public-plan:plan", kwargs={"partnership": partnership.slug})
    assert client.get(public).status_code == 404
    assert client.get(reverse("public-plan:you-said-we-did", kwargs={"partnership": partnership.slug})).status_code == 404
    plan.published = True
    plan.save()
    page = client.get(public).content.decode()
    assert "Reduce anti-social behaviour" in page and "Joint patrols in the town centre" in page
    assert "This is a draft" in page
    said = client.get(reverse("public-plan:you-said-we-did", kwargs={"partnership": partnership.slug})).content.decode()
    assert "41% of you said anti-social behaviour" in said and "Priority: Reduce anti-social behaviour" in said


def test_another_partnerships_plan_is_not_reachable(client, partnership, plan):
    elsewhere = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    sign_in_verified(client, make_member(elsewhere, RoleKind.MANAGER))
    priority = Priority.objects.get(theme__plan=plan)
    path = reverse("planning:priority-edit", kwargs={"slug": "coventry", "pk": priority.pk})
    assert client.get(path).status_code == 404
    assert client.post(path, {"title": "Taken over"}).status_code == 404


def test_the_members_survey_is_the_consultation_engine_with_members_as_its_audience(manager_client, partnership, client):
    from saferplan.consultation.models import Audience, Survey

    response = manager_client.post(url(partnership, "members-survey"))
    assert response.status_code == 302
    survey = Survey.objects.get(partnership=partnership, audience=Audience.MEMBERS)
    assert survey.questions.exists() and not survey.equality_monitoring
    workshops = manager_client.get(url(partnership, "workshops")).content.decode()
    assert survey.title in workshops
    # Once published, members answer it through its link; residents are not pointed at it.
    survey.published = True
    survey.save()
    client.logout()
    landing = client.get(survey.public_url()).content.decode()
    assert "This survey is for elected members" in landing
    listing = client.get(reverse("public-consultation:partnership", kwargs={"partnership": partnership.slug})).content.decode()
    assert survey.title not in listing


def test_a_store_that_cannot_be_read_is_said_not_shown_as_no_data(manager_client, partnership, plan, monkeypatch):
    """The store not yet published for reading: refreshing the matrix changes nothing and says why,
    rather than blanking the figures as if the area had no crime."""
    from saferplan.assessment import services as assessment_services
    from saferplan.planning.models import CandidateIssue

    def unpublished(*args, **kwargs):
        raise assessment_services.StoreNotPublished("the crime data store has not been published for reading yet")

    monkeypatch.setattr(assessment_services, "months_held", unpublished)
    before = CandidateIssue.objects.get(partnership=partnership, name="Anti-social behaviour")
    response = manager_client.post(url(partnership, "issues-refresh"), follow=True)
    page = response.content.decode()
    assert "The figures have not been refreshed. The crime data store could not be read: the crime data store " \
           "has not been published for reading yet." in page
    after = CandidateIssue.objects.get(pk=before.pk)
    assert (after.volume, after.change_pct, after.refreshed_at) == (before.volume, before.change_pct,
                                                                    before.refreshed_at)
