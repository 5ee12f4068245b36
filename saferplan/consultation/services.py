"""What the consultation does, whichever page, command or channel asks: record a response,
route questions, flag likely duplicates, copy a survey, purge personal data."""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from saferplan.forms import plain_text

from . import equality as equality_questions
from .models import (
    Answer,
    EqualityResponse,
    ImportBatch,
    Option,
    Petition,
    PurgeLog,
    Question,
    QuestionType,
    Redaction,
    Representation,
    Response,
    ResponseStatus,
    Section,
    Survey,
    new_reference,
)

# An answer as the form, the paper page, the importer and the session hold it:
#   {"options": [option ids], "other": "text for Other", "text": "free text"}
# or, for a paper form with more boxes ticked than allowed, {"spoilt": True}.
AnswerValue = dict


def empty(value: AnswerValue | None) -> bool:
    return not value or not (value.get("options") or (value.get("text") or "").strip() or value.get("spoilt"))


def blank(questions: list[Question], answers: dict[str, AnswerValue]) -> bool:
    """No question the person was shown has an answer: there is nothing to record."""
    return all(empty(answers.get(q.code)) for q in visible_questions(questions, answers))


def visible_questions(questions: list[Question], answers: dict[str, AnswerValue]) -> list[Question]:
    """The questions a person is shown, given their answers so far (routing: show only after X)."""
    if not any(q.show_if_option_id for q in questions):
        # Most surveys route nothing, and every public page asks: no map of options to build.
        return list(questions)
    shown: list[Question] = []
    shown_ids: set[int] = set()
    by_option: dict[int, Question] = {}
    for q in questions:
        for o in q.options.all():
            by_option[o.pk] = q
    for q in questions:
        if q.show_if_option_id:
            parent = by_option.get(q.show_if_option_id)
            if parent is None or parent.pk not in shown_ids:
                continue
            if q.show_if_option_id not in (answers.get(parent.code) or {}).get("options", []):
                continue
        shown.append(q)
        shown_ids.add(q.pk)
    return shown


def fingerprint(answers: dict[str, AnswerValue]) -> str:
    normal = {
        code: {"o": sorted(v.get("options", [])), "x": (v.get("other") or "").strip().lower(),
               "t": " ".join((v.get("text") or "").lower().split()), **({"s": True} if v.get("spoilt") else {})}
        for code, v in answers.items() if not empty(v)
    }
    return hashlib.sha256(json.dumps(normal, sort_keys=True).encode()).hexdigest()


def client_hash(key: str) -> str:
    """A keyed hash of the client (address and browser), so the raw address is never stored."""
    if not key:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def _answer_rows(questions: list[Question], answers: dict[str, AnswerValue]) -> list[Answer]:
    rows = []
    for q in visible_questions(questions, answers):
        value = answers.get(q.code)
        if empty(value):
            continue
        if value.get("spoilt") and q.is_choice:
            rows.append(Answer(question=q, spoilt=True))
            continue
        if q.is_choice:
            valid = {o.pk: o for o in q.options.all()}
            seen = set()
            if not q.is_multiple and len({int(o) for o in value.get("options", []) if int(o) in valid}) > 1:
                # Every channel gives one option here (the form, the paper page and the importer
                # refuse more); the analysis counts a respondent once per row, so refuse too.
                raise ValueError(f"Question {q.code} takes one answer, not {len(value['options'])}")
            for option_id in value.get("options", []):
                option = valid.get(int(option_id))
                if option is None or option.pk in seen:
                    continue
                seen.add(option.pk)
                # Every channel's text is made plain here too: imports and scripts bypass the forms.
                text = plain_text(value.get("other") or "", multiline=False).strip() if option.is_other else ""
                rows.append(Answer(question=q, option=option, text=text, first_choice=len(seen) == 1))
        else:
            rows.append(Answer(question=q, text=plain_text(value["text"]).strip()))
    return rows


def area_question_id(questions: list[Question]) -> int | None:
    """The survey's area question, as the analysis takes it: the first of that type made."""
    return min((q.pk for q in questions if q.type == QuestionType.AREA), default=None)


def _with_respondent_area(rows: list[Answer], area_question: int | None) -> list[Answer]:
    """Every answer row of one response carries the respondent's area (see Answer.respondent_area)."""
    area = next((row.option_id for row in rows if row.question_id == area_question and row.option_id
                 and not row.spoilt), None) if area_question else None
    for row in rows:
        row.respondent_area_id = area
    return rows


def refill_respondent_areas(survey: Survey) -> int:
    """Copy each respondent's answer to the survey's area question onto all their answers again,
    in one UPDATE: needed only when which question is the area question changes after answers
    were recorded (the signal below), and by the migration that added the column."""
    area = area_question_id(list(survey.questions.all()))
    answers = Answer.objects.filter(response__survey=survey)
    if area is None:
        return answers.exclude(respondent_area=None).update(respondent_area=None)
    chosen = (Answer.objects.filter(response=OuterRef("response"), question_id=area, spoilt=False,
                                    option__isnull=False).order_by().values("option")[:1])
    return answers.update(respondent_area=Subquery(chosen))


def _current_area_question(survey_id: int) -> int | None:
    return (Question.objects.filter(survey_id=survey_id, type=QuestionType.AREA).order_by("pk")
            .values_list("pk", flat=True).first())


def area_question_before(sender, instance: Question, **kwargs) -> None:
    instance._area_question_before = _current_area_question(instance.survey_id)


def area_question_after(sender, instance: Question, **kwargs) -> None:
    """A question was saved or deleted: if the survey's area question is now another one (its type
    changed, or the first was removed), the answers' copies of the area follow it."""
    if _current_area_question(instance.survey_id) != getattr(instance, "_area_question_before", None):
        survey = Survey.objects.filter(pk=instance.survey_id).first()
        if survey is not None:  # else the survey is being deleted with everything in it
            refill_respondent_areas(survey)


@dataclass
class Submission:
    answers: dict[str, AnswerValue]
    channel: str = "online"
    client_key: str = ""
    contact_name: str = ""
    contact_email: str = ""
    submitted_at: object = None
    status: str = ResponseStatus.ACCEPTED
    review_note: str = ""
    extra: dict = field(default_factory=dict)  # entered_by, import_batch, event
    # One token per person's session: sending it twice (a double click, a re-post) records once.
    token: str | None = None


def record(survey: Survey, submission: Submission, questions: list[Question] | None = None) -> Response:
    """Commit one response (and its answers) to the database; return it once it is stored.

    With a token, the response already stored under it is returned instead of a second one, even
    when the same token arrives in concurrent requests: the database's unique index decides (no
    lookup first: a second sending is rare, and the index refuses it either way)."""
    questions = questions if questions is not None else list(survey.ordered_questions())
    rows = _with_respondent_area(_answer_rows(questions, submission.answers), area_question_id(questions))
    print_ = fingerprint(submission.answers)
    who = client_hash(submission.client_key)
    status, note, duplicate_of = submission.status, submission.review_note, None
    if who and status == ResponseStatus.ACCEPTED:
        earlier = (Response.objects.filter(survey=survey, fingerprint=print_, client_hash=who)
                   .order_by("pk").values_list("pk", "reference").first())
        if earlier is not None:
            duplicate_of, earlier_reference = earlier
            status = ResponseStatus.POSSIBLE_DUPLICATE
            note = f"Same answers from the same device as {earlier_reference}"
    for attempt in range(5):
        reference = new_reference()
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey, channel=submission.channel, fingerprint=print_, client_hash=who,
                    status=status, review_note=note, duplicate_of_id=duplicate_of,
                    contact_name=submission.contact_name[:200], contact_email=submission.contact_email[:254],
                    submitted_at=submission.submitted_at or timezone.now(), reference=reference,
                    submission_token=submission.token, **submission.extra,
                )
                for row in rows:
                    row.response = response
                Answer.objects.bulk_create(rows)
            return response
        except IntegrityError:
            if submission.token:
                existing = Response.objects.filter(survey=survey, submission_token=submission.token).first()
                if existing is not None:  # the same sending, committed by a concurrent request
                    return existing
            # Only a clash of random references is worth another try.
            if attempt == 4 or not Response.objects.filter(reference=reference).exists():
                raise
    raise RuntimeError("unreachable")


def record_many(survey: Survey, submissions: list[Submission], batch_size: int = 2000, progress=None) -> int:
    """Commit many responses at once (imports, benchmarks): all of them or none.
    ``progress(rows)`` is told the rows stored after each chunk."""
    questions = list(survey.ordered_questions())
    area = area_question_id(questions)
    with transaction.atomic():
        for start in range(0, len(submissions), batch_size):
            chunk = submissions[start:start + batch_size]
            responses = [
                Response(survey=survey, channel=s.channel, fingerprint=fingerprint(s.answers),
                         submitted_at=s.submitted_at or timezone.now(), status=s.status,
                         review_note=s.review_note, reference=new_reference(), **s.extra)
                for s in chunk
            ]
            Response.objects.bulk_create(responses)
            rows = []
            for response, s in zip(responses, chunk):
                for row in _with_respondent_area(_answer_rows(questions, s.answers), area):
                    row.response = response
                    rows.append(row)
            Answer.objects.bulk_create(rows, batch_size=5000)
            if progress:
                progress(start + len(chunk))
    return len(submissions)


def record_equality(response: Response, data: dict) -> EqualityResponse | None:
    cleaned = equality_questions.clean_answers(data)
    if not cleaned:
        return None
    equality, _ = EqualityResponse.objects.update_or_create(
        response=response, defaults={"survey": response.survey, "answers": cleaned})
    return equality


@transaction.atomic
def copy_survey(survey: Survey, title: str, slug: str) -> Survey:
    """A new draft survey with the same information pack, sections, questions, options and routing."""
    copy = Survey.objects.create(
        partnership=survey.partnership, title=title, slug=slug, purpose=survey.purpose,
        can_influence=survey.can_influence, cannot_influence=survey.cannot_influence,
        how_results_used=survey.how_results_used, contact=survey.contact, opens_on=survey.opens_on,
        closes_on=survey.closes_on, published=False, equality_monitoring=survey.equality_monitoring,
        purge_on=survey.purge_on,
    )
    option_map: dict[int, Option] = {}
    routed: list[tuple[Question, int]] = []
    for section in survey.sections.all():
        new_section = Section.objects.create(survey=copy, title=section.title, introduction=section.introduction,
                                             order=section.order)
        for q in section.questions.all():
            new_q = Question.objects.create(
                survey=copy, section=new_section, code=q.code, text=q.text, hint=q.hint, type=q.type,
                required=q.required, max_choices=q.max_choices, allow_other=q.allow_other,
                max_length=q.max_length, order=q.order)
            for o in q.options.all():
                option_map[o.pk] = Option.objects.create(question=new_q, label=o.label, code=o.code,
                                                         order=o.order, is_other=o.is_other)
            if q.show_if_option_id:
                routed.append((new_q, q.show_if_option_id))
    for new_q, old_option in routed:
        new_q.show_if_option = option_map.get(old_option)
        new_q.save(update_fields=["show_if_option"])
    return copy


@transaction.atomic
def purge(survey: Survey, by=None, trigger: str = "manual") -> PurgeLog:
    """Delete the survey's personal data wherever a copy is: contact details, equality answers,
    identifying free text, the originals of redacted answers, uploaded import files (imported or
    not), the senders of representations and their attachments. Logged, with how much went."""
    responses = Response.objects.filter(survey=survey)
    counts = {
        "contact_details": responses.exclude(contact_name="", contact_email="").count(),
        "device_hashes": responses.exclude(client_hash="").update(client_hash=""),
        "equality_responses": EqualityResponse.objects.filter(survey=survey).delete()[0],
        "identifying_texts": Answer.objects.filter(response__survey=survey, identifying=True).exclude(text="")
        .update(text=""),
    }
    responses.exclude(contact_name="", contact_email="").update(contact_name="", contact_email="")
    # Personal data nobody redacted by hand (a name typed into "Other") goes too: masked in place.
    from .redaction import find, masked

    unreviewed = 0
    for answer in Answer.objects.filter(response__survey=survey).exclude(text="").only("pk", "text").iterator(chunk_size=2000):
        if find(answer.text):
            Answer.objects.filter(pk=answer.pk).update(text=masked(answer.text))
            unreviewed += 1
    counts["masked_texts"] = unreviewed
    counts["redaction_originals"] = (Redaction.objects.filter(answer__response__survey=survey).exclude(original="")
                                     .update(original=""))
    # An upload never mapped still holds the whole file (names, emails): it goes, whatever its state.
    counts["import_files"] = ImportBatch.objects.filter(survey=survey).exclude(content="").update(content="")
    representations = Representation.objects.filter(survey=survey)
    counts["representation_senders"] = representations.exclude(sender_name="", sender_contact="").update(
        sender_name="", sender_contact="")
    attachments = 0
    for rep in representations.exclude(attachment=""):
        rep.attachment.delete(save=False)
        Representation.objects.filter(pk=rep.pk).update(attachment="")
        attachments += 1
    counts["attachments"] = attachments
    counts["lead_petitioners"] = Petition.objects.filter(survey=survey).exclude(lead_petitioner="").update(
        lead_petitioner="")
    # Reports rendered before quote residents' words as they were.
    from saferplan.documents import stored

    from .stored_documents import keys_of

    counts["stored_reports"] = stored.forget(keys_of(survey))
    survey.purged_at = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(purged_at=survey.purged_at)
    return PurgeLog.objects.create(survey=survey, purged_by=by, trigger=trigger, counts=counts)


def clear_expired_sessions() -> None:
    """Sessions past their expiry still hold answers in progress: delete them (the scheduled purge
    runs this; Django never does on its own)."""
    from importlib import import_module

    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def purge_due(today: date | None = None) -> list[PurgeLog]:
    today = today or timezone.localdate()
    return [purge(s, trigger="scheduled")
            for s in Survey.objects.filter(purge_on__lte=today, purged_at__isnull=True)]


# The elected members' survey that partner workshops sit beside (the Coventry cycle's member survey).
MEMBERS_QUESTIONS = [
    {"title": "Priorities", "questions": [
        {"code": "m1", "type": "multiple", "max_choices": 3, "allow_other": True,
         "text": "Which three issues should the partnership’s plan focus on in your ward?",
         "options": ["Anti-social Behaviour", "Hate Crime", "Motor Vehicle Crime/theft", "Robbery", "Burglary",
                     "Theft", "Youth violence, gangs", "Violent crime", "Drugs offences", "Domestic abuse",
                     "Road safety"]},
        {"code": "m2", "type": "text", "max_length": 2000,
         "text": "What do residents raise with you most often about crime and anti-social behaviour?"},
        {"code": "m3", "type": "text", "max_length": 2000,
         "text": "Is there anything the draft priorities miss, or that the partnership should do differently?"},
    ]},
]


@transaction.atomic
def create_members_survey(partnership, today: date | None = None) -> tuple[Survey, bool]:
    """This year's elected members' survey of the partnership, as an unpublished draft open for four
    weeks; (the survey, whether it was made now). Asking again returns the one already made."""
    from . import library
    from .models import Audience

    today = today or timezone.localdate()
    slug = f"elected-members-{today.year}"
    existing = Survey.objects.filter(partnership=partnership, slug=slug).first()
    if existing is not None:
        return existing, False
    survey = Survey.objects.create(
        partnership=partnership, title=f"Elected members’ survey {today.year}", slug=slug,
        purpose="Elected members’ views on the draft priorities of the community safety plan.",
        opens_on=today, closes_on=date.fromordinal(today.toordinal() + 28), published=False,
        equality_monitoring=False, audience=Audience.MEMBERS)
    library.add_sections(survey, MEMBERS_QUESTIONS)
    return survey, True
