"""Staff pages of the consultation in a real browser, axe-core on each: the survey, paper entry,
engagement events, analysis with a cross-tabulation, themes, import and retention."""
from __future__ import annotations

import pytest

from saferplan.consultation.models import Channel, EngagementEvent, EqualityResponse, Response
from saferplan.consultation.testing import make_survey, respond
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership

from .pages import Journey, code_for_device

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_runs_the_consultation(browse):
    partnership = make_partnership()
    survey = make_survey(partnership)
    for n in range(12):
        r = respond(survey, q1="Yes" if n % 3 else "No", ward="Asfordby", q4=f"Speeding on road {n}")
        EqualityResponse.objects.create(survey=survey, response=r, answers={"age": "65 or over"})
    manager = make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    device = add_totp(manager)
    j = Journey(browse)
    j.sign_in("manager@melton.example", PASSWORD).enter_code(code_for_device(device))
    j.click_link("Consultation")
    assert j.heading() == "Public consultation"
    j.click_link(survey.title)
    assert j.heading() == survey.title

    j.click_link("Enter paper responses")
    page = browse.page
    page.get_by_role("group", name="Which ward do you live in?").get_by_label("Bottesford").check()
    page.get_by_role("group", name="Have you or anyone you know been a victim of ASB or crime in the last 12 months?").get_by_label("No").check()
    page.get_by_label("What do you think are the biggest crime and ASB issues in your neighbourhood?").fill("Parking")
    j.submit("Save and enter the next")
    assert "Paper response saved with reference" in page.locator(".govuk-notification-banner").inner_text()
    assert Response.objects.filter(channel=Channel.PAPER).count() == 1

    j.visit(survey.get_absolute_url())
    j.click_link("Engagement events (0)")
    j.click_link("Add an engagement event")
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("2024")
    page.get_by_label("Drop-in session").check()
    page.get_by_label("Place").fill("Melton Library")
    page.get_by_label("Number of participants").fill("23")
    page.get_by_label("Summary of feedback").fill("Speeding and parking near schools")
    j.submit("Save engagement event")
    assert EngagementEvent.objects.get().participants == 23

    j.visit(survey.get_absolute_url())
    j.click_link("Analysis")
    assert j.heading() == "Analysis"
    page.get_by_label("Rows").select_option("area")
    page.get_by_label("Columns").select_option("q:q1")
    j.submit("Show cross-tabulation")
    assert "<10" in page.locator(".app-crosstab").inner_text()

    j.visit(survey.get_absolute_url())
    j.click_link("Free-text themes")
    j.click_link("Build and apply themes for q4")
    j.submit("Suggest themes")
    j.visit(survey.get_absolute_url())
    j.click_link("Import responses from a CSV")
    j.visit(survey.get_absolute_url())
    j.click_link("Retention and deletion")
    j.visit(survey.get_absolute_url())
    j.click_link("Change details, dates and information pack")
    j.visit(survey.get_absolute_url())
    j.click_link("Add a question")
    j.visit(survey.get_absolute_url())
    j.click_link("Drop-in (tablet) mode")
    j.visit(survey.get_absolute_url())
    j.click_link("Review responses")
