"""The plan's life: legal moves only, frozen once adopted, revised through approval, and the public
seeing the adopted version until its revision is adopted."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from itertools import product

import pytest
from django.urls import reverse

from saferplan.cli import main
from saferplan.partnership.demo import load_demo
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, sign_in_verified
from saferplan.planning import demo, documents, services
from saferplan.planning.models import (
    KPI,
    Action,
    CandidateIssue,
    FrozenPlan,
    IllegalMove,
    Plan,
    Theme,
)
from saferplan.planning.testing import make_plan

from .test_documents import normalise, pdf_text

pytestmark = pytest.mark.django_db

STATES = ["draft", "board", "scrutiny", "cabinet", "council", "adopted", "superseded"]
# Written out here, not read from the model, so that a wrong table in the model fails the test.
LEGAL = {
    ("draft", "board"),
    ("board", "draft"), ("board", "scrutiny"), ("board", "cabinet"), ("board", "council"),
    ("scrutiny", "draft"), ("scrutiny", "cabinet"), ("scrutiny", "council"),
    ("cabinet", "draft"), ("cabinet", "council"),
    ("council", "draft"), ("council", "adopted"),
    ("adopted", "superseded"),
}


def url(partnership, name, **kwargs):
    return reverse(f"planning:{name}", kwargs={"slug": partnership.slug, **kwargs})


def _plan_at(partnership, status):
    return Plan.objects.create(partnership=partnership, title=f"Plan {status}", starts_on=date(2025, 4, 1),
                               ends_on=date(2028, 3, 31), status=status)


def test_every_move_between_two_states_is_allowed_only_if_legal(partnership):
    for before, after in product(STATES, STATES):
        plan = _plan_at(partnership, before)
        legal = (before, after) in LEGAL
        assert plan.can_move_to(after) is legal, (before, after)
        if legal:
            plan.move_to(after)
            assert Plan.objects.get(pk=plan.pk).status == after
            continue
        with pytest.raises(IllegalMove):
            plan.move_to(after)
        # Setting the field directly is refused too (staying where it is, is not a move).
        plan = Plan.objects.get(pk=plan.pk)
        plan.status = after
        if after == before:
            plan.save()
        else:
            with pytest.raises(IllegalMove):
                plan.save()
        assert Plan.objects.get(pk=plan.pk).status == before, (before, after)


def test_a_copy_of_the_plan_loaded_before_adoption_cannot_change_it_afterwards(partnership):
    plan = _plan_at(partnership, "council")
    stale = Plan.objects.get(pk=plan.pk)
    services.adopt(plan)
    stale.title = "Changed by a request that started before the vote"
    with pytest.raises((FrozenPlan, IllegalMove)):  # its status in memory is out of date, and it is frozen
        stale.save()
    with pytest.raises(IllegalMove):  # a referral recorded late cannot undo the adoption
        Plan.objects.get(pk=plan.pk).move_to("draft")
    assert Plan.objects.get(pk=plan.pk).title == "Plan council"


def test_a_crafted_post_cannot_move_a_draft_straight_to_adopted(manager_client, partnership, plan):
    for status in ("adopted", "council", "scrutiny"):
        response = manager_client.post(url(partnership, "approval-send"), {"status": status})
        assert response.status_code == 302
        plan.refresh_from_db()
        assert plan.status == "draft", status
    page = manager_client.get(url(partnership, "approval")).content.decode()
    assert "The plan is a draft, so it cannot go to scrutiny" in page
    manager_client.post(url(partnership, "approval-send"), {"status": "board"})
    plan.refresh_from_db()
    assert plan.status == "board"


# The moves a "send" button may make: on to a later committee. Referral back, adoption and
# superseding follow only from a recorded decision.
SENDS = {(a, b) for a, b in LEGAL if b in ("board", "scrutiny", "cabinet", "council")}


def test_sending_the_plan_on_refuses_every_move_but_on_to_a_committee(partnership):
    for before, after in product(STATES, STATES):
        plan = _plan_at(partnership, before)
        if (before, after) in SENDS:
            services.send_to(plan, after)
            assert Plan.objects.get(pk=plan.pk).status == after
            continue
        with pytest.raises(IllegalMove):
            services.send_to(plan, after)
        assert Plan.objects.get(pk=plan.pk).status == before, (before, after)
        assert not plan.versions.exists()


def test_a_crafted_post_makes_no_move_but_sending_on_to_a_committee(manager_client, partnership):
    for before, after in product(STATES, STATES + ["published", ""]):
        Plan.objects.filter(partnership=partnership).delete()
        plan = _plan_at(partnership, before)
        response = manager_client.post(url(partnership, "approval-send"), {"status": after})
        stored = Plan.objects.get(pk=plan.pk).status
        if (before, after) in SENDS:
            assert stored == after, (before, after)
        else:
            assert stored == before, (before, after)
            # A refusal says why on the approval page; a state that does not exist is no page at all;
            # a superseded plan is not the partnership's plan, so there is nothing to send.
            expected = 404 if after not in STATES or before == "superseded" else 302
            assert response.status_code == expected, (before, after)


def test_a_crafted_post_cannot_supersede_the_adopted_plan(client, partnership):
    adopted = _plan_at(partnership, "adopted")
    sign_in_verified(client, make_member(partnership, RoleKind.MANAGER))
    client.post(url(partnership, "approval-send"), {"status": "superseded"})
    adopted.refresh_from_db()
    assert adopted.status == "adopted"
    with pytest.raises(IllegalMove):
        services.send_to(adopted, "superseded")


def test_a_get_on_an_approval_post_address_is_a_page_pointing_to_the_button(manager_client, partnership, plan):
    response = manager_client.get(url(partnership, "approval-send"))
    assert response.status_code == 405 and response["Allow"] == "POST"
    page = response.content.decode()
    assert "Use the button on the page" in page and url(partnership, "approval") in page


@pytest.fixture
def adopted_demo(data_dir, monkeypatch):
    """Melton's demo plan, adopted by the demo's own approval route and published."""
    monkeypatch.setattr("saferplan.planning.evidence_sources.assessment_summary", lambda p: None)
    monkeypatch.setattr("saferplan.planning.services.refresh_kpi_values", lambda kpi, conn=None: 0)
    partnership = load_demo(data_dir).partnership
    return partnership, demo.load(partnership)


def _public(client, partnership):
    client.logout()
    page = client.get(reverse("public-plan:plan", kwargs={"partnership": partnership.slug})).content.decode()
    pdf = client.get(reverse("public-plan:plan-document", kwargs={"partnership": partnership.slug, "fmt": "pdf"}))
    return page, normalise(pdf_text(pdf.content)[1])


def test_an_adopted_plan_is_frozen_and_the_public_plan_and_pdf_do_not_change(client, adopted_demo):
    partnership, plan = adopted_demo
    assert plan.status == "adopted"
    page_before, pdf_before = _public(client, partnership)
    assert "Adopted" in pdf_before and "Full Council" in pdf_before
    sign_in_verified(client, partnership.people.get(full_name="Sam Whitaker").user)
    priority = plan.priorities().first()
    police = partnership.organisations.get(name="Leicestershire Police")
    actions = Action.objects.count()
    response = client.post(url(partnership, "action-add", priority=priority.pk), {
        "title": "Added after adoption", "owner": police.pk, "due_on_day": 31, "due_on_month": 3,
        "due_on_year": 2027})
    assert response.status_code == 302
    assert Action.objects.count() == actions  # refused, not added
    assert "start a revision" in client.get(response["Location"]).content.decode()
    response = client.post(url(partnership, "theme-add"), {"title": "Added theme", "description": ""})
    assert not Theme.objects.filter(title="Added theme").exists()
    kpi = KPI.objects.filter(action__priority__theme__plan=plan).first()
    client.post(url(partnership, "kpi-edit", pk=kpi.pk), {"title": "Changed", "unit": "count", "direction": "down",
                                                           "frequency": "quarterly", "source": "x"})
    assert KPI.objects.get(pk=kpi.pk).title != "Changed"
    # Whatever the route, the model refuses too.
    with pytest.raises(FrozenPlan):
        Action.objects.create(priority=priority, title="Sneaked in", owner=police, due_on=date(2027, 3, 31))
    with pytest.raises(FrozenPlan):
        priority.evidence.first().delete()
    assert _public(client, partnership) == (page_before, pdf_before)


def test_the_adopted_ranking_does_not_change_when_the_figures_do(adopted_demo):
    partnership, plan = adopted_demo
    ranked = [(r["rank"], r["issue"]) for r in services.plan_ranking(plan)]
    bottom = ranked[-1][1]
    # New assessment data: the last issue now has the most records and the largest rise.
    CandidateIssue.objects.filter(partnership=partnership, name=bottom).update(
        volume=10 ** 6, previous_volume=1, change_pct=Decimal("900"), significant=True, judgement=5)
    assert services.ranked_issues(partnership)[0].issue.name == bottom  # the live matrix moves
    plan = Plan.objects.get(pk=plan.pk)
    assert [(r["rank"], r["issue"]) for r in services.plan_ranking(plan)] == ranked
    _, text = pdf_text(documents.plan_file(plan, "pdf"))
    text = normalise(text)
    assert f"1 {ranked[0][1]}" in text and f"1 {bottom}" not in text


def test_a_revision_goes_through_approval_and_replaces_the_adopted_plan_only_when_adopted(client, adopted_demo,
                                                                                          tmp_path):
    partnership, adopted = adopted_demo
    page_before, _ = _public(client, partnership)
    manager = partnership.people.get(full_name="Sam Whitaker").user
    sign_in_verified(client, manager)
    assert client.post(url(partnership, "plan-revise")).status_code == 302
    revision = Plan.objects.get(revision_of=adopted)
    assert revision.status == "draft" and services.current_plan(partnership) == revision
    # The structure is copied: same titles, new rows, each action and KPI knowing where it came from.
    assert [p.title for p in revision.priorities()] == [p.title for p in adopted.priorities()]
    assert set(revision.priorities().values_list("pk", flat=True)).isdisjoint(adopted.priorities().values_list("pk", flat=True))
    assert all(a.copied_from.plan == adopted for a in revision.actions())
    assert revision.eia.rows.count() == 11 and revision.eia.status == "draft"
    # Starting again gives the same revision, not a second one.
    assert services.start_revision(adopted) == revision
    # The revision can be changed; the public still sees the adopted plan.
    priority = revision.priorities().first()
    police = partnership.organisations.get(name="Leicestershire Police")
    client.post(url(partnership, "action-add", priority=priority.pk), {
        "title": "A new action in the revision", "owner": police.pk, "due_on_day": 31, "due_on_month": 3,
        "due_on_year": 2027})
    assert Action.objects.filter(priority=priority, title="A new action in the revision").exists()
    # Compared with the adopted plan, item by item, the revision differs only by what was changed.
    changes = services.compare(services.snapshot(adopted), services.snapshot(revision))
    assert [(d.noun, d.change, d.name) for d in changes if d.noun != "Plan"] == [
        ("Action", "added", "A new action in the revision")]
    with pytest.raises(IllegalMove):
        services.publish(revision)
    assert _public(client, partnership)[0] == page_before
    out = tmp_path / "adopted.json"
    assert main(["plan", "export", "--partnership", partnership.slug, "--adopted", "--out", str(out)]) == 0
    exported = json.loads(out.read_text())
    assert exported["plan"]["id"] == adopted.pk and exported["ranking"] == adopted.frozen["ranking"]
    sign_in_verified(client, manager)
    # A value reported on the adopted plan while the revision is approved carries over on adoption.
    old_kpi = KPI.objects.filter(action__priority__theme__plan=adopted, measure_kind="").first()
    services.record_kpi_value(old_kpi, period_start=date(2025, 4, 1), value=Decimal("7"), today=date(2025, 8, 1))
    services.send_to(revision, "board")
    with pytest.raises(IllegalMove):
        services.send_to(revision, "adopted")
    services.record_step(revision, stage="council", committee="Full Council", meeting_on=date(2026, 3, 25),
                         comments="", decision="approved")
    adopted.refresh_from_db()
    revision.refresh_from_db()
    assert (adopted.status, revision.status) == ("superseded", "adopted")
    assert (adopted.published, revision.published) == (False, True)
    assert KPI.objects.get(copied_from=old_kpi).values.get(period_start=date(2025, 4, 1)).value == Decimal("7")
    with pytest.raises(services.KPIValueRefused):
        services.record_kpi_value(old_kpi, period_start=date(2025, 7, 1), value=Decimal("8"), today=date(2026, 5, 1))
    page_after, pdf_after = _public(client, partnership)
    assert "A new action in the revision" in page_after and "A new action in the revision" in pdf_after
    assert "A new action in the revision" not in page_before
    # The demo rebuilds its plan, revisions and all.
    assert demo.load(partnership).status == "adopted"
    assert Plan.objects.filter(partnership=partnership).count() == 1


def test_a_second_plan_for_an_adopted_period_is_refused(manager_client, partnership):
    adopted = _plan_at(partnership, "adopted")
    response = manager_client.post(url(partnership, "plan-start"), {
        "title": "Another plan", "starts_on_day": 1, "starts_on_month": 4, "starts_on_year": 2026,
        "ends_on_day": 31, "ends_on_month": 3, "ends_on_year": 2029})
    assert response.status_code == 200
    assert "start a revision of it from the plan’s page" in response.content.decode()
    assert list(Plan.objects.filter(partnership=partnership)) == [adopted]
    manager_client.post(url(partnership, "plan-start"), {
        "title": "The next plan", "starts_on_day": 1, "starts_on_month": 4, "starts_on_year": 2028,
        "ends_on_day": 31, "ends_on_month": 3, "ends_on_year": 2031})
    assert Plan.objects.filter(partnership=partnership, title="The next plan", status="draft").exists()


def test_only_an_adopted_plan_is_revised(partnership, plan):
    with pytest.raises(IllegalMove):
        services.start_revision(plan)


def test_a_partner_officer_refreshes_only_their_own_organisations_kpis(client, partnership):
    plan = make_plan(partnership)
    kpi = KPI.objects.get(action__priority__theme__plan=plan)  # owned by the police
    police = kpi.action.owner
    other = partnership.organisations.exclude(pk=police.pk).first()
    outsider = make_member(partnership, RoleKind.PARTNER_OFFICER, organisation=other)
    sign_in_verified(client, outsider)
    assert client.post(url(partnership, "kpi-refresh", pk=kpi.pk)).status_code == 403
    for kind, organisation in [(RoleKind.PARTNER_OFFICER, police), (RoleKind.ANALYST, None),
                               (RoleKind.MANAGER, None)]:
        client.logout()
        sign_in_verified(client, make_member(partnership, kind, organisation=organisation))
        assert client.post(url(partnership, "kpi-refresh", pk=kpi.pk)).status_code == 302, kind
