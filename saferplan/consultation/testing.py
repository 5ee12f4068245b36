"""Short forms of the consultation's factories (``factories.py``), and who may GET each of its
URLs (see tests/partnership/test_permissions.py for the rules)."""
from __future__ import annotations

from django.core.files.base import ContentFile

from saferplan.partnership.models import RoleKind

from .factories import EngagementEventFactory, PetitionFactory, RepresentationFactory, ResponseFactory, SurveyFactory, by_label
from .models import ImportBatch, Survey


def make_survey(partnership, slug="community-safety-2024", template="coventry-2024", with_area=True,
                published=True, open_now=True, equality_monitoring=True, **fields) -> Survey:
    return SurveyFactory(partnership=partnership, slug=slug, template=template or "", template__with_area=with_area,
                         published=published, open_now=open_now, equality_monitoring=equality_monitoring, **fields)


def answer(survey, **by_code) -> dict:
    """Answers by label: answer(survey, q1="Yes", q5=["Robbery", "Theft"], q4="text", q5_other="...")."""
    return by_label(survey, by_code)


def respond(survey, channel="online", client_key="", **by_code):
    return ResponseFactory(survey=survey, answers=by_code, channel=channel, client_key=client_key)


# Who may GET each URL ------------------------------------------------------------------------------
_M, _A, _P, _B, _S = (RoleKind.MANAGER, RoleKind.ANALYST, RoleKind.PARTNER_OFFICER, RoleKind.BOARD_MEMBER,
                      RoleKind.SCRUTINY_MEMBER)
EVERY_ROLE = frozenset(RoleKind)
CHANGE = {_M}
ENTER = {_M, _A, _P}
RESULTS = EVERY_ROLE  # partner officers' workshops review the results too
REVIEW = {_M, _A}
HANDLE = {_M, _A}  # letters, emails and their senders: never partner officers, board or scrutiny

ACCESS = {
    "public-consultation:index": "public",
    "public-consultation:partnership": "public",
    "public-consultation:privacy": "public",
    "public-consultation:survey": "public",
    "public-consultation:question": "public",
    "public-consultation:check": "public",
    "public-consultation:equality": "public",
    "public-consultation:equality-questions": "public",
    "public-consultation:done": "public",
    "public-consultation:start-again": "post-only",
    "consultation:index": EVERY_ROLE,
    "consultation:survey-add": CHANGE,
    "consultation:survey": EVERY_ROLE,
    "consultation:survey-edit": CHANGE,
    "consultation:survey-copy": CHANGE,
    "consultation:template-add": CHANGE,
    "consultation:section-add": CHANGE,
    "consultation:section-edit": CHANGE,
    "consultation:question-add": CHANGE,
    "consultation:question-edit": CHANGE,
    "consultation:question-remove": CHANGE,
    "consultation:kiosk": ENTER,
    "consultation:paper": ENTER,
    "consultation:responses": REVIEW,
    "consultation:response": REVIEW,
    "consultation:events": EVERY_ROLE,
    "consultation:event-add": ENTER,
    "consultation:event-edit": ENTER,
    "consultation:representations": HANDLE,
    "consultation:representation-add": HANDLE,
    "consultation:representation": HANDLE,
    "consultation:representation-attachment": HANDLE,
    "consultation:petitions": EVERY_ROLE,
    "consultation:petition-add": ENTER,
    "consultation:analysis": RESULTS,
    "consultation:themes": RESULTS,
    "consultation:theme-coding": REVIEW,
    "consultation:import": REVIEW,
    "consultation:import-map": REVIEW,
    "consultation:import-status": REVIEW,
    "consultation:report": RESULTS,
    "consultation:export": REVIEW,
    "consultation:retention": CHANGE,
    "consultation:redactions": REVIEW,
}


def url_kwargs(world) -> dict[str, dict]:
    here = world["here"]
    survey = make_survey(here)
    response = respond(survey, q1="Yes", q4="Street drinking near the market")
    event = EngagementEventFactory(survey=survey, place="Library")
    rep = RepresentationFactory(survey=survey, attachment=ContentFile(b"Dear council", name="letter.txt"))
    PetitionFactory(survey=survey)
    batch = ImportBatch.objects.create(survey=survey, filename="export.csv", content="q1\nYes\n")
    question = survey.questions.get(code="q1")
    text_question = survey.questions.get(code="q4")
    # Wording still to change (a template's placeholder): the survey page lists it.
    type(text_question).objects.filter(pk=text_question.pk).update(hint="For example, near [name of the park]")
    public = {"partnership": here.slug, "survey": survey.slug}
    del response, event
    return {
        "public-consultation:partnership": {"partnership": here.slug},
        "public-consultation:privacy": {"partnership": here.slug},
        "public-consultation:survey": public,
        "public-consultation:question": {**public, "code": "q1"},
        "public-consultation:check": public,
        "public-consultation:equality": public,
        "public-consultation:equality-questions": public,
        "public-consultation:done": public,
        "public-consultation:start-again": public,
        "consultation:survey": {"pk": survey.pk},
        "consultation:survey-edit": {"pk": survey.pk},
        "consultation:survey-copy": {"pk": survey.pk},
        "consultation:template-add": {"pk": survey.pk},
        "consultation:section-add": {"pk": survey.pk},
        "consultation:section-edit": {"pk": question.section_id},
        "consultation:question-add": {"pk": survey.pk},
        "consultation:question-edit": {"pk": question.pk},
        "consultation:question-remove": {"pk": question.pk},
        "consultation:kiosk": {"pk": survey.pk},
        "consultation:paper": {"pk": survey.pk},
        "consultation:responses": {"pk": survey.pk},
        "consultation:response": {"pk": survey.responses.first().pk},
        "consultation:events": {"pk": survey.pk},
        "consultation:event-add": {"pk": survey.pk},
        "consultation:event-edit": {"pk": survey.events.first().pk},
        "consultation:representations": {"pk": survey.pk},
        "consultation:representation-add": {"pk": survey.pk},
        "consultation:representation": {"pk": rep.pk},
        "consultation:representation-attachment": {"pk": rep.pk},
        "consultation:petitions": {"pk": survey.pk},
        "consultation:petition-add": {"pk": survey.pk},
        "consultation:analysis": {"pk": survey.pk},
        "consultation:themes": {"pk": survey.pk},
        "consultation:theme-coding": {"pk": text_question.pk},
        "consultation:import": {"pk": survey.pk},
        "consultation:import-map": {"pk": batch.pk},
        "consultation:import-status": {"pk": batch.pk},
        "consultation:report": {"pk": survey.pk, "fmt": "html"},
        "consultation:export": {"pk": survey.pk, "fmt": "csv"},
        "consultation:retention": {"pk": survey.pk},
        "consultation:redactions": {"pk": survey.pk},
    }
