"""The demo's delivery year: Melton's 2025-26 returns, KPI values, register and funding."""
from __future__ import annotations

from decimal import Decimal

import pytest

from saferplan.delivery import demo
from saferplan.delivery.models import FundingStream, QuarterlyReturn, ReturnRound, Risk, RiskReview
from saferplan.delivery.services import funding, risks

pytestmark = pytest.mark.django_db


def test_the_demo_delivers_four_quarters_of_example_returns_and_is_safe_to_run_twice(melton):
    counts = [M.objects.count() for M in (ReturnRound, QuarterlyReturn, Risk, RiskReview, FundingStream)]
    demo.load(melton)
    assert [M.objects.count() for M in (ReturnRound, QuarterlyReturn, Risk, RiskReview, FundingStream)] == counts
    rounds = list(ReturnRound.objects.filter(partnership=melton).order_by("quarter"))
    assert [r.quarter for r in rounds] == ["2025-26-Q1", "2025-26-Q2", "2025-26-Q3", "2025-26-Q4"]
    assert all(r.example for r in rounds) and QuarterlyReturn.objects.filter(example=False).count() == 0
    # The Q2 Speed Watch return was corrected, with the reason, and the first one kept.
    corrected = QuarterlyReturn.objects.get(corrects__isnull=False)
    assert corrected.round.quarter == "2025-26-Q2" and corrected.status == "off_track" and corrected.rag == "red"
    assert corrected.corrects.status == "at_risk" and corrected.correction_reason
    # Partner officers reported for their own organisation's actions only.
    for ret in QuarterlyReturn.objects.exclude(submitted_by__people__roles__kind="manager"):
        assert ret.submitted_by.people.filter(roles__organisation=ret.action.owner).exists()


def test_the_demo_register_is_on_meltons_own_matrix_with_the_seeds_two_risks(melton):
    assert risks.register_for(melton).matrix_key == "melton-6x4"
    rows = {r.risk.reference: r for r in risks.register_rows(melton)}
    # The seed (Melton Borough Council report, section 15): likelihood Low (3) x impact Marginal (2),
    # and Very Low (2) x Marginal (2), both rated Low Risk.
    assert rows["R1"].risk.title == "Lack of resource to fulfil the strategic plan"
    assert (rows["R1"].current.likelihood.label, rows["R1"].current.impact.label, rows["R1"].current.text) == (
        "Low", "Marginal", "Low Risk")
    assert (rows["R2"].current.likelihood.label, rows["R2"].current.text) == ("Very Low", "Low Risk")
    assert rows["R6"].current.text == "High Risk" and rows["R6"].above_tolerance
    assert not rows["R1"].above_tolerance
    # R3 was re-rated during the year: its history holds both ratings.
    assert list(Risk.objects.get(partnership=melton, reference="R3").reviews.values_list("score", flat=True)) == [12, 9]


def test_the_demo_funding_is_the_seeds_two_streams_and_reconciles_to_the_penny(melton):
    streams = {s.stream.source: s for s in funding.summaries(melton)}
    assert streams["home_office"].stream.amount == Decimal("153000.00")
    assert streams["pcc"].stream.amount == Decimal("106460.00")
    for s in streams.values():
        assert s.stream.example
        assert s.spent == sum((line.spent for line in s.lines), Decimal("0"))
        assert s.remaining == s.stream.amount - s.spent
        assert s.spent.as_tuple().exponent == -2  # pounds and pence, never a float
        assert any(line.spent % 1 for line in s.lines)  # odd pennies are carried, not rounded away
    # The PCC grant is claimed quarterly in arrears: the claims to Q3 are exactly the spend to Q3.
    from saferplan.core.periods import Quarter

    to_q3 = funding.summary(streams["pcc"].stream, Quarter(2025, 3))
    assert to_q3.claimed == to_q3.spent and not any("Claimed" in f for f in to_q3.flags)


def test_the_demo_tasks_the_jag_at_the_assessments_hotspots_and_has_a_review_in_progress(melton):
    from saferplan.delivery.models import AnnualReview, JagProblem
    from saferplan.delivery.services import reviews, scrutiny
    from saferplan.planning import services as planning_services
    from tests.delivery.test_jag import accepted_hotspot_finding, melton_lsoas

    # Without the crime store the assessment has no hotspot, and the demo invents no place.
    assert not JagProblem.objects.filter(partnership=melton).exists()
    accepted_hotspot_finding(melton)
    demo.load(melton)
    demo.load(melton)
    problems = list(JagProblem.objects.filter(partnership=melton).order_by("reference"))
    assert [p.lsoa_code for p in problems] == [code for code, _ in melton_lsoas()]  # highest z first
    assert all(p.example and p.finding_id and p.scanning for p in problems)
    [review] = AnnualReview.objects.filter(partnership=melton)
    assert review.example and review.financial_year == "2025-26" and review.revision.status == "draft"
    assert planning_services.public_plan(melton) in (None, review.plan)
    assert "stays in force" in reviews.status_text(review)
    doc = scrutiny.document(melton, scrutiny.parse_year("2025-26"))
    assert doc.sections[0].heading == "Example data"
    assert "Q4" in dict(doc.meta)["Figures as at"]
