"""The risk register on the partnership's own matrix, and funding that reconciles to the penny."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from saferplan.delivery import risk_matrix
from saferplan.delivery.models import Allocation, FundingStream, Risk
from saferplan.delivery.quarters import Quarter
from saferplan.delivery.services import funding, risks

pytestmark = pytest.mark.django_db


def _url(partnership, name, **kwargs):
    return reverse(f"delivery:{name}", kwargs={"slug": partnership.slug, **kwargs})


def test_ratings_come_from_the_chosen_matrix_and_the_heat_map_counts_without_colour(manager_client, partnership,
                                                                                      delivered):
    risk = delivered["risk"]  # Melton: likelihood 3 Low x impact 2 Marginal
    assert risks.rated(risk, risks.matrix_for(partnership)).current.text == "Low Risk"
    # Medway's lettered matrix: the rating is the cell's name (C Unlikely x II Major is "CII", scored 2 x 3). R1 has numbers, so the change is refused.
    with pytest.raises(ValidationError) as refused:
        risks.change_matrix(risks.register_for(partnership), risk_matrix.MEDWAY.key)
    assert "R1" in str(refused.value)
    Risk.objects.filter(pk=risk.pk).update(closed=True)
    risks.change_matrix(risks.register_for(partnership), risk_matrix.MEDWAY.key)
    medway = Risk.objects.create(partnership=partnership, reference="R2", title="Partners disengage", cause="c",
                                 consequence="c", owner=risk.owner, likelihood="C", impact="II",
                                 target_likelihood="D", target_impact="IV", tolerance="Low",
                                 review_on=date(2020, 1, 1))
    row = risks.rated(medway, risks.matrix_for(partnership))
    assert (row.current.text, row.current.band, row.above_tolerance, row.overdue) == ("CII", "Medium", True, True)
    page = manager_client.get(_url(partnership, "risks")).content.decode()
    assert "CII" in page and "1 risk" in page and "R2" in page and "Above tolerance" in page and "Overdue" in page


def test_the_partnerships_own_matrix_is_checked_and_kept(manager_client, partnership, delivered):
    Risk.objects.filter(pk=delivered["risk"].pk).update(closed=True)
    path = _url(partnership, "matrix")
    bad = {"matrix_key": "custom", "likelihoods": "Unlikely\nLikely", "impacts": "Minor\nMajor", "bands": "Low 1"}
    page = manager_client.post(path, bad).content.decode()
    assert "Line 1 of the bands is not like Low: 1" in page and "Unlikely" in page
    good = {**bad, "name": "Our 2 x 2", "bands": "Low: 1\nHigh: 3"}
    assert manager_client.post(path, good).status_code == 302
    matrix = risks.matrix_for(partnership)
    assert matrix.name == "Our 2 x 2" and matrix.rate("2", "2").text == "High" and matrix.rate("1", "2").text == "Low"


def test_a_risk_form_keeps_what_was_typed_and_a_review_keeps_the_history_of_ratings(manager_client, partnership,
                                                                                    delivered):
    path = _url(partnership, "risk-add")
    typed = {"reference": "R9", "title": "Volunteers leave", "cause": "Few volunteers", "consequence": "",
             "owner": str(delivered["risk"].owner_id), "likelihood": "5", "impact": "3", "target_likelihood": "2",
             "target_impact": "2", "tolerance": "Medium Risk", "review_on_day": "1", "review_on_month": "1",
             "review_on_year": "2027"}
    page = manager_client.post(path, typed).content.decode()
    assert "There is a problem" in page and "Volunteers leave" in page
    assert manager_client.post(path, {**typed, "consequence": "Sessions stop"}).status_code == 302
    risk = Risk.objects.get(reference="R9")
    assert risk.reviews.get().rating == "High Risk"
    review = {"likelihood": "3", "impact": "3", "note": "New volunteers trained", "next_review_day": "1",
              "next_review_month": "4", "next_review_year": "2027"}
    assert manager_client.post(_url(partnership, "risk-review", pk=risk.pk), review).status_code == 302
    assert list(risk.reviews.values_list("rating", "score")) == [("Medium Risk", 9), ("High Risk", 15)]
    assert risk.history.count() >= 2  # the audit history of the risk itself


def test_allocations_never_exceed_the_stream_and_totals_reconcile_to_the_penny(manager_client, partnership, delivered):
    stream, patrols = delivered["stream"], delivered["action"]
    other = delivered["plan"].actions().get(owner__kind="district_council")
    page = manager_client.post(_url(partnership, "allocation-add", stream=stream.pk),
                               {"action": str(other.pk), "amount": "£94,460.01"}).content.decode()
    assert "would allocate more than the stream holds" in page and "£94,460.00 is left to allocate" in page
    assert "94,460.01" in page  # kept as typed
    assert manager_client.post(_url(partnership, "allocation-add", stream=stream.pk),
                               {"action": str(other.pk), "amount": "94,460.00"}).status_code == 302
    s = funding.summary(stream, Quarter(2022, 2))
    assert (s.allocated, s.spent, s.remaining, s.unallocated) == (
        Decimal("106460.00"), Decimal("2500.50"), Decimal("103959.50"), Decimal("0.00"))
    assert any(f.startswith("Behind profile") for f in s.flags)
    # At the year's end, money left is an underspend.
    assert any(f.startswith("Underspent: £103,959.50") for f in funding.summary(stream, Quarter(2022, 4)).flags)
    # An allocation's overspend is flagged.
    funding.save_allocation(Allocation(stream=FundingStream.objects.create(
        partnership=partnership, source="home_office", name="Home Office grant", financial_year="2022-23",
        amount=Decimal("100.00")), action=patrols, amount=Decimal("100.00")))
    page = manager_client.get(_url(partnership, "funding")).content.decode()
    assert "£106,560.00" in page  # the total of the two streams' amounts
    # An allocation a return has reported spend from cannot be removed: the page says what uses it.
    reported = delivered["allocation"]
    page = manager_client.post(_url(partnership, "allocation-remove", stream=stream.pk, pk=reported.pk))
    assert page.status_code == 200 and "cannot be removed while these depend on it" in page.content.decode()
    assert Allocation.objects.filter(pk=reported.pk).exists()


def test_a_stream_needs_a_real_financial_year(manager_client, partnership):
    page = manager_client.post(_url(partnership, "stream-add"), {
        "source": "pcc", "name": "PCC grant", "financial_year": "2025-27", "amount": "1000"}).content.decode()
    assert "followed by 26, not 27" in page and "PCC grant" in page
    assert not FundingStream.objects.exists()


def test_bound_kpis_are_worked_out_again_after_an_import_of_police_months(partnership, delivered):
    """The real Leicestershire files of 2024, imported as the operator does, refresh a KPI bound to them."""
    from saferplan.assessment.models import ImportJob
    from saferplan.assessment.testing import _load_shared_police_months
    from saferplan.delivery.services.kpis import refresh_after_import

    kpi = delivered["kpi"]
    kpi.measure_kind, kpi.measure_category = "police", "Anti-social behaviour"
    type(kpi).objects.filter(pk=kpi.pk).update(measure_kind="police", measure_category="Anti-social behaviour")
    _load_shared_police_months("2024-01:2024-12")
    job = ImportJob.objects.create(partnership=partnership, kind=ImportJob.Kind.POLICE, shared=True,
                                   status=ImportJob.Status.SUCCEEDED)
    assert refresh_after_import(job.pk) >= 4
    imported = kpi.values.filter(source="imported").order_by("period_start")
    assert [v.period_start for v in imported if v.period_start >= date(2024, 4, 1)] == [
        date(2024, 4, 1), date(2024, 7, 1), date(2024, 10, 1)]
    assert all(v.value > 0 for v in imported)
    # A value a person entered for a quarter is never overwritten by the refresh.
    assert kpi.values.filter(source="entered").count() == 4
