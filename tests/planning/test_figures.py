"""Honest figures: KPI values only for ended periods of the plan, corrections with a reason, units
wherever a value or target is shown, one named public-concern source with its base, funding named
by what it is, and an equality impact assessment that is signed off and cites its own evidence."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from saferplan.consultation.testing import make_survey, respond
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, sign_in_verified
from saferplan.planning import documents, evidence_sources, services
from saferplan.planning.models import KPI, Action, CandidateIssue, KPIValue

from .test_documents import normalise, pdf_text

pytestmark = pytest.mark.django_db


def url(partnership, name, **kwargs):
    return reverse(f"planning:{name}", kwargs={"slug": partnership.slug, **kwargs})


@pytest.fixture
def on_30_november_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 30))


@pytest.fixture
def percent_kpi(plan):
    action = Action.objects.get(priority__theme__plan=plan)
    return KPI.objects.create(action=action, title="Repeat cases closed with the behaviour stopped", unit="percent",
                              baseline=Decimal("62"), target=Decimal("75"), direction="up", frequency="quarterly",
                              source="Joint Action Group case log")


def test_a_value_is_taken_only_for_an_ended_quarter_of_the_plan(manager_client, partnership, percent_kpi,
                                                                 on_30_november_2026):
    add = url(partnership, "kpi-value-add", pk=percent_kpi.pk)
    form = manager_client.get(add).content.decode()
    assert "2026-27 Q2" in form and "2026-27 Q3" not in form and "2027-28 Q4" not in form
    for period in ("2028-01-01",   # 2027-28 Q4: not yet happened
                   "2026-10-01",   # 2026-27 Q3: still running on 30 November 2026
                   "2024-04-01"):  # 2024-25 Q1: before the plan starts
        response = manager_client.post(add, {"period": period, "value": "35"})
        assert response.status_code == 200, period
        assert "Choose a reporting period that has ended and is in the plan’s period" in response.content.decode()
    assert not KPIValue.objects.filter(kpi=percent_kpi).exists()
    assert manager_client.post(add, {"period": "2026-07-01", "value": "35"}).status_code == 302
    page = manager_client.get(url(partnership, "kpi", pk=percent_kpi.pk)).content.decode()
    assert "35%" in page and "75%" in page and "62%" in page


def test_reporting_a_quarter_again_is_a_correction_with_a_reason_kept_in_history(manager_client, partnership,
                                                                                    percent_kpi, on_30_november_2026):
    add = url(partnership, "kpi-value-add", pk=percent_kpi.pk)
    manager_client.post(add, {"period": "2026-07-01", "value": "35"})
    response = manager_client.post(add, {"period": "2026-07-01", "value": "38", "note": "Recount"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026-27 Q2 already has a value (35%): give the reason for correcting it" in page
    assert 'value="38"' in page  # what the person typed is kept
    assert KPIValue.objects.get(kpi=percent_kpi).value == Decimal("35")
    response = manager_client.post(add, {"period": "2026-07-01", "value": "38", "reason": "Two cases closed late"})
    assert response.status_code == 302
    value = KPIValue.objects.get(kpi=percent_kpi)
    assert (value.value, value.correction_reason) == (Decimal("38"), "Two cases closed late")
    assert [h.value for h in value.history.order_by("history_date")] == [Decimal("35"), Decimal("38")]
    page = manager_client.get(url(partnership, "kpi", pk=percent_kpi.pk)).content.decode()
    assert "Corrected: Two cases closed late" in page


def test_units_are_shown_wherever_a_value_or_target_is(client, manager_client, partnership, plan, percent_kpi):
    action = percent_kpi.action
    page = manager_client.get(url(partnership, "action", pk=action.pk)).content.decode()
    assert "62%" in page and "75%" in page
    services.publish(plan)
    public = client.get(reverse("public-plan:plan", kwargs={"partnership": partnership.slug})).content.decode()
    assert "target: 75%" in public
    text = normalise(pdf_text(documents.plan_file(plan, "pdf"))[1])
    assert "62% 75%" in text
    assert "target: 75%" in documents.plan_on_a_page_html(plan)
    before = services.snapshot(plan)
    percent_kpi.target = Decimal("80")
    percent_kpi.save()
    changes = [d for d in services.compare(before, services.snapshot(plan)) if d.noun == "KPI"]
    assert [d.fields for d in changes] == [[("Target", "75%", "80%")]]


def _two_surveys(partnership):
    """Two resident surveys with a priorities question: 12 answered the first, 8 the second."""
    first = make_survey(partnership, slug="first", title="Community safety survey 2024")
    second = make_survey(partnership, slug="second", title="Town centre survey 2025")
    for _ in range(12):
        respond(first, q5=["Burglary", "Robbery"])
    for n in range(8):
        respond(second, q5=["Anti-social Behaviour (i.e. noisy neighbours, begging, hanging around streets, minor "
                            "damage, graffiti)"] + (["Burglary"] if n < 2 else []))
    return first, second


def test_public_concern_comes_from_the_one_question_the_plan_records(manager_client, partnership, plan):
    first, second = _two_surveys(partnership)
    # Two candidates and none chosen: no source, rather than whichever has most answers.
    assert evidence_sources.concern_results(partnership) is None
    page = manager_client.get(url(partnership, "concern-source")).content.decode()
    assert "Town centre survey 2025" in page and "(8 answered)" in page and "(12 answered)" in page
    question = second.questions.get(code="q5")
    response = manager_client.post(url(partnership, "concern-source"), {"question": question.pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.concern_question_id == question.pk
    basis = " ".join(documents.evidence_basis(plan))
    assert "“Town centre survey 2025”: 8 people answered" in basis and "12" not in basis
    row = {r.issue.name: r for r in services.ranked_issues(partnership)}
    asb = row["Anti-social behaviour"].score("concern").figure
    assert asb.startswith("100.0% of the 8 respondents who answered (Town centre survey 2025: ")
    burglary = CandidateIssue.objects.get(partnership=partnership, name="Burglary")
    assert (burglary.concern_count, burglary.concern_base) == (2, 8)
    text = normalise(pdf_text(documents.plan_file(plan, "pdf"))[1])
    assert "8 people answered" in text and "12 people" not in text


def test_funding_is_named_by_what_it_is(manager_client, partnership, plan):
    action = Action.objects.get(priority__theme__plan=plan)
    page = manager_client.get(url(partnership, "action-edit", pk=action.pk)).content.decode()
    for name in ("Home Office grant", "PCC Crime Reduction Grant",
                 "Domestic Abuse Act new burdens funding (DLUHC/MHCLG)", "Council budget"):
        assert name in page
    response = manager_client.post(url(partnership, "action-edit", pk=action.pk), {
        "title": action.title, "owner": action.owner.pk, "due_on_day": 31, "due_on_month": 3, "due_on_year": 2026,
        "funding_source": "other", "funding_detail": "", "funding_amount": "500"})
    assert "Give the name of the other funding" in response.content.decode()
    manager_client.post(url(partnership, "action-edit", pk=action.pk), {
        "title": action.title, "owner": action.owner.pk, "due_on_day": 31, "due_on_month": 3, "due_on_year": 2026,
        "funding_source": "domestic_abuse", "funding_detail": "", "funding_amount": "6000"})
    snap = services.snapshot(plan)
    assert snap["funding"] == [{"source": "Domestic Abuse Act new burdens funding (DLUHC/MHCLG)", "amount": 6000}]
    response = manager_client.post(url(partnership, "kpi-add", action=action.pk), {
        "title": "Referrals", "unit": "count", "direction": "up", "frequency": "quarterly", "source": "UAVA"},
        follow=True)
    page = response.content.decode()
    assert "KPI “Referrals” has been added." in page and "Kpi" not in page


def test_a_final_equality_impact_assessment_needs_a_reference_and_sign_off(manager_client, partnership, plan):
    response = manager_client.post(url(partnership, "eia-edit"), {"status": "final"})
    page = response.content.decode()
    for message in ("Enter the assessment’s reference before marking it final",
                    "Enter the name of the person signing the assessment off before marking it final",
                    "Enter the role of the person signing the assessment off before marking it final",
                    "Enter the date the assessment was signed off before marking it final"):
        assert message in page
    plan.eia.refresh_from_db()
    assert plan.eia.status == "draft"
    response = manager_client.post(url(partnership, "eia-edit"), {
        "status": "final", "reference": "EIA/2025/014", "signed_off_by": "Jo Bloggs",
        "signed_off_role": "Director for Communities", "signed_off_on_day": 20, "signed_off_on_month": 2,
        "signed_off_on_year": 2025})
    assert response.status_code == 302
    page = manager_client.get(url(partnership, "eia")).content.decode()
    assert "EIA/2025/014" in page and "Jo Bloggs, Director for Communities, 20 February 2025" in page
    assert "Not yet written" not in page.split("Signed off")[0].split("Reference")[1]


def test_each_characteristic_cites_its_own_evidence(partnership):
    survey = make_survey(partnership, slug="profile", title="Community safety survey 2024")
    for n in range(12):
        respond(survey, q5=["Burglary"])
    from saferplan.consultation.models import EqualityResponse, Response
    for n, response in enumerate(Response.objects.filter(survey=survey)):
        EqualityResponse.objects.create(survey=survey, response=response,
                                        answers={"age": "65 or over" if n < 10 else "16 to 24", "sex": "Female"})
    by_row = {c: services.equality_evidence(partnership, c) for c in ("age_0_18", "age_19_64", "age_65", "sex",
                                                                      "marriage")}
    census = {c: next(i for i in items if i.kind == "census") for c, items in by_row.items() if c.startswith("age")}
    # The three age groups' Census figures are the area's residents split three ways (real Census 2021 data).
    counts = {c: int(i.title.split(": ")[1].split(" of ")[0].replace(",", "")) for c, i in census.items()}
    total = int(census["age_65"].title.split("area’s ")[1].split(" ")[0].replace(",", ""))
    assert sum(counts.values()) == total and all(counts.values())
    assert "aged 65 and over" in census["age_65"].title and census["age_65"].title != census["age_0_18"].title
    age = {c: next(i for i in by_row[c] if i.kind == "consultation_result") for c in ("age_65", "age_19_64")}
    # 10 of 12 are 65 or over; showing 10 with the base of 12 would reveal the suppressed 2, so neither is shown.
    assert age["age_65"].title == ("Respondents aged 65 or over: not shown (the rest of the respondents are fewer "
                                   "than 10) of the 12 who gave their age (Community safety survey 2024)")
    assert age["age_19_64"].title.startswith("Respondents aged 16 to 64: <10 of the 12")
    assert "16 to 24" not in age["age_19_64"].summary and "2 " not in age["age_19_64"].summary
    sex = next(i for i in by_row["sex"] if i.kind == "consultation_result")
    assert sex.title.startswith("Sex of the 12 respondents") and sex.url
    assert by_row["marriage"] == []  # no figures speak to it: nothing is cited for the sake of it
    keys = [i.title for items in by_row.values() for i in items]
    assert len(keys) == len(set(keys))  # no one address cited for every characteristic


def test_a_partner_officer_sees_units_on_the_values_they_report(client, partnership, percent_kpi, on_30_november_2026):
    officer = make_member(partnership, RoleKind.PARTNER_OFFICER, organisation=percent_kpi.action.owner)
    sign_in_verified(client, officer)
    page = client.get(url(partnership, "kpi-value-add", pk=percent_kpi.pk)).content.decode()
    assert "Values are in the KPI’s unit (percentage (%))" in page
