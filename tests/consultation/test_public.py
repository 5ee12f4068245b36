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


def test_typing_other_text_chooses_other(client, survey):
    client.post(url(survey, "question", code="q5"), {"other": "Speeding"})
    client.post(url(survey, "check"), {})
    a = Answer.objects.get(question__code="q5")
    assert a.option.is_other and a.text == "Speeding"


def test_routing_shows_a_question_only_after_the_answer(client, survey):
    q1 = survey.questions.get(code="q1")
    yes = q1.options.get(label="Yes")
    follow = Question.objects.create(survey=survey, section=q1.section, code="q1a", text="Did you report it?",
                                     type="yes_no", order=q1.order, show_if_option=yes)
    Option.objects.create(question=follow, label="Yes", order=1)
    Option.objects.create(question=follow, label="No", order=2)
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
