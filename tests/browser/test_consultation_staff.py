"""Staff pages of the consultation in a real browser, axe-core on each: the survey, paper entry,
engagement events, analysis with a cross-tabulation, themes, import and retention."""
from __future__ import annotations

import pytest

from saferplan.consultation.models import Channel, EngagementEvent, EqualityResponse, Response
from saferplan.consultation.testing import make_survey, respond
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership

from .pages import AnalysisPage, EngagementEventFormPage, Journey, RedactionsPage, ResponsesPage, code_for_device

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
    event = EngagementEventFormPage(j)
    event.date(20, 7, 2024)
    event.kind("Drop-in session").check()
    event.place.fill("Melton Library")
    event.participants.fill("23")
    event.summary.fill("Speeding and parking near schools")
    event.add()
    assert EngagementEvent.objects.get().participants == 23

    j.visit(survey.get_absolute_url())
    j.click_link("Analysis")
    assert j.heading() == "Analysis"
    analysis = AnalysisPage(j)
    analysis.cross_tabulate("area", "q:q1")
    assert "<10" in analysis.cross_tabulation.inner_text()

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


def test_staff_redact_personal_data_read_cross_tabs_route_questions_and_are_told_about_bad_files(browse, tmp_path):
    partnership = make_partnership()
    survey = make_survey(partnership)
    for n in range(44):
        respond(survey, q1="Yes" if n < 12 or 22 <= n < 32 else "No", ward="Asfordby" if n < 22 else "Bottesford")
    respond(survey, q5=["Other"], q5_other="John Smith at 4 Elm Road deals drugs, phone 07700 900123")
    Response.objects.filter(survey=survey).update(is_example=True)
    manager = make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    device = add_totp(manager)
    j = Journey(browse)
    page = browse.page
    j.sign_in("manager@melton.example", PASSWORD).enter_code(code_for_device(device))
    j.visit(survey.get_absolute_url())
    assert "Example data:" in page.locator(".app-example-data").inner_text()

    j.click_link("Analysis")
    assert "John Smith" not in page.content() and "[name removed]" in page.content()
    analysis = AnalysisPage(j)
    analysis.cross_tabulate("area", "q:q1")
    table = analysis.cross_tabulation.inner_text()
    assert "Column base" in table and "col " in table
    assert "Chi-squared test of independence" in page.locator("main").inner_text()

    j.visit(survey.get_absolute_url())
    j.click_link("Personal data in free text")
    assert j.heading() == "Personal data in free text"
    j.submit("Redact this answer to q5")
    assert "has been redacted" in page.locator(".govuk-notification-banner").inner_text()
    assert "John Smith at 4 Elm Road" in RedactionsPage(j).redacted.inner_text()  # the manager sees the original

    j.visit(survey.get_absolute_url())
    j.click_link("Review responses")
    responses = ResponsesPage(j).responses
    assert "Example data" in responses.inner_text()
    responses.get_by_role("link").first.click()
    page.wait_for_load_state("load")
    browse.axe()
    assert "made up by a program" in page.locator("main").inner_text()
    for link in ("Emails and letters (0)", "Petitions (0)"):
        j.visit(survey.get_absolute_url())
        j.click_link(link)
        assert "Example data:" in page.locator(".app-example-data").inner_text()

    j.visit(survey.get_absolute_url())
    j.click_link("Add a question")
    assert page.locator('select[name="show_if_option"] optgroup').count() >= 5

    j.visit(survey.get_absolute_url())
    j.click_link("Import responses from a CSV")
    upload = tmp_path / "export.csv"
    upload.write_bytes("q1,q4\nYes,Speeding\n".encode("utf-16"))
    page.get_by_label("CSV file").set_input_files(str(upload))
    j.submit("Upload and match columns")
    assert any("save it as CSV UTF-8" in e for e in j.error_summary())
