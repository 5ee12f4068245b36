"""A resident answering the published survey, without JavaScript: the Django test client."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from saferplan.consultation.models import (
    Answer,
    Channel,
    EqualityResponse,
    Option,
    Question,
    Response,
    ResponseStatus,
)
from saferplan.consultation.factories import QuestionFactory
from saferplan.consultation.testing import make_survey

pytestmark = pytest.mark.django_db


def url(survey, name, **kwargs):
    return reverse(f"public-consultation:{name}", kwargs={"partnership": survey.partnership.slug,
                                                           "survey": survey.slug, **kwargs})


def opt(survey, code, label):
    return str(Option.objects.get(question__survey=survey, question__code=code, label=label).pk)


def answer_all(client, survey, extra=None):
    """Answer every question with the first option (or a short text), as a person would."""
    answers = {
        "ward": {"answer": opt(survey, "ward", "Melton Egerton")},
        "q1": {"answer": opt(survey, "q1", "Yes")},
        "q2": {"answer": opt(survey, "q2", "No")},
        "q3": {"answer": opt(survey, "q3", "No")},
        "q4": {"answer": "Speeding on the A606 & <script>alert(1)</script>"},
        "q5": {"answer": [opt(survey, "q5", "Robbery"), opt(survey, "q5", "Burglary"), opt(survey, "q5", "Other")],
               "other": "Fly-tipping"},
        "q6": {"answer": ""},
        "q7": {"answer": [opt(survey, "q7", "Increasing CCTV")]},
        "q8": {"answer": [opt(survey, "q8", "Neighbourhood watch schemes")]},
        "q9": {"answer": [opt(survey, "q9", "Facebook"), opt(survey, "q9", "Posters")]},
    }
    answers.update(extra or {})
    for code, data in answers.items():
        response = client.post(url(survey, "question", code=code), data)
        assert response.status_code == 302, (code, response.content[:3000])
    return answers


def test_landing_page_has_the_information_pack(client, survey):
    page = client.get(survey.public_url()).content.decode()
    assert "What this consultation is for" in page and "What you can and cannot influence" in page
    assert "How the results will be used and published" in page and "Start now" in page
    assert "no-store" in client.get(survey.public_url())["Cache-Control"]


def test_a_resident_answers_checks_and_sends(client, survey):
    client.get(survey.public_url())
    answer_all(client, survey)
    check = client.get(url(survey, "check"))
    page = check.content.decode()
    assert "Melton Egerton" in page and "Other: Fly-tipping" in page
    # Everything a person typed is escaped.
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    sent = client.post(url(survey, "check"), {"website": ""})
    assert sent.status_code == 302 and sent["Location"] == url(survey, "equality")
    # Committed before any confirmation is shown.
    response = Response.objects.get(survey=survey)
    assert response.channel == Channel.ONLINE and response.status == ResponseStatus.ACCEPTED
    q5 = Answer.objects.filter(response=response, question__code="q5")
    assert sorted(a.option.label for a in q5) == ["Burglary", "Other", "Robbery"]
    assert q5.get(option__is_other=True).text == "Fly-tipping"
    assert not Answer.objects.filter(response=response, question__code="q6").exists()

    client.post(url(survey, "equality"), {"answer": "yes"})
    client.post(url(survey, "equality-questions"), {"age": "25 to 34", "sex": "Female", "religion": "Prefer not to say"})
    equality = EqualityResponse.objects.get(response=response)
    assert equality.answers == {"age": "25 to 34", "sex": "Female", "religion": "Prefer not to say"}
    done = client.get(url(survey, "done"))
    assert response.reference in done.content.decode()
    # The answers are gone from the session: a new visit starts empty.
    assert "Not answered" in client.get(url(survey, "check")).content.decode()


def test_too_many_choices_is_refused_with_the_choices_kept(client, survey):
    four = [opt(survey, "q5", label) for label in ("Robbery", "Burglary", "Theft", "Hate Crime")]
    response = client.post(url(survey, "question", code="q5"), {"answer": four})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Select no more than 3 options. You selected 4" in page
    assert page.count("checked") == 4
    assert "(error)" in page.split("</title>")[0]


def test_too_long_text_is_refused_and_kept(client, survey):
    text = "x" * 1001
    response = client.post(url(survey, "question", code="q4"), {"answer": text})
    page = response.content.decode()
    assert "Your answer must be 1,000 characters or fewer" in page and text in page
    other = client.post(url(survey, "question", code="q5"), {"answer": [opt(survey, "q5", "Other")], "other": "y" * 301})
    assert "300 characters or fewer" in other.content.decode()
    missing = client.post(url(survey, "question", code="q5"), {"answer": [opt(survey, "q5", "Other")]})
    assert "Enter what your ‘Other’ answer is" in missing.content.decode()


def test_unknown_options_are_refused(client, survey):
    response = client.post(url(survey, "question", code="q1"), {"answer": "999999"})
    assert "Select one of the options" in response.content.decode()


def test_other_text_counts_only_when_other_is_ticked(client, survey):
    # Ticked Other, typed, unticked it, chose three: the text left in the box is not a fourth choice.
    three = [opt(survey, "q5", label) for label in ("Robbery", "Burglary", "Theft")]
    r = client.post(url(survey, "question", code="q5"), {"answer": three, "other": "Speeding"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert "Speeding" not in client.get(url(survey, "check")).content.decode()
    # Alone, text without Other ticked is no answer either.
    client.post(url(survey, "question", code="q7"), {"other": "More lighting"})
    client.post(url(survey, "check"), {})
    q5 = Answer.objects.filter(question__code="q5")
    assert sorted(a.option.label for a in q5) == ["Burglary", "Robbery", "Theft"]
    assert not Answer.objects.filter(question__code="q7").exists()
    assert not Answer.objects.exclude(text="").filter(option__is_other=True).exists()
    # Ticked, the same text is saved.
    with_other = client.post(url(survey, "question", code="q5"), {"answer": three[:2] + [opt(survey, "q5", "Other")],
                                                                   "other": "Speeding"})
    assert with_other.status_code == 302


def test_routing_shows_a_question_only_after_the_answer(client, survey):
    q1 = survey.questions.get(code="q1")
    yes = q1.options.get(label="Yes")
    follow = QuestionFactory(section=q1.section, code="q1a", text="Did you report it?", type="yes_no", order=q1.order,
                             show_if_option=yes, options=["Yes", "No"])
    # Answered "No": q1a is skipped, and its address sends you on.
    r = client.post(url(survey, "question", code="q1"), {"answer": str(q1.options.get(label="No").pk)})
    assert r["Location"] == url(survey, "question", code="q2")
    assert client.get(url(survey, "question", code="q1a")).status_code == 302
    # Changed to "Yes": q1a comes next.
    r = client.post(url(survey, "question", code="q1") + "?change=1", {"answer": str(yes.pk)})
    assert r["Location"] == url(survey, "question", code="q1a")
    client.post(url(survey, "question", code="q1a"), {"answer": str(follow.options.get(label="Yes").pk)})
    # Back to "No": the hidden answer is not stored.
    client.post(url(survey, "question", code="q1") + "?change=1", {"answer": str(q1.options.get(label="No").pk)})
    client.post(url(survey, "check"), {})
    assert not Answer.objects.filter(question=follow).exists()


def test_required_questions_must_be_answered_before_sending(client, survey):
    Question.objects.filter(survey=survey, code="q1").update(required=True)
    page = client.post(url(survey, "check"), {}).content.decode()
    assert "There is a problem" in page and "Answer ‘Have you or anyone you know" in page
    assert not Response.objects.exists()
    assert "Select an answer" in client.post(url(survey, "question", code="q1"), {}).content.decode()


def test_answers_are_accepted_only_while_open(client, partnership):
    closed = make_survey(partnership, slug="closed", open_now=False)
    assert "opens on" in client.get(closed.public_url()).content.decode()
    assert client.post(url(closed, "check"), {}).status_code == 302
    assert client.post(url(closed, "question", code="q1"), {"answer": opt(closed, "q1", "Yes")}).status_code == 302
    assert not Response.objects.exists()
    draft = make_survey(partnership, slug="draft", published=False)
    assert client.get(draft.public_url()).status_code == 404


def test_csrf_is_required(survey):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url(survey, "check"), {}).status_code == 403
    assert not Response.objects.exists()


def test_honeypot_responses_are_kept_but_not_counted(client, survey):
    client.post(url(survey, "question", code="q1"), {"answer": opt(survey, "q1", "Yes")})
    client.post(url(survey, "check"), {"website": "http://spam.example"})
    response = Response.objects.get()
    assert response.status == ResponseStatus.SUSPECTED_SPAM


def test_likely_duplicates_are_flagged_never_dropped(client, survey):
    for _ in range(2):
        client.post(url(survey, "question", code="q1"), {"answer": opt(survey, "q1", "Yes")})
        client.post(url(survey, "check"), {})
    first, second = Response.objects.order_by("pk")
    assert first.status == ResponseStatus.ACCEPTED
    assert second.status == ResponseStatus.POSSIBLE_DUPLICATE and second.duplicate_of == first
    other_browser = Client(HTTP_USER_AGENT="Another browser")
    other_browser.post(url(survey, "question", code="q1"), {"answer": opt(survey, "q1", "Yes")})
    other_browser.post(url(survey, "check"), {})
    assert Response.objects.last().status == ResponseStatus.ACCEPTED


@override_settings(CONSULTATION_SUBMIT_RATE="3/h")
def test_rate_limit_per_client_keeps_the_answers(client, survey):
    for n in range(3):
        client.post(url(survey, "question", code="q2"), {"answer": opt(survey, "q2", "Yes")})
        assert client.post(url(survey, "check"), {}).status_code == 302
    client.post(url(survey, "question", code="q2"), {"answer": opt(survey, "q2", "No")})
    limited = client.post(url(survey, "check"), {})
    assert limited.status_code == 429 and "not been sent yet" in limited.content.decode()
    assert Response.objects.count() == 3
    assert "No" in client.get(url(survey, "check")).content.decode()


def test_kiosk_clears_one_persons_answers_before_the_next(client, survey, manager):
    from saferplan.partnership.testing import sign_in_verified

    sign_in_verified(client, manager)
    start = client.post(reverse("consultation:kiosk", kwargs={"slug": survey.partnership.slug, "pk": survey.pk}))
    assert start.status_code == 302 and start["Location"] == survey.public_url()
    # The officer is signed out on the tablet.
    assert client.get(reverse("consultation:index", kwargs={"slug": survey.partnership.slug})).status_code == 302
    assert "Drop-in" in client.get(survey.public_url()).content.decode()
    client.post(url(survey, "question", code="q4"), {"answer": "My neighbour at number 12 deals drugs"})
    client.post(url(survey, "check"), {})
    client.post(url(survey, "equality"), {"answer": "no"})
    done = client.get(url(survey, "done"))
    assert "Start a new response" in done.content.decode()
    response = Response.objects.get()
    assert response.channel == Channel.KIOSK
    # The next person: nothing of the previous answers, reference or session.
    check = client.get(url(survey, "check")).content.decode()
    assert "number 12" not in check and "Not answered" in check
    assert "number 12" not in client.get(url(survey, "question", code="q4")).content.decode()
    assert response.reference not in client.get(url(survey, "done")).content.decode()
    assert "Drop-in" in client.get(survey.public_url()).content.decode()


def test_kiosk_idle_answers_expire(client, survey, manager):
    from saferplan.consultation import public
    from saferplan.partnership.testing import sign_in_verified

    sign_in_verified(client, manager)
    client.post(reverse("consultation:kiosk", kwargs={"slug": survey.partnership.slug, "pk": survey.pk}))
    client.post(url(survey, "question", code="q4"), {"answer": "Left behind"})
    session = client.session
    session[public.KIOSK]["last"] = (timezone.now() - timedelta(minutes=11)).timestamp()
    session.save()
    assert "Left behind" not in client.get(url(survey, "question", code="q4")).content.decode()


def test_start_again_clears_answers(client, survey):
    client.post(url(survey, "question", code="q4"), {"answer": "Forget me"})
    client.post(url(survey, "start-again"))
    assert "Forget me" not in client.get(url(survey, "question", code="q4")).content.decode()


def test_equality_pages_without_a_response_say_so(client, survey):
    assert "There is no response to show" in client.get(url(survey, "equality")).content.decode()
    assert "There is no response to show" in client.get(url(survey, "done")).content.decode()
    client.post(url(survey, "equality-questions"), {"age": "16 to 24"})
    assert not EqualityResponse.objects.exists()


def test_public_list_of_consultations(client, survey):
    page = client.get(reverse("public-consultation:partnership", kwargs={"partnership": survey.partnership.slug}))
    assert survey.title in page.content.decode()


def test_a_blank_response_is_refused_on_check_your_answers(client, survey):
    client.get(survey.public_url())
    page = client.post(url(survey, "check"), {"website": ""})
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text and "You have not answered any questions" in text
    # Answers left empty on purpose are still no answers.
    client.post(url(survey, "question", code="q4"), {"answer": "   "})
    client.post(url(survey, "question", code="q5"), {"answer": []})
    assert "You have not answered any questions" in client.post(url(survey, "check"), {}).content.decode()
    assert not Response.objects.exists()


def test_sending_again_after_a_response_saves_nothing_new(client, survey):
    client.post(url(survey, "question", code="q1"), {"answer": opt(survey, "q1", "Yes")})
    first = client.post(url(survey, "check"), {})
    assert first.status_code == 302
    response = Response.objects.get()
    # Back to check your answers and send again (or the same form posted twice).
    for _ in range(3):
        again = client.post(url(survey, "check"), {})
        assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Response.objects.count() == 1
    assert response.reference in client.get(url(survey, "done")).content.decode()
    # A new response, answered afresh, is a new response.
    client.post(url(survey, "question", code="q1"), {"answer": opt(survey, "q1", "No")})
    client.post(url(survey, "check"), {})
    assert Response.objects.count() == 2


def test_control_characters_are_removed_from_what_residents_type(client, survey):
    client.post(url(survey, "question", code="q4"),
                {"answer": "Drug\x0b dealing\x1b[31m by the\x01 park\nEvery night\tlate\x7f"})
    client.post(url(survey, "question", code="q5"),
                {"answer": [opt(survey, "q5", "Other")], "other": "Fly\x00-tipping\non the\x0c lane"})
    client.post(url(survey, "check"), {})
    q4 = Answer.objects.get(question__code="q4")
    assert q4.text == "Drug dealing[31m by the park\nEvery night\tlate"
    assert Answer.objects.get(question__code="q5").text == "Fly-tipping on the lane"


def test_responses_with_control_characters_still_export(staff_client, survey):
    from saferplan.consultation.testing import respond

    # Stored by another way in (an import, a script) before the forms cleaned input.
    respond(survey, q4="Vertical\x0btab and escape\x1b and start\x01 of heading")
    for name, fmt in (("consultation:export", "xlsx"), ("consultation:report", "docx")):
        r = staff_client.get(reverse(name, kwargs={"slug": survey.partnership.slug, "pk": survey.pk, "fmt": fmt}))
        assert r.status_code == 200, (name, fmt)
    assert Answer.objects.get(question__code="q4").text == "Verticaltab and escape and start of heading"


def test_the_migration_cleans_answers_stored_with_control_characters(survey):
    import importlib

    from django.apps import apps

    from saferplan.consultation.testing import respond

    response = respond(survey, q4="clean", q1="Yes")
    Answer.objects.filter(question__code="q4").update(text="Bad\x0b text\x1b\nkept line")
    Response.objects.filter(pk=response.pk).update(contact_name="Ann\x01\nOther")
    migration = importlib.import_module("saferplan.consultation.migrations.0004_strip_control_characters_from_answers")
    migration.strip_control_characters(apps, None)
    assert Answer.objects.get(question__code="q4").text == "Bad text\nkept line"
    assert Response.objects.get(pk=response.pk).contact_name == "Ann Other"


def test_paper_answer_with_too_many_boxes_ticked_is_recorded_as_spoilt(staff_client, survey):
    from saferplan.consultation import analysis

    paper = reverse("consultation:paper", kwargs={"slug": survey.partnership.slug, "pk": survey.pk})
    four = [opt(survey, "q5", label) for label in ("Robbery", "Burglary", "Theft", "Hate Crime")]
    forced = staff_client.post(paper, {"q5-answer": four, "q1-answer": opt(survey, "q1", "Yes")})
    assert "mark it as spoilt" in forced.content.decode() and not Response.objects.exists()
    assert "Spoilt (more boxes ticked than allowed)" in forced.content.decode()
    saved = staff_client.post(paper, {"q5-answer": four, "q5-spoilt": "on", "q1-answer": opt(survey, "q1", "Yes")})
    assert saved.status_code == 302
    response = Response.objects.get()
    spoilt = Answer.objects.get(response=response, question__code="q5")
    assert spoilt.spoilt and spoilt.option is None
    # Kept on the response, left out of the question's counts (and its base).
    q5 = next(r for r in analysis.analyse(survey) if r.question.code == "q5")
    q1 = next(r for r in analysis.analyse(survey) if r.question.code == "q1")
    assert q5.base == 0 and all(o.count == 0 for o in q5.options) and q1.base == 1
    page = staff_client.get(response.get_absolute_url()).content.decode()
    assert "Spoilt (more boxes ticked than allowed)" in page
    # The public form offers no such thing.
    assert "spoilt" not in client_page(survey, "q5")


def client_page(survey, code):
    return Client().get(url(survey, "question", code=code)).content.decode().lower()


def test_a_blank_paper_form_is_refused(staff_client, survey):
    paper = reverse("consultation:paper", kwargs={"slug": survey.partnership.slug, "pk": survey.pk})
    page = staff_client.post(paper, {"q4-answer": "  ", "contact-contact_name": "Ann"})
    assert page.status_code == 200 and "The form has no answers" in page.content.decode()
    assert "Ann" in page.content.decode() and not Response.objects.exists()


def _csrf(html: str) -> str:
    import re

    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_of_one_session_save_exactly_one_response(live_server, partnership):
    """A double (or triple) click: the same session's answers posted at once, by real concurrent
    requests against a running server, store one response and all see the same confirmation."""
    import threading

    import requests

    survey = make_survey(partnership)
    base = live_server.url
    person = requests.Session()
    page = person.get(base + url(survey, "question", code="q1"))
    sent = person.post(base + url(survey, "question", code="q1"), allow_redirects=False,
                       data={"answer": opt(survey, "q1", "Yes"), "csrfmiddlewaretoken": _csrf(page.text)})
    assert sent.status_code == 302
    token = _csrf(person.get(base + url(survey, "check")).text)

    clicks, results, start = 3, [], threading.Barrier(3)

    def click():
        browser_tab = requests.Session()
        browser_tab.cookies.update(person.cookies)
        start.wait()
        r = browser_tab.post(base + url(survey, "check"), data={"csrfmiddlewaretoken": token, "website": ""},
                             allow_redirects=False, timeout=60)
        results.append((r.status_code, r.headers.get("Location")))

    threads = [threading.Thread(target=click) for _ in range(clicks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [(302, url(survey, "equality"))] * clicks
    assert Response.objects.filter(survey=survey).count() == 1
    response = Response.objects.get(survey=survey)
    assert Answer.objects.filter(response=response).count() == 1
    # And sending once more afterwards still stores nothing new.
    again = person.post(base + url(survey, "check"), data={"csrfmiddlewaretoken": token}, allow_redirects=False)
    assert again.status_code == 302 and Response.objects.count() == 1
    person.post(base + url(survey, "equality"), data={"csrfmiddlewaretoken": token, "answer": "no"})
    assert response.reference in person.get(base + url(survey, "done")).text


# The residents' way in -----------------------------------------------------------------------------

def _public_world(partnership):
    """Melton with an open survey (and its drop-in sessions), a closed one, a draft, a members'
    survey, and a published plan; another partnership with nothing published."""
    from datetime import time

    from saferplan.consultation.factories import EngagementEventFactory
    from saferplan.partnership.testing import make_partnership
    from saferplan.planning.testing import make_plan

    today = timezone.localdate()
    partnership.contact_email = "communitysafety@melton.example"
    partnership.contact_address = "Parkside, Station Approach\nMelton Mowbray LE13 1GH"
    partnership.data_controller = "Melton Borough Council"
    partnership.retention_period = "Contact details and equality answers are deleted 12 months after a consultation closes."
    partnership.save()
    open_survey = make_survey(partnership, purge_on=today + timedelta(days=500))
    closed = make_survey(partnership, slug="old-survey", title="Community safety survey 2021", template=None)
    closed.opens_on, closed.closes_on = today - timedelta(days=400), today - timedelta(days=300)
    closed.save()
    draft = make_survey(partnership, slug="secret-draft", title="Unpublished draft survey", published=False, template=None)
    members = make_survey(partnership, slug="members", title="Elected members survey", template=None, audience="members")
    EngagementEventFactory(survey=open_survey, date=today + timedelta(days=5), place="Melton Library, Wilton Road",
                           starts_at=time(10), ends_at=time(13, 30), participants=0)
    EngagementEventFactory(survey=open_survey, date=today - timedelta(days=5), place="Cattle market (held already)",
                           participants=40, summary="Parking")
    EngagementEventFactory(survey=open_survey, date=today + timedelta(days=6), kind="focus_group",
                           place="Invitation-only youth group", participants=0)
    EngagementEventFactory(survey=draft, date=today + timedelta(days=6), place="Draft survey session", participants=0)
    plan = make_plan(partnership, published=True)
    elsewhere = make_partnership("Rushcliffe Community Safety Partnership", "rushcliffe", ("E07000176",))
    hidden = make_survey(elsewhere, slug="hidden", title="Rushcliffe draft", published=False, template=None)
    make_plan(elsewhere, title="Rushcliffe unpublished plan", published=False)
    return {"open": open_survey, "closed": closed, "draft": draft, "members": members, "plan": plan,
            "elsewhere": elsewhere, "hidden": hidden}


def test_the_start_page_is_the_way_in_for_residents(client, partnership):
    world = _public_world(partnership)
    page = client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("public-consultation:partnership", kwargs={"partnership": "melton"}) in text
    assert reverse("public-consultation:index") in text and reverse("public-plan:index") in text
    assert reverse("sign-in") in text
    # A partnership with nothing published is not offered.
    assert world["elsewhere"].name not in text


def test_consult_lists_every_active_partnership_with_its_open_consultations(client, partnership):
    from saferplan.partnership.testing import make_partnership

    world = _public_world(partnership)
    coventry = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    make_survey(coventry, slug="coventry-2024", title="Coventry consultation 2024")
    medway = make_partnership("Medway Community Safety Partnership", "medway", ("E06000035",))
    make_survey(medway, slug="medway-2024", title="Medway consultation 2024")
    medway.suspend("Contract ended")
    text = client.get("/consult/").content.decode()
    assert "Melton Community Safety Partnership" in text and "Coventry Community Safety Partnership" in text
    assert world["open"].public_url() in text and "Coventry consultation 2024" in text
    # Every active partnership is listed, one with nothing open too; nothing unpublished shows.
    assert "Rushcliffe Community Safety Partnership" in text and "No consultation open at the moment" in text
    for absent in ("Community safety survey 2021", "Unpublished draft survey", "Elected members survey",
                   "Rushcliffe draft", "Medway"):
        assert absent not in text
    assert "3 consultations open now" in text or "2 consultations open now" in text


def test_the_partnership_public_home_shows_only_what_is_public(client, partnership):
    world = _public_world(partnership)
    text = client.get(reverse("public-consultation:partnership", kwargs={"partnership": "melton"})).content.decode()
    assert world["open"].public_url() in text and world["closed"].public_url() in text
    # Sessions still to come that anyone can attend, with place and time.
    assert "Melton Library, Wilton Road" in text and "10:00 to 13:30" in text
    for absent in ("Cattle market (held already)", "Invitation-only youth group", "Draft survey session",
                   "Unpublished draft survey", "Elected members survey"):
        assert absent not in text
    assert reverse("public-plan:plan", kwargs={"partnership": "melton"}) in text and world["plan"].title in text
    assert "communitysafety@melton.example" in text
    assert reverse("public-consultation:privacy", kwargs={"partnership": "melton"}) in text
    # The header names the partnership, not the software.
    header = text.split("</header>")[0]
    assert "Melton Community Safety Partnership" in header and ">Saferplan<" not in header
    # Another partnership with nothing published shows none of it.
    other = client.get(reverse("public-consultation:partnership", kwargs={"partnership": "rushcliffe"})).content.decode()
    assert "Rushcliffe draft" not in other and "Rushcliffe unpublished plan" not in other
    assert "has not published a plan" in other
    assert client.get("/consult/nowhere/").status_code == 404


def test_the_privacy_notice_names_controller_contact_and_retention(client, partnership):
    world = _public_world(partnership)
    privacy = reverse("public-consultation:privacy", kwargs={"partnership": "melton"})
    text = client.get(privacy).content.decode()
    assert "The data controller is Melton Borough Council" in text
    assert "communitysafety@melton.example" in text and "Melton Mowbray LE13 1GH" in text
    assert "deleted 12 months after a consultation closes" in text
    from saferplan.templatetags.govuk import uk_date

    assert uk_date(world["open"].purge_on) in text
    assert "Unpublished draft survey" not in text
    # Linked from the survey's pages, whose header names the partnership.
    landing = client.get(world["open"].public_url()).content.decode()
    assert privacy in landing and "Melton Community Safety Partnership</a>" in landing.split("</header>")[0]
    # The survey's own sessions to come are listed where residents decide whether to answer.
    assert "10:00 to 13:30: Melton Library, Wilton Road" in landing and "Cattle market" not in landing
    # A partnership that has not said who its controller is says so, rather than nothing.
    empty = client.get(reverse("public-consultation:privacy", kwargs={"partnership": "rushcliffe"})).content.decode()
    assert "has not yet named its data controller" in empty


def test_the_confirmation_and_published_plan_link_to_the_public_home(client, partnership):
    world = _public_world(partnership)
    survey = world["open"]
    client.post(url(survey, "question", code="q1"), {"answer": opt(survey, "q1", "Yes")})
    client.post(url(survey, "check"), {})
    client.post(url(survey, "equality"), {"answer": "no"})
    done = client.get(url(survey, "done")).content.decode()
    home = reverse("public-consultation:partnership", kwargs={"partnership": "melton"})
    assert home in done and reverse("public-plan:plan", kwargs={"partnership": "melton"}) in done
    plan = client.get(reverse("public-plan:plan", kwargs={"partnership": "melton"})).content.decode()
    assert home in plan and "Melton Community Safety Partnership</a>" in plan.split("</header>")[0]
    assert reverse("public-consultation:index") in client.get(reverse("public-plan:index")).content.decode()


def test_a_survey_cannot_take_the_privacy_notices_address(staff_client, partnership):
    page = staff_client.post(reverse("consultation:survey-add", kwargs={"slug": partnership.slug}), {
        "title": "Privacy", "slug": "privacy", "opens_on_day": "1", "opens_on_month": "7", "opens_on_year": "2024",
        "closes_on_day": "1", "closes_on_month": "10", "closes_on_year": "2024", "template": "blank"})
    assert "is used by another page" in page.content.decode()


# Hostile input changes nothing ---------------------------------------------------------------------

def test_any_posted_input_is_accepted_whole_or_refused_by_name(partnership):
    """Fuzzing the public form: whatever is posted to a question or to check your answers, the
    answer is stored whole or refused with a message about that question, a sending stores at
    most one response (with every answer it was shown), and nothing is a server error."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from saferplan.consultation import outputs, public, services

    survey = make_survey(partnership)
    questions = list(survey.ordered_questions())
    option_ids = [str(o.pk) for q in questions for o in q.options.all()]
    hostile = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from(
        ["\x00", "\x0b\x1b\x01", "<script>alert(1)</script>", "' OR 1=1 --", "x" * 6000, "\r\n\t", "١٢٣", "-1",
         "999999999999999999999", "𝕏" * 10])
    value = st.sampled_from(option_ids) | hostile
    post = st.fixed_dictionaries({}, optional={
        "answer": value | st.lists(value, max_size=12), "other": hostile, "spoilt": st.just("on"),
        "website": hostile, "unexpected": hostile})

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(steps=st.lists(st.tuples(st.sampled_from([q.code for q in questions]), post), min_size=1, max_size=4),
           send_twice=st.booleans(), check_data=post)
    def resident(steps, send_twice, check_data):
        client = Client(HTTP_USER_AGENT="fuzz")
        for code, data in steps:
            question = next(q for q in questions if q.code == code)
            before = client.session.get(public._state_key(survey), {}).get("answers", {}).get(code)
            r = client.post(url(survey, "question", code=code), data)
            assert r.status_code in (200, 302)
            after = client.session.get(public._state_key(survey), {}).get("answers", {}).get(code)
            if r.status_code == 200:
                page = r.content.decode()
                # Refused: the error summary leads to this question's boxes, and nothing changed.
                assert "There is a problem" in page and "(error)" in page.split("</title>")[0]
                assert question.text.replace("'", "&#x27;") in page
                assert '<a href="#id_answer' in page or '<a href="#id_other' in page
                assert after == before
            else:
                assert after is not None
                if question.is_choice:
                    valid = {o.pk for o in question.options.all()}
                    assert set(after["options"]) <= valid
                    assert not question.max_choices or len(after["options"]) <= question.max_choices
                else:
                    assert len(after["text"]) <= question.max_length
        answers = dict(client.session.get(public._state_key(survey), {}).get("answers", {}))
        count = Response.objects.count()
        sends = [client.post(url(survey, "check"), check_data) for _ in range(2 if send_twice else 1)]
        assert all(s.status_code in (200, 302) for s in sends)
        saved = Response.objects.count() - count
        expected = [q.code for q in services.visible_questions(questions, answers) if not services.empty(answers.get(q.code))]
        if not expected:
            assert saved == 0 and "You have not answered any questions" in sends[0].content.decode()
            return
        assert saved == 1 and sends[0].status_code == 302
        response = Response.objects.order_by("-pk").first()
        stored = set(response.answers.values_list("question__code", flat=True))
        assert stored == set(expected)

    resident()
    # Whatever was stored can be exported.
    assert outputs.responses_xlsx(survey)[:2] == b"PK"


def test_plain_text_keeps_layout_only_where_a_box_has_lines():
    from django import forms as django_forms
    from django.http import QueryDict

    from saferplan.forms import PlainTextMixin, plain_text

    class Note(PlainTextMixin, django_forms.Form):
        title = django_forms.CharField()
        body = django_forms.CharField(widget=django_forms.Textarea)

    posted = QueryDict(mutable=True)
    posted.update({"n-title": "Park\x0b watch\nmeeting", "n-body": "Line one\x1b[0m\n\tLine two\x01"})
    form = Note(posted, prefix="n")
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"title": "Park watch meeting", "body": "Line one[0m\n\tLine two"}
    assert plain_text("\ud800a\ufffe\x7f\x85b") == "ab"


def test_every_staff_and_public_form_with_text_removes_control_characters():
    """The class of fault, not the example: any form in the service that takes typed text uses
    the one mixin, so no stage's documents (DOCX, XLSX) can be broken by what was typed."""
    import importlib
    import inspect

    from django import forms as django_forms
    from django.db import models as django_models

    from saferplan.forms import PlainTextMixin

    # Credentials are compared exactly as typed; file and folder forms carry no typed text.
    exempt = {"SignInForm", "CodeForm", "NewAccountForm", "PoliceUploadForm", "PartnerUploadForm",
              "ServerFolderForm", "ImportUploadForm"}
    missing = []
    for app in ("consultation", "planning", "partnership", "assessment"):
        module = importlib.import_module(f"saferplan.{app}.forms")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, django_forms.BaseForm) or name in exempt:
                continue
            text = any(isinstance(f, django_forms.CharField) for f in cls.base_fields.values())
            model = getattr(getattr(cls, "_meta", None), "model", None)
            if model is not None:
                text = text or any(isinstance(model._meta.get_field(f), (django_models.CharField, django_models.TextField))
                                   for f in (cls._meta.fields or []) if f in {x.name for x in model._meta.fields})
            if text and not issubclass(cls, PlainTextMixin):
                missing.append(f"{app}.{name}")
    assert not missing, missing


def test_a_paper_form_saved_twice_is_recorded_once(staff_client, survey):
    import re

    paper = reverse("consultation:paper", kwargs={"slug": survey.partnership.slug, "pk": survey.pk})
    page = staff_client.get(paper).content.decode()
    sending = re.search(r'name="sending" value="([^"]+)"', page).group(1)
    data = {"sending": sending, "q1-answer": opt(survey, "q1", "Yes")}
    first, second = staff_client.post(paper, data), staff_client.post(paper, data)
    assert first.status_code == second.status_code == 302
    assert Response.objects.filter(channel=Channel.PAPER).count() == 1
    # The next form keyed in has a token of its own.
    page = staff_client.get(paper).content.decode()
    assert re.search(r'name="sending" value="([^"]+)"', page).group(1) != sending
    staff_client.post(paper, {"sending": re.search(r'name="sending" value="([^"]+)"', page).group(1),
                              "q1-answer": opt(survey, "q1", "Yes")})
    assert Response.objects.filter(channel=Channel.PAPER).count() == 2
    # A token this service did not make is ignored rather than trusted.
    staff_client.post(paper, {"sending": "x" * 300, "q1-answer": opt(survey, "q1", "No")})
    assert Response.objects.filter(channel=Channel.PAPER).count() == 3


def test_staff_record_a_drop_in_session_to_come_and_residents_see_it(staff_client, survey, client):
    add = reverse("consultation:event-add", kwargs={"slug": survey.partnership.slug, "pk": survey.pk})
    day = timezone.localdate() + timedelta(days=10)
    data = {"date_day": day.day, "date_month": day.month, "date_year": day.year, "kind": "drop_in",
            "place": "Asfordby\x0b Library", "participants": "0", "summary": "", "starts_at": "14:00", "ends_at": "13:00"}
    refused = staff_client.post(add, data).content.decode()
    assert "The end time must be after the start time" in refused and 'value="14:00"' in refused
    assert staff_client.post(add, {**data, "ends_at": "16:30"}).status_code == 302
    home = client.get(reverse("public-consultation:partnership", kwargs={"partnership": survey.partnership.slug}))
    assert "Asfordby Library" in home.content.decode() and "14:00 to 16:30" in home.content.decode()
