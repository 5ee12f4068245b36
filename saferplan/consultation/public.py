"""The public side: a resident answers a published survey, online or on a drop-in tablet.

Answers in progress live in the person's session, one question a page (so routing needs no
JavaScript); the response is committed to the database before the confirmation is shown. Pages
are never cached, so Back after finishing shows nothing of the previous person's answers.
"""
from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _, ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from saferplan.core.prepared import PreparedQuery
from saferplan.ops.client import client_address

from . import definition, languages, services
from .forms import SPOILT, EqualityForm, QuestionForm, SubmitForm, WantEqualityForm
from .models import (
    Audience,
    Channel,
    EngagementEvent,
    EngagementEventKind,
    Question,
    Response,
    ResponseStatus,
    Survey,
)

KIOSK = "consultation:kiosk"
SUBMITTED = "consultation:submitted"
KIOSK_IDLE_SECONDS = 10 * 60
DEFAULT_RATE = "60/h"


def _state_key(survey: Survey) -> str:
    return f"consultation:{survey.pk}"


def kiosk_of(request, survey: Survey | None = None) -> dict | None:
    kiosk = request.session.get(KIOSK)
    if kiosk and (survey is None or kiosk.get("survey") == survey.pk):
        return kiosk
    return None


def start_kiosk(request, survey: Survey, by, event_id=None) -> None:
    """Turn this browser into a drop-in tablet for one survey: the staff member is signed out."""
    from django.contrib.auth import logout
    import secrets

    logout(request)  # flushes the session: nothing of the officer's stays on the tablet
    request.session[KIOSK] = {"survey": survey.pk, "by": by.pk, "event": event_id, "token": secrets.token_hex(8),
                              "last": timezone.now().timestamp()}


def _reset_for_next_person(request, kiosk: dict) -> None:
    request.session.flush()  # a new session key: the previous person's session is gone
    request.session[KIOSK] = {**kiosk, "last": timezone.now().timestamp()}


def answers_of(request, survey: Survey) -> dict:
    kiosk = kiosk_of(request, survey)
    if kiosk:
        now = timezone.now().timestamp()
        if now - kiosk.get("last", now) > KIOSK_IDLE_SECONDS:
            # Left idle mid-way: the next person must not find those answers.
            _reset_for_next_person(request, kiosk)
        else:
            request.session[KIOSK] = {**kiosk, "last": now}
    return request.session.get(_state_key(survey), {}).get("answers", {})


def save_answer(request, survey: Survey, code: str, value: dict) -> None:
    state = request.session.get(_state_key(survey), {"answers": {}})
    state["answers"][code] = value
    # Made with the first answer, before anything can be sent: every request sending these
    # answers carries the same token, and the database stores one response per token.
    state.setdefault("token", secrets.token_urlsafe(32))
    request.session[_state_key(survey)] = state


PAPER_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def new_paper_token() -> str:
    return secrets.token_urlsafe(24)


def paper_token(posted: str | None) -> str | None:
    """The paper form's token as posted, if it is one this service could have made."""
    return posted if posted and PAPER_TOKEN.fullmatch(posted) else None


def token_of(request, survey: Survey) -> str | None:
    return request.session.get(_state_key(survey), {}).get("token")


def client_key(request, survey: Survey) -> str:
    kiosk = kiosk_of(request, survey)
    if kiosk:
        return f"kiosk:{kiosk['token']}"
    return f"{client_address(request)}|{request.META.get('HTTP_USER_AGENT', '')[:300]}"


def answer_lines(question: Question, value: dict | None) -> list[str]:
    """An answer as words, for check your answers and the staff's response page."""
    if services.empty(value):
        return []
    if value.get("spoilt"):
        return [SPOILT]
    if not question.is_choice:
        return [value["text"]]
    labels = {o.pk: o for o in question.options.all()}
    lines = []
    for option_id in value.get("options", []):
        option = labels.get(int(option_id))
        if option is None:
            continue
        lines.append(f"{option.label}: {value.get('other', '')}" if option.is_other and value.get("other") else option.label)
    return lines


# Every public survey page starts here, so its SQL is compiled once, not on each page (core/prepared.py).
_PUBLISHED_SURVEY = PreparedQuery(
    lambda partnership, survey: Survey.objects.select_related("partnership").filter(
        partnership__slug=partnership, slug=survey, published=True).order_by()[:1],
    "partnership", "survey")


def published_survey_or_404(partnership: str, survey: str) -> Survey:
    """The published survey at this address, with its partnership; 404 for drafts and unknown names."""
    found = _PUBLISHED_SURVEY.first(partnership=partnership, survey=survey)
    if found is None:
        raise Http404("No such survey")
    return found


@method_decorator(never_cache, name="dispatch")
class PublicSurveyView(View):
    """Finds the published survey from the address; 404 for drafts and unknown names."""

    requires_open = True

    def dispatch(self, request, partnership, survey, *args, **kwargs):
        self.survey = published_survey_or_404(partnership, survey)
        self.partnership = self.survey.partnership
        return languages.respond(request, self.partnership, lambda: self.dispatch_in_language(request, *args, **kwargs))

    def dispatch_in_language(self, request, *args, **kwargs):
        if self.requires_open and not self.survey.is_open():
            return redirect(self.survey.public_url())
        self.language = languages.language_of(request, self.partnership)
        languages.survey_in(self.survey, self.language)
        # Built once per survey version and language and shared (definition.py): not rebuilt on every page.
        self.questions = definition.questions_of(self.survey, self.language)
        return super().dispatch(request, *args, **kwargs)

    def url(self, name, **kwargs):
        return reverse(f"public-consultation:{name}",
                       kwargs={"partnership": self.partnership.slug, "survey": self.survey.slug, **kwargs})

    def render(self, template, context=None, status=200):
        context = {"survey": self.survey, "partnership": self.partnership, "public_partnership": self.partnership,
                   "kiosk": kiosk_of(self.request, self.survey),
                   "languages": languages.switch_links(self.request, self.partnership), **(context or {})}
        # Jinja2, for these pages only: most of the public form's server time was Django's template
        # language rendering the layout (docs/adr/0025-jinja2-for-the-resident-journey.md).
        return render(self.request, f"consultation/public/{template}", context, status=status, using="jinja2")


# What residents may see of a partnership ----------------------------------------------------------
# Only what it has published: a survey for residents that is published, a plan that is published.
# Sessions residents can come to; focus groups and workshops are by invitation.
OPEN_TO_ALL = [EngagementEventKind.DROP_IN, EngagementEventKind.PUBLIC_MEETING]


def public_surveys(partnership=None):
    surveys = Survey.objects.filter(published=True).exclude(audience=Audience.MEMBERS).select_related("partnership")
    return surveys.filter(partnership=partnership) if partnership is not None else surveys


def open_surveys(today=None):
    today = today or timezone.localdate()
    return public_surveys().filter(opens_on__lte=today, closes_on__gte=today, partnership__suspended_at__isnull=True)


def coming_sessions(partnership, today=None):
    """Drop-in sessions and public meetings still to come, of the partnership's public surveys."""
    today = today or timezone.localdate()
    return (EngagementEvent.objects.filter(survey__in=public_surveys(partnership), date__gte=today,
                                           kind__in=OPEN_TO_ALL)
            .select_related("survey").order_by("date", "starts_at", "pk"))


def published_plan(partnership):
    from saferplan.planning.models import Plan

    return Plan.objects.filter(partnership=partnership, published=True).order_by("-starts_on", "-pk").first()


def public_partnerships():
    """Partnerships with something published for residents: a survey or a plan."""
    from saferplan.partnership.models import Partnership
    from saferplan.planning.models import Plan

    with_surveys = public_surveys().values("partnership")
    with_plans = Plan.objects.filter(published=True).values("partnership")
    return Partnership.objects.filter(models.Q(pk__in=with_surveys) | models.Q(pk__in=with_plans)).order_by("name")


def public_partnership_or_404(slug):
    from saferplan.partnership.models import Partnership

    return get_object_or_404(Partnership, slug=slug)


def start(request):
    """The way in for someone who is not signed in: find your partnership, or sign in as staff."""
    return render(request, "consultation/public/start.html", {
        "partnerships": public_partnerships(), "open_count": open_surveys().count()})


@never_cache
def consultations(request):
    """Every active partnership, each with its consultations open today."""
    from saferplan.partnership.models import Partnership

    by_partnership: dict = {}
    for survey in open_surveys().order_by("closes_on", "title"):
        by_partnership.setdefault(survey.partnership_id, []).append(survey)
    partnerships = Partnership.objects.filter(suspended_at__isnull=True).order_by("name")
    return render(request, "consultation/public/index.html", {
        "partnerships": [(p, by_partnership.get(p.pk, [])) for p in partnerships],
        "open_count": sum(len(v) for v in by_partnership.values())})


@method_decorator(never_cache, name="dispatch")
class PartnershipConsultations(View):
    """The partnership's public home: its consultations, sessions to come, and published plan."""

    def get(self, request, partnership):
        partnership = public_partnership_or_404(partnership)
        return languages.respond(request, partnership, lambda: self.page(request, partnership))

    def page(self, request, partnership):
        today = timezone.localdate()
        language = languages.language_of(request, partnership)
        surveys = [languages.survey_in(s, language) for s in public_surveys(partnership).order_by("-closes_on", "title")]
        sessions = list(coming_sessions(partnership, today))
        for event in sessions:
            languages.survey_in(event.survey, language)
        plan = published_plan(partnership)
        if partnership.is_suspended:
            # Closed to answers and sessions while the site operator has it suspended.
            return render(request, "consultation/public/partnership.html", {
                "public_partnership": partnership, "partnership": partnership, "suspended": True,
                "open": [], "coming": [], "closed": surveys, "sessions": [], "plan": plan,
                "you_said": plan is not None and plan.you_said.exists(),
                "languages": languages.switch_links(request, partnership)})
        return render(request, "consultation/public/partnership.html", {
            "public_partnership": partnership, "partnership": partnership,
            "open": [s for s in surveys if s.opens_on <= today <= s.closes_on],
            "coming": [s for s in surveys if s.opens_on > today],
            "closed": [s for s in surveys if s.closes_on < today],
            "sessions": sessions, "plan": plan,
            "you_said": plan is not None and plan.you_said.exists(),
            "languages": languages.switch_links(request, partnership)})


@never_cache
def privacy(request, partnership):
    """The partnership's privacy notice for consultations: who holds the data, how to ask, how long."""
    partnership = public_partnership_or_404(partnership)

    def page():
        language = languages.language_of(request, partnership)
        surveys = [languages.survey_in(s, language) for s in public_surveys(partnership).order_by("-closes_on", "title")]
        return render(request, "consultation/public/privacy.html", {
            "public_partnership": partnership, "partnership": partnership, "surveys": surveys,
            "languages": languages.switch_links(request, partnership)})
    return languages.respond(request, partnership, page)


def how_long(count: int) -> str:
    # A plural is worded here, not in the template: makemessages reads ngettext from Python, while
    # from a Jinja2 template it reads only _("...") (docs/adr/0025-jinja2-for-the-resident-journey.md).
    return ngettext(
        "It takes about 10 minutes. There is %(counter)s question; you can skip it if it is not marked as needing an answer.",
        "It takes about 10 minutes. There are %(counter)s questions; you can skip any that are not marked as needing an answer.",
        count) % {"counter": count}


class Landing(PublicSurveyView):
    requires_open = False

    def get(self, request):
        first = services.visible_questions(self.questions, answers_of(request, self.survey))
        is_open = self.survey.is_open()
        return self.render("landing.html", {
            "start_url": self.url("question", code=first[0].code) if first else self.url("check"),
            "is_open": is_open,
            "how_long": how_long(self.survey.questions.count()) if is_open else "",
            "can_influence": [line for line in self.survey.can_influence.splitlines() if line.strip()],
            "cannot_influence": [line for line in self.survey.cannot_influence.splitlines() if line.strip()],
            "sections": self.survey.sections.all(),
            "sessions": coming_sessions(self.partnership).filter(survey=self.survey),
        })


class QuestionPage(PublicSurveyView):
    def setup_question(self, code):
        self.question = next((q for q in self.questions if q.code == code), None)
        if self.question is None:
            raise Http404("No such question")
        self.answers = answers_of(self.request, self.survey)
        self.visible = services.visible_questions(self.questions, self.answers)

    def get(self, request, code):
        self.setup_question(code)
        if self.question not in self.visible:
            return redirect(self.next_url())
        form = QuestionForm(self.question, initial_value=self.answers.get(code))
        return self.page(form)

    def post(self, request, code):
        self.setup_question(code)
        if self.question not in self.visible:
            return redirect(self.next_url())
        form = QuestionForm(self.question, request.POST)
        if not form.is_valid():
            return self.page(form, status=200)
        save_answer(request, self.survey, code, form.value())
        self.answers = answers_of(request, self.survey)
        self.visible = services.visible_questions(self.questions, self.answers)
        return redirect(self.next_url(changing="change" in request.GET))

    def next_url(self, changing=False):
        after = False
        for q in self.visible:
            if after and (not changing or q.code not in self.answers):
                return self.url("question", code=q.code)
            if q.pk == self.question.pk:
                after = True
        if not after:  # this question is hidden now: go to the first unanswered visible one
            for q in self.visible:
                if q.code not in self.answers:
                    return self.url("question", code=q.code)
        return self.url("check")

    def page(self, form, status=200):
        index = self.visible.index(self.question) if self.question in self.visible else 0
        back = self.url("question", code=self.visible[index - 1].code) if index > 0 else self.survey.public_url()
        if "change" in self.request.GET:
            back = self.url("check")
        return self.render("question.html", {
            "form": form, "question": self.question, "errors": form_errors(form), "back_url": back,
            "caption": _("%(section)s: question %(number)s of %(total)s") % {
                "section": self.question.section.title, "number": index + 1, "total": len(self.visible)},
        }, status=status)


def form_errors(form) -> list[dict]:
    from .forms import error_list

    return error_list(form)


class CheckAnswers(PublicSurveyView):
    def rows(self, answers):
        return [{"question": q, "lines": answer_lines(q, answers.get(q.code)),
                 "change_url": self.url("question", code=q.code) + "?change=1"}
                for q in services.visible_questions(self.questions, answers)]

    def get(self, request):
        answers = answers_of(request, self.survey)
        return self.render("check.html", {"rows": self.rows(answers), "form": SubmitForm(), "errors": []})

    def post(self, request):
        answers = answers_of(request, self.survey)
        form = SubmitForm(request.POST)
        form.is_valid()
        token = token_of(request, self.survey)
        submitted = _submitted(request, self.survey)
        if submitted and (not token or submitted.get("token") == token):
            # Sent already (a second click, Back then send again): the same confirmation, nothing new.
            return redirect(self.after_sending())
        missing = [q for q in services.visible_questions(self.questions, answers)
                   if q.required and services.empty(answers.get(q.code))]
        errors = [{"href": self.url("question", code=q.code) + "?change=1",
                   "message": _("Answer ‘%(question)s’") % {"question": q.text}} for q in missing]
        if not errors and services.blank(self.questions, answers):
            errors = [{"href": self.url("question", code=self.questions[0].code) if self.questions else "",
                       "message": _("You have not answered any questions. Answer at least one question before sending")}]
        if errors:
            return self.render("check.html", {"rows": self.rows(answers), "form": SubmitForm(), "errors": errors})
        kiosk = kiosk_of(request, self.survey)
        if not kiosk and self.rate_limited(request):
            return self.render("rate_limited.html", status=429)
        honeypot = bool(form.cleaned_data.get("website")) if form.is_valid() else True
        response = services.record(self.survey, services.Submission(
            answers=answers, channel=Channel.KIOSK if kiosk else Channel.ONLINE,
            client_key=client_key(request, self.survey),
            status=ResponseStatus.SUSPECTED_SPAM if honeypot else ResponseStatus.ACCEPTED,
            review_note="The hidden box that only software fills in was filled in" if honeypot else "",
            extra={"event_id": kiosk.get("event")} if kiosk and kiosk.get("event") else {}, token=token,
        ), questions=self.questions)
        # Committed: only now is the person told it has been received.
        request.session.pop(_state_key(self.survey), None)
        request.session[SUBMITTED] = {"survey": self.survey.pk, "response": response.pk,
                                      "reference": response.reference, "token": token}
        return redirect(self.after_sending())

    def after_sending(self) -> str:
        return self.url("equality") if self.survey.equality_monitoring else self.url("done")

    def rate_limited(self, request) -> bool:
        from django_ratelimit.core import is_ratelimited

        rate = getattr(settings, "CONSULTATION_SUBMIT_RATE", DEFAULT_RATE)
        if not rate:
            return False
        return is_ratelimited(request, group="consultation-submit", key="ip", rate=rate, method="POST", increment=True)


def _submitted(request, survey) -> dict | None:
    submitted = request.session.get(SUBMITTED)
    return submitted if submitted and submitted.get("survey") == survey.pk else None


class EqualityStart(PublicSurveyView):
    requires_open = False

    def get(self, request):
        if not _submitted(request, self.survey) or not self.survey.equality_monitoring:
            return self.render("nothing_submitted.html")
        return self.render("equality_start.html", {"form": WantEqualityForm(), "errors": []})

    def post(self, request):
        if not _submitted(request, self.survey) or not self.survey.equality_monitoring:
            return self.render("nothing_submitted.html")
        form = WantEqualityForm(request.POST)
        if not form.is_valid():
            return self.render("equality_start.html", {"form": form, "errors": form_errors(form)})
        if form.cleaned_data["answer"] == "yes":
            return redirect(self.url("equality-questions"))
        return redirect(self.url("done"))


class EqualityQuestions(PublicSurveyView):
    requires_open = False

    def get(self, request):
        if not _submitted(request, self.survey) or not self.survey.equality_monitoring:
            return self.render("nothing_submitted.html")
        return self.render("equality_questions.html", {"form": EqualityForm(), "errors": []})

    def post(self, request):
        submitted = _submitted(request, self.survey)
        if not submitted or not self.survey.equality_monitoring:
            return self.render("nothing_submitted.html")
        form = EqualityForm(request.POST)
        if not form.is_valid():
            return self.render("equality_questions.html", {"form": form, "errors": form_errors(form)})
        response = Response.objects.filter(pk=submitted["response"], survey=self.survey).first()
        if response is not None:
            services.record_equality(response, form.cleaned_data)
        return redirect(self.url("done"))


class Done(PublicSurveyView):
    requires_open = False

    def get(self, request):
        submitted = _submitted(request, self.survey)
        if not submitted:
            return self.render("nothing_submitted.html")
        kiosk = kiosk_of(request, self.survey)
        page = self.render("done.html", {"reference": submitted["reference"], "plan": published_plan(self.partnership)})
        if kiosk:
            # The reference is shown once; the next person starts from nothing.
            _reset_for_next_person(request, kiosk)
        return page


@require_POST
@never_cache
def start_again(request, partnership, survey):
    survey = published_survey_or_404(partnership, survey)
    kiosk = kiosk_of(request, survey)
    if kiosk:
        _reset_for_next_person(request, kiosk)
    else:
        request.session.pop(_state_key(survey), None)
        request.session.pop(SUBMITTED, None)
    return redirect(survey.public_url())

