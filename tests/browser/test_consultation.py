"""The public consultation as residents use it: on a phone, at a drop-in tablet, and when they
break the limits. axe-core checks every page."""
from __future__ import annotations

import pytest

from saferplan.consultation.models import Channel, EqualityResponse, Response
from saferplan.consultation.testing import make_survey
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, make_member, make_partnership

from .pages import CheckAnswersPage, ConsultationsPage, Journey, QuestionPage, ResponseSentPage

pytestmark = pytest.mark.django_db(transaction=True)


class Resident(Journey):
    """A resident answering a survey: its questions are QuestionPages, then CheckAnswersPage."""

    def start(self, survey):
        self.visit(survey.public_url())
        return self.submit("Start now")

    def choose(self, *labels):
        QuestionPage(self).choose(*labels)
        return self

    def type(self, text, label=None):
        QuestionPage(self).type(text, label)
        return self

    def next(self):
        QuestionPage(self).next()
        return self


def test_a_resident_answers_on_a_phone(browse):
    browse.page.set_viewport_size({"width": 375, "height": 812})
    survey = make_survey(make_partnership())
    r = Resident(browse).start(survey)
    assert r.heading() == "Which ward do you live in?"
    # Nothing overflows sideways on a narrow screen.
    assert browse.page.evaluate("document.documentElement.scrollWidth") <= 375
    r.choose("Melton Egerton").next()
    assert r.heading().startswith("Have you or anyone you know been a victim")
    r.choose("Yes").next()
    r.choose("No").next()
    r.next()  # q3 left unanswered
    r.type("Speeding and drug dealing near the station").next()
    r.choose("Robbery", "Burglary", "Other").type("Fly-tipping", label="Please specify").next()
    r.next()  # q6
    r.choose("Increasing CCTV", "High visibility patrols by police/wardens").next()
    r.choose("Neighbourhood watch schemes").next()
    r.choose("Facebook").next()
    assert r.heading() == "Check your answers before sending your response"
    check = CheckAnswersPage(r)
    summary = check.answers.inner_text()
    assert "Other: Fly-tipping" in summary and "Not answered" in summary
    assert browse.page.evaluate("document.documentElement.scrollWidth") <= 375
    # Change an answer from the summary.
    check.change("Do you go into [town centre] on a regular basis at night/evening?").click()
    browse.page.wait_for_load_state("load")
    browse.axe()
    r.choose("Yes").next()
    assert r.heading() == "Check your answers before sending your response"
    check.send()
    response = Response.objects.get()
    assert response.channel == Channel.ONLINE
    assert r.heading() == "Equality information"
    r.choose("Yes, answer the equality questions (takes 2 minutes)").next()
    assert r.heading() == "Equality questions"
    equality = QuestionPage(r)
    equality.choose("35 to 49", group="What is your age?")
    equality.choose("Prefer not to say", group="What is your sex?")
    r.submit("Save and finish")
    assert "Response sent" in r.heading()
    assert ResponseSentPage(r).reference.inner_text() == response.reference
    assert EqualityResponse.objects.get(response=response).answers == {"age": "35 to 49", "sex": "Prefer not to say"}
    assert response.answers.filter(question__code="q3", option__label="Yes").exists()


def test_broken_limits_show_the_error_summary_and_keep_what_was_typed(browse):
    survey = make_survey(make_partnership())
    r = Resident(browse)
    r.visit(f"{survey.public_url()}questions/q5/")
    r.choose("Robbery", "Burglary", "Theft", "Hate Crime").next()
    assert "Select no more than 3 options. You selected 4" in r.error_summary()
    for label in ("Robbery", "Burglary", "Theft", "Hate Crime"):
        assert QuestionPage(r).option(label).is_checked()
    # The error summary's link takes you to the question.
    browse.page.locator(".govuk-error-summary__list a").first.click()
    assert browse.page.evaluate("document.activeElement.id") == "id_answer"

    r.visit(f"{survey.public_url()}questions/q4/")
    long_text = "The park by the river is not safe after dark. " * 25
    r.type(long_text).next()
    assert "Your answer must be 1,000 characters or fewer" in r.error_summary()
    assert QuestionPage(r).text_answer.input_value() == long_text
    assert not Response.objects.exists()


def test_drop_in_tablet_shows_the_next_person_none_of_the_previous_answers(browse):
    partnership = make_partnership()
    survey = make_survey(partnership)
    make_member(partnership, RoleKind.PARTNER_OFFICER, email="police@melton.example")
    officer = Resident(browse)
    officer.sign_in("police@melton.example", PASSWORD)
    officer.visit(f"/p/{partnership.slug}/consultation/surveys/{survey.pk}/drop-in/")
    officer.submit("Start drop-in mode on this device")
    assert officer.heading() == survey.title
    assert "This tablet is shared" in browse.page.locator(".app-kiosk-banner").inner_text()

    first = officer
    first.page.get_by_role("button", name="Start now").click()
    first.browse.axe()
    first.choose("Somerby").next()
    first.choose("Yes").next()
    first.page.goto(f"{survey.public_url()}questions/q4/")
    first.browse.axe()
    first.type("My neighbour Alan at number 12 is dealing").next()
    first.page.goto(f"{survey.public_url()}check-your-answers/")
    first.browse.axe()
    assert "number 12" in browse.page.locator(".govuk-summary-list").inner_text()
    first.submit("Send response")
    first.choose("No, skip the equality questions").next()
    reference = browse.page.locator("#reference").inner_text()
    assert Response.objects.get().channel == Channel.KIOSK

    # Going back through the browser's history shows nothing of theirs.
    for _ in range(4):
        browse.page.go_back()
        browse.page.wait_for_load_state("load")
        browse.axe()
        body = browse.page.locator("main").inner_text()
        assert "number 12" not in body and reference not in body
        assert not browse.page.locator("input:checked").count()
        if browse.page.locator("textarea").count():
            assert browse.page.locator("textarea").input_value() == ""

    # The next person starts from nothing.
    nxt = Resident(browse)
    nxt.visit(survey.public_url())
    nxt.page.get_by_role("button", name="Start now").click()
    nxt.browse.axe()
    assert not browse.page.locator("input:checked").count()
    nxt.page.goto(f"{survey.public_url()}check-your-answers/")
    nxt.browse.axe()
    summary = browse.page.locator(".govuk-summary-list").inner_text()
    assert "number 12" not in summary and "Somerby" not in summary
    # And the partnership's pages are out of reach from the tablet.
    nxt.visit(f"/p/{partnership.slug}/consultation/")
    assert nxt.heading() != "Public consultation"


WIDTHS = [(1280, 900), (390, 844)]


def _fits(browse, width):
    assert browse.page.evaluate("document.documentElement.scrollWidth") <= width, browse.page.url


@pytest.mark.parametrize("width,height", WIDTHS)
def test_a_resident_finds_their_way_in_and_back(browse, width, height):
    from tests.consultation.test_public import _public_world

    browse.page.set_viewport_size({"width": width, "height": height})
    partnership = make_partnership()
    world = _public_world(partnership)
    r = Resident(browse)
    r.visit("/")
    assert r.heading() == "Community safety: have your say"
    _fits(browse, width)
    r.click_link("Consultations open now")
    assert r.heading() == "Consultations open now"
    _fits(browse, width)
    r.click_link(partnership.name)
    assert r.heading() == partnership.name
    assert partnership.name in browse.page.locator("header").inner_text()
    assert "Melton Library, Wilton Road" in ConsultationsPage(r).sessions.inner_text()
    _fits(browse, width)
    r.page.locator("main").get_by_role("link", name="privacy notice").click()
    r.page.wait_for_load_state("load")
    browse.axe()
    assert r.heading() == "Privacy notice for consultations"
    assert "Melton Borough Council" in browse.page.locator("#data-controller").inner_text()
    _fits(browse, width)
    r.visit("/published/")
    _fits(browse, width)
    r.click_link("Consultations open now")
    assert r.heading() == "Consultations open now"
    r.visit(f"/published/{partnership.slug}/you-said-we-did/")
    assert partnership.name in browse.page.locator("header").inner_text()
    r.visit(f"/published/{partnership.slug}/")
    assert partnership.name in browse.page.locator("header").inner_text()
    r.click_link("Consultations and drop-in sessions")
    assert r.heading() == partnership.name

    # Straight to check your answers with nothing answered: refused, with a way to the questions.
    survey = world["open"]
    r.visit(survey.public_url())
    assert "Melton Library, Wilton Road" in browse.page.locator("#sessions").inner_text()
    _fits(browse, width)
    r.visit(survey.public_url() + "check-your-answers/")
    r.submit("Send response")
    assert any("You have not answered any questions" in e for e in r.error_summary())
    _fits(browse, width)
    assert not Response.objects.exists()
    r.visit(survey.public_url() + "questions/q1/")
    r.choose("Yes").next()
    r.visit(survey.public_url() + "check-your-answers/")
    r.submit("Send response")
    r.choose("No, skip the equality questions").next()
    assert "Response sent" in r.heading()
    _fits(browse, width)
    r.click_link(f"{partnership.name}: other consultations and drop-in sessions")
    assert r.heading() == partnership.name
    assert Response.objects.count() == 1


@pytest.mark.parametrize("width,height", WIDTHS)
def test_paper_entry_records_an_over_ticked_answer_as_spoilt(browse, width, height):
    browse.page.set_viewport_size({"width": width, "height": height})
    partnership = make_partnership()
    survey = make_survey(partnership)
    make_member(partnership, RoleKind.PARTNER_OFFICER, email="police@melton.example")
    officer = Resident(browse)
    officer.sign_in("police@melton.example", PASSWORD)
    officer.visit(f"/p/{partnership.slug}/consultation/surveys/{survey.pk}/paper/")
    q5 = browse.page.get_by_role("group", name=survey.questions.get(code="q5").text)
    for label in ("Robbery", "Burglary", "Theft", "Hate Crime"):
        q5.get_by_label(label, exact=True).check()
    officer.submit("Save and enter the next")
    assert any("mark it as spoilt" in e for e in officer.error_summary())
    q5 = browse.page.get_by_role("group", name=survey.questions.get(code="q5").text)
    assert q5.get_by_label("Robbery", exact=True).is_checked()  # what was entered is kept
    q5.get_by_label("Spoilt (more boxes ticked than allowed)").check()
    officer.submit("Save and enter the next")
    assert "Paper response saved" in browse.page.locator(".govuk-notification-banner").inner_text()
    answer = Response.objects.get().answers.get(question__code="q5")
    assert answer.spoilt and answer.option is None
