"""JAG tasking: place-based problems, tied to the assessment's accepted hotspots through its read
API, holding no personal data."""
from __future__ import annotations

import csv
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from saferplan.assessment.models import Finding
from saferplan.delivery.models import JagProblem
from saferplan.delivery.services import jag
from saferplan.delivery.testing import make_jag_problem
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, sign_in_verified
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.django_db


def melton_lsoas(n=2) -> list[tuple[str, str]]:
    """Real Melton LSOAs (code, name) from the ONS lookup."""
    with open(DATA_DIR / "geography" / "lsoa21_to_lad.csv", newline="", encoding="utf-8") as handle:
        rows = [(r["lsoa21_code"], r["lsoa21_name"]) for r in csv.DictReader(handle) if r["lad_code"] == "E07000133"]
    return rows[:n]


def accepted_hotspot_finding(partnership) -> Finding:
    """An accepted hotspot finding naming two real Melton LSOAs, in the shape the assessment's
    findings drafting records (``numbers.hotspots``); its z-scores are set by the test."""
    lsoas = melton_lsoas()
    return Finding.objects.create(
        partnership=partnership, period="2024-01:2024-12", key="hotspot", kind="hotspot", title="Crime hotspots",
        text="Two LSOAs are crime hotspots.", measure="gi_star", status=Finding.Status.ACCEPTED,
        numbers={"hotspots": [{"lsoa_code": code, "lsoa_name": name, "z": z, "p_sim": 0.001}
                              for (code, name), z in zip(lsoas, (4.2, 3.1))]})


def test_a_problem_links_to_an_accepted_hotspot(partnership):
    finding = accepted_hotspot_finding(partnership)
    (code, name), _ = melton_lsoas()
    choices = jag.hotspot_choices(partnership)
    assert [c.key for c in choices] == [f"{finding.pk}:{code}", f"{finding.pk}:{melton_lsoas()[1][0]}"]
    assert "January 2024 to December 2024" in choices[0].label
    problem = make_jag_problem(partnership)
    jag.save_problem(problem, choices[0].key)
    problem.refresh_from_db()
    assert (problem.lsoa_code, problem.lsoa_name, problem.finding_id) == (code, name, finding.pk)
    assert jag.linked_key(problem) == choices[0].key


def test_a_hotspot_not_accepted_cannot_be_linked(partnership):
    finding = accepted_hotspot_finding(partnership)
    Finding.objects.filter(pk=finding.pk).update(status=Finding.Status.REJECTED)
    with pytest.raises(ValidationError, match="not in the assessment’s accepted findings"):
        jag.save_problem(make_jag_problem(partnership), f"{finding.pk}:{melton_lsoas()[0][0]}")


@pytest.mark.parametrize("field, text, what", [
    ("description", "Call the resident on 07700 900123 about it", "a telephone number"),
    ("scanning", "Reported by jo.bloggs@example.com", "an email address"),
    ("analysis", "Suspect DOB 01/02/1990 seen nightly", "a date of birth"),
])
def test_personal_data_is_refused_saying_where(partnership, field, text, what):
    problem = make_jag_problem(partnership)
    setattr(problem, field, text)
    with pytest.raises(ValidationError) as refused:
        jag.save_problem(problem)
    message = refused.value.message_dict[field][0]
    assert what in message and "no personal data" in message
    assert JagProblem.objects.get(pk=problem.pk).__dict__[field] != text


def test_escalation_needs_a_reason(partnership):
    problem = make_jag_problem(partnership)
    problem.status = "escalated"
    with pytest.raises(ValidationError, match="why the problem is escalated"):
        jag.save_problem(problem)


def test_the_form_says_no_personal_data_and_keeps_what_was_typed(client, partnership, manager):
    accepted_hotspot_finding(partnership)
    make_jag_problem(partnership)  # J1
    sign_in_verified(client, manager)
    path = reverse("delivery:jag-add", kwargs={"slug": partnership.slug})
    page = client.get(path).content.decode()
    assert "not people" in page and "J2" in page
    police = partnership.organisations.get(kind="police")
    answer = client.post(path, {"reference": "J2", "title": "Car crime in the station car park",
                                "location": "Station car park", "description": "Ring 01664 502335 for the log",
                                "owner": police.pk, "status": "open", "opened_on_day": "1", "opened_on_month": "9",
                                "opened_on_year": "2025", "review_on_day": "1", "review_on_month": "12", "review_on_year": "2025"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "a telephone number" in page, page[page.find("error-summary"):][:1500]
    assert "Car crime in the station car park" in page  # kept
    assert not JagProblem.objects.filter(reference="J2").exists()


def test_a_partner_officer_reads_but_does_not_task(client, partnership):
    problem = make_jag_problem(partnership)
    officer = make_member(partnership, RoleKind.PARTNER_OFFICER)
    sign_in_verified(client, officer)
    assert client.get(problem.get_absolute_url()).status_code == 200
    edit = reverse("delivery:jag-edit", kwargs={"slug": partnership.slug, "pk": problem.pk})
    assert client.post(edit, {"title": "Changed"}).status_code == 403


def test_review_overdue_is_flagged(partnership):
    problem = make_jag_problem(partnership, review_on=date(2025, 1, 1))
    assert jag.review_overdue(problem, date(2025, 1, 2))
    problem.status = "closed"
    assert not jag.review_overdue(problem, date(2025, 1, 2))
