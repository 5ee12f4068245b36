"""Prioritisation, versions, approval and KPI values as plain functions."""
from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest

from saferplan.assessment.police import import_police
from tests.conftest import DATA_DIR
from saferplan.assessment.store import connect, scope
from saferplan.core.periods import period_of
from saferplan.planning import evidence_sources, services
from saferplan.planning.models import (
    KPI,
    CandidateIssue,
    Criterion,
    Evidence,
    PlanStatus,
    PointKind,
    Priority,
    Workshop,
    WorkshopPoint,
)

from ..assessment.conftest import police_file
from .conftest import fake_assessment

pytestmark = pytest.mark.django_db


def _concern(issue_counts: dict[str, int], base=400):
    options = tuple(evidence_sources.OptionShare(i, label, n, base)
                    for i, (label, n) in enumerate(issue_counts.items(), 1))
    return evidence_sources.ConcernResults("Community safety survey 2024", 1, 1, "Which three should be priorities?",
                                           base, options, "/results/")


def test_refresh_fills_every_criterion_with_its_evidence(partnership):
    concern = _concern({"Anti-social Behaviour (i.e. noisy neighbours)": 200, "Drugs offences": 120, "Violent crime": 80})
    services.ensure_issues(partnership)
    workshop = Workshop.objects.create(partnership=partnership, title="Place", held_on=date(2024, 10, 1))
    point = WorkshopPoint.objects.create(workshop=workshop, kind=PointKind.PRIORITY, text="Make ASB a priority")
    asb = CandidateIssue.objects.get(partnership=partnership, name="Anti-social behaviour")
    point.issues.set([asb])

    result = services.refresh_issues(partnership, summary=fake_assessment(), concern=concern)
    assert result.assessment and result.consultation
    asb.refresh_from_db()
    assert (asb.volume, asb.previous_volume, asb.change_pct, asb.significant) == (1200, 1000, Decimal("20.0"), True)
    assert asb.rate == Decimal("23.5")  # 1,200 / 51,000 residents x 1,000, as the assessment rounds it
    assert asb.concern_pct == Decimal("50.0") and asb.harm is None  # ASB has no CCHI weight
    kinds = {e.criterion: e for e in asb.evidence.all()}
    assert set(kinds) == {Criterion.VOLUME, Criterion.TREND, Criterion.CONCERN, Criterion.PARTNER}
    assert ("50% of the 400 respondents who answered the question on priorities chose “Anti-social Behaviour”"
            in kinds[Criterion.CONCERN].title)
    assert kinds[Criterion.PARTNER].url.endswith(f"#point-{point.pk}")

    theft = CandidateIssue.objects.get(partnership=partnership, name="Theft and shoplifting")
    assert theft.volume == 400 and theft.previous_volume == 350  # two categories summed
    da = CandidateIssue.objects.get(partnership=partnership, name="Domestic abuse")
    assert da.volume == 210  # from partner data, by its words
    # Refreshing again replaces the automatic evidence rather than adding to it.
    before = Evidence.objects.count()
    services.refresh_issues(partnership, summary=fake_assessment(), concern=concern)
    assert Evidence.objects.count() == before


def test_the_ranking_follows_the_weights(partnership):
    services.refresh_issues(partnership, summary=fake_assessment(), concern=_concern({"Drugs offences": 300}))
    weights = services.weights_for(partnership)
    only_volume = {c.value: 0 for c in Criterion} | {"volume": 1}
    first = services.ranked_issues(partnership, only_volume)[0]
    assert first.issue.name == "Violent crime" and first.total == 5.0
    only_concern = {c.value: 0 for c in Criterion} | {"concern": 1}
    assert services.ranked_issues(partnership, only_concern)[0].issue.name == "Drugs and alcohol"
    only_harm = {c.value: 0 for c in Criterion} | {"harm": 1}
    # Violence: 1,500 x 30 = 45,000 harm days, more than burglary's 200 x 60.
    ranked = services.ranked_issues(partnership, only_harm)
    assert [r.issue.name for r in ranked[:2]] == ["Violent crime", "Burglary"]
    # Trend: a significant rise scores 5, a significant fall 0.
    row = {r.issue.name: r for r in services.ranked_issues(partnership, weights.as_dict())}
    assert row["Anti-social behaviour"].score("trend").score == 5
    assert row["Drugs and alcohol"].score("trend").score == 0
    assert row["Road safety"].score("volume").score is None  # no data: shown as –, scores 0


def test_a_priority_made_from_an_issue_cites_the_matrix_evidence(partnership, plan):
    services.refresh_issues(partnership, summary=fake_assessment(), concern=_concern({"Drugs offences": 300}))
    issue = CandidateIssue.objects.get(partnership=partnership, name="Drugs and alcohol")
    priority = services.priority_from_issue(issue, plan.themes.first())
    kinds = sorted(e.kind for e in priority.evidence.all())
    assert kinds == ["assessment_data", "assessment_data", "assessment_data", "consultation_result"]


def test_approval_moves_the_plan_and_keeps_each_version(plan, manager):
    services.send_to(plan, "board", manager)
    services.send_to(plan, "scrutiny", manager)
    assert plan.status == PlanStatus.SCRUTINY
    services.record_step(plan, stage="scrutiny", committee="Scrutiny Committee", meeting_on=date(2025, 3, 4),
                         comments="Members asked for targets.", decision="commented", user=manager)
    assert plan.status == PlanStatus.CABINET
    kpi = KPI.objects.get(action__priority__theme__plan=plan)
    kpi.target = Decimal("250")
    kpi.save()
    services.record_step(plan, stage="cabinet", committee="Cabinet", meeting_on=date(2025, 3, 11), comments="",
                         decision="referred_back", user=manager)
    assert plan.status == PlanStatus.DRAFT
    services.record_step(plan, stage="board", committee="Partnership board", meeting_on=date(2025, 3, 18),
                         comments="", decision="recommended", user=manager)
    services.record_step(plan, stage="council", committee="Full Council", meeting_on=date(2025, 3, 26), comments="",
                         decision="approved", user=manager)
    assert plan.status == PlanStatus.ADOPTED
    versions = list(plan.versions.all())
    assert [v.number for v in versions] == [1, 2, 3, 4, 5, 6, 7]
    considered = versions[3]
    assert considered.snapshot["approval"][0]["comments"] == "Members asked for targets."
    differences = services.compare(versions[3].snapshot, versions[4].snapshot)
    assert [(d.noun, d.change, d.fields) for d in differences if d.noun == "KPI"] == [
        ("KPI", "changed", [("Target", "270", "250")])]


def test_comparing_finds_added_removed_and_changed_items(plan):
    old = services.snapshot(plan)
    priority = Priority.objects.get(theme__plan=plan)
    priority.title = "Reduce anti-social behaviour in the town centre"
    priority.save()
    action = priority.actions.get()
    action.due_on = date(2026, 9, 30)
    action.save()
    theme = plan.themes.create(title="Victim", order=2)
    new = services.snapshot(plan)
    changes = {(d.noun, d.change): d for d in services.compare(old, new)}
    assert changes[("Priority", "changed")].fields == [
        ("Title", "Reduce anti-social behaviour", "Reduce anti-social behaviour in the town centre")]
    assert changes[("Action", "changed")].fields == [("Due date", "31 March 2026", "30 September 2026")]
    assert changes[("Theme", "added")].name == theme.title
    assert services.compare(new, old)[-1].change == "removed"


def test_reporting_periods_are_financial_quarters():
    assert period_of(date(2025, 4, 1), "quarterly") == (date(2025, 4, 1), date(2025, 7, 1), "2025-26 Q1")
    assert period_of(date(2026, 2, 1), "quarterly") == (date(2026, 1, 1), date(2026, 4, 1), "2025-26 Q4")
    assert period_of(date(2026, 2, 1), "annually")[2] == "2025-26"
    assert period_of(date(2026, 2, 1), "monthly")[2] == "February 2026"


def test_a_bound_kpi_takes_its_values_from_the_imported_data(plan):
    """Five real Leicestershire months imported: Q1 2024/25 (April to June) is complete and read from
    them; Q2 has only two of its three months, so it has no value yet."""
    kpi = KPI.objects.get(action__priority__theme__plan=plan)
    months = ["2024-04", "2024-05", "2024-06", "2024-07", "2024-08"]
    conn = connect()
    import_police(conn, [police_file(m) for m in months])
    made = services.refresh_kpi_values(kpi, conn=scope(conn.cursor(), None))
    assert made == 1
    value = kpi.values.get()
    expected = _count_with_csv(months[:3], "Anti-social behaviour", plan.partnership.area_codes)
    assert expected > 0
    assert (value.period_label, value.value, value.source) == ("2024-25 Q1", Decimal(expected), "imported")


def _count_with_csv(months, category, areas) -> int:
    """The police.uk records of ``category`` in ``areas``, counted with the csv module alone."""
    with open(DATA_DIR / "geography" / "lsoa21_to_lad.csv", newline="", encoding="utf-8") as handle:
        lad = {r["lsoa21_code"]: r["lad_code"] for r in csv.DictReader(handle)}
    n = 0
    for month in months:
        with open(police_file(month), newline="", encoding="utf-8-sig") as handle:
            n += sum(1 for r in csv.DictReader(handle)
                     if r["Crime type"] == category and lad.get(r["LSOA code"]) in areas)
    return n


def test_equality_rows_cover_every_protected_characteristic(plan):
    eia = services.ensure_eia(plan)
    assert [r.get_characteristic_display() for r in services.eia_rows(eia)] == [
        "Age 0-18", "Age 19-64", "Age 65+", "Disability", "Gender reassignment", "Marriage and civil partnership",
        "Pregnancy and maternity", "Race", "Religion or belief", "Sex", "Sexual orientation"]
    assert services.ensure_eia(plan).rows.count() == 11
