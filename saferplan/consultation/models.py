"""The public consultation: surveys, their questions, responses from every channel, the record of
engagement events, the code frame for free text, and the retention log.

Equality answers are special category data: they live in their own table (``EqualityResponse``),
are never exported beside a response, are shown only in aggregate, and are deleted on the
survey's purge date.
"""
from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from saferplan.ops import jobs
from saferplan.partnership.models import Partnership

# Lengths every text a member of the public can send is held to.
MAX_TEXT = 5000
MAX_OTHER = 300
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone


class QuestionType(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    YES_NO = "yes_no", "Yes or no"
    SCALE = "scale", "Scale (for example very safe to very unsafe)"
    TEXT = "text", "Free text"
    AREA = "area", "Area (the partnership’s wards)"


CHOICE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.YES_NO, QuestionType.SCALE, QuestionType.AREA}
SINGLE_TYPES = {QuestionType.SINGLE, QuestionType.YES_NO, QuestionType.SCALE, QuestionType.AREA}


class Channel(models.TextChoices):
    ONLINE = "online", "Online"
    KIOSK = "kiosk", "Drop-in (tablet)"
    PAPER = "paper", "Paper"
    IMPORTED = "imported", "Imported from another platform"


class ResponseStatus(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    POSSIBLE_DUPLICATE = "possible_duplicate", "Possible duplicate: to review"
    SUSPECTED_SPAM = "suspected_spam", "Suspected automated: to review"
    EXCLUDED = "excluded", "Excluded after review"


# Responses the analysis counts: a possible duplicate counts until a person excludes it.
COUNTED = [ResponseStatus.ACCEPTED, ResponseStatus.POSSIBLE_DUPLICATE]


class Audience(models.TextChoices):
    RESIDENTS = "residents", "Residents and stakeholders"
    MEMBERS = "members", "Elected members"


class Survey(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=200)
    audience = models.CharField(
        "Who the survey is for", max_length=20, choices=Audience.choices, default=Audience.RESIDENTS,
        help_text="A survey of elected members is not listed on the public consultation page: send members its link.")
    slug = models.SlugField(max_length=80, help_text="Used in the survey’s web address, for example community-safety-2024")
    purpose = models.TextField("What the consultation is for", max_length=MAX_TEXT, blank=True)
    can_influence = models.TextField("What people can influence", max_length=MAX_TEXT, blank=True,
                                     help_text="One item a line")
    cannot_influence = models.TextField("What is fixed", max_length=MAX_TEXT, blank=True, help_text="One item a line")
    how_results_used = models.TextField("How the results will be used and published", max_length=MAX_TEXT, blank=True)
    contact = models.TextField("Contact details for questions and other formats", max_length=2000, blank=True)
    # In Welsh, for partnerships that offer their public pages in Welsh (languages.py): an empty
    # one shows the English text, so nothing is left blank for a resident who chose Welsh.
    title_cy = models.CharField("Title in Welsh", max_length=200, blank=True)
    purpose_cy = models.TextField("What the consultation is for, in Welsh", max_length=MAX_TEXT, blank=True)
    can_influence_cy = models.TextField("What people can influence, in Welsh", max_length=MAX_TEXT, blank=True,
                                        help_text="One item a line")
    cannot_influence_cy = models.TextField("What is fixed, in Welsh", max_length=MAX_TEXT, blank=True,
                                           help_text="One item a line")
    how_results_used_cy = models.TextField("How the results will be used and published, in Welsh",
                                           max_length=MAX_TEXT, blank=True)
    contact_cy = models.TextField("Contact details, in Welsh", max_length=2000, blank=True)
    opens_on = models.DateField("Opens")
    closes_on = models.DateField("Closes")
    published = models.BooleanField(default=False, help_text="Published surveys can be seen by the public.")
    equality_monitoring = models.BooleanField(
        "Ask equality monitoring questions", default=True,
        help_text="Optional questions after the response is sent, stored apart from the answers.")
    purge_on = models.DateField("Delete personal data on", null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Raised by every change to the survey's sections, questions and options (definition.py): the
    # public form caches those under this number, so an edit is never served from a stale copy.
    definition_version = models.PositiveIntegerField(default=1, editable=False)

    # The version is bookkeeping, not a change anyone made.
    history = HistoricalRecords(excluded_fields=["definition_version"])

    class Meta:
        ordering = ["-opens_on", "title"]
        constraints = [models.UniqueConstraint(fields=["partnership", "slug"], name="survey_slug_unique_in_partnership")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            # A survey loaded before a question was added still holds the old version: writing it
            # back would make the cached questions of that old version current again.
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "definition_version"]
        super().save(*args, **kwargs)

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "The closing date must be on or after the opening date"})
        if self.purge_on and self.closes_on and self.purge_on <= self.closes_on:
            raise ValidationError({"purge_on": "Personal data can only be deleted after the survey closes"})

    def get_absolute_url(self):
        return reverse("consultation:survey", kwargs={"slug": self.partnership.slug, "pk": self.pk})

    def public_url(self):
        return reverse("public-consultation:survey", kwargs={"partnership": self.partnership.slug, "survey": self.slug})

    def is_open(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        # A partnership the site operator has suspended takes no answers, whatever the dates say.
        return self.published and self.opens_on <= today <= self.closes_on and not self.partnership.is_suspended

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if not self.published:
            return "Draft"
        if today < self.opens_on:
            return "Scheduled"
        if today > self.closes_on:
            return "Closed"
        return "Open"

    @property
    def weeks(self) -> int:
        return ((self.closes_on - self.opens_on).days + 1) // 7

    def ordered_questions(self):
        return self.questions.select_related("section").prefetch_related("options").order_by("section__order", "order", "pk")


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    introduction = models.TextField(max_length=2000, blank=True)
    title_cy = models.CharField("Title in Welsh", max_length=200, blank=True)
    introduction_cy = models.TextField("Introduction in Welsh", max_length=2000, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40, help_text="A short name used in imports and exports, for example q5")
    text = models.CharField(max_length=500)
    hint = models.CharField(max_length=500, blank=True)
    text_cy = models.CharField("Question in Welsh", max_length=500, blank=True)
    hint_cy = models.CharField("Hint in Welsh", max_length=500, blank=True)
    type = models.CharField(max_length=20, choices=QuestionType.choices)
    required = models.BooleanField(default=False)
    max_choices = models.PositiveSmallIntegerField(
        "Most options a person may choose", null=True, blank=True, help_text="Multiple choice only; leave empty for no limit")
    allow_other = models.BooleanField("Offer “Other – please specify”", default=False)
    max_length = models.PositiveIntegerField("Longest answer (characters)", default=1000)
    order = models.PositiveIntegerField(default=0)
    show_if_option = models.ForeignKey(
        "Option", on_delete=models.SET_NULL, null=True, blank=True, related_name="dependent_questions",
        help_text="Show this question only to people who gave this answer")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique_in_survey")]

    def __str__(self):
        return f"{self.code}: {self.text}"

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def is_multiple(self) -> bool:
        return self.type == QuestionType.MULTIPLE

    def clean(self):
        if self.max_choices is not None and self.type != QuestionType.MULTIPLE:
            self.max_choices = None
        if self.max_choices == 0:
            raise ValidationError({"max_choices": "The limit must be 1 or more"})
        if self.type == QuestionType.TEXT and not (1 <= self.max_length <= MAX_TEXT):
            raise ValidationError({"max_length": f"The longest answer must be between 1 and {MAX_TEXT:,} characters"})
        if self.show_if_option_id and self.show_if_option.question.survey_id != self.survey_id:
            raise ValidationError({"show_if_option": "Choose an answer to a question in this survey"})


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=300)
    label_cy = models.CharField("Label in Welsh", max_length=300, blank=True)
    code = models.CharField(max_length=40, blank=True, help_text="An outside code, e.g. the ward's ONS code")
    order = models.PositiveIntegerField(default=0)
    is_other = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.label


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


class EngagementEventKind(models.TextChoices):
    DROP_IN = "drop_in", "Drop-in session"
    FOCUS_GROUP = "focus_group", "Focus group"
    WORKSHOP = "workshop", "Workshop"
    PUBLIC_MEETING = "public_meeting", "Public meeting"
    FORUM = "forum", "Community forum or meeting"
    ONLINE = "online", "Online session"
    PROMOTION = "promotion", "Promotion (stall, social media, mailing)"
    OTHER = "other", "Other"


class EngagementEvent(models.Model):
    """The formal record of the consultation: one row per event or period of engagement."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    # Times let a session still to come be listed for residents on the partnership's public page.
    starts_at = models.TimeField("Starts at", null=True, blank=True, help_text="For example, 10:00")
    ends_at = models.TimeField("Ends at", null=True, blank=True, help_text="For example, 13:30")
    kind = models.CharField("Type", max_length=20, choices=EngagementEventKind.choices)
    place = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True, help_text="The group or organisation met, if any")
    participants = models.PositiveIntegerField("Number of participants", help_text="0 for a session still to come")
    summary = models.TextField("Summary of feedback", max_length=MAX_TEXT, blank=True,
                               help_text="Leave empty until the session has taken place")

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.place}"


class ImportBatch(jobs.Job):
    """A CSV exported from another survey platform, mapped onto this survey's questions; checked
    and imported by the job worker (a file may hold 150,000 responses)."""

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for mapping"
        QUEUED = jobs.QUEUED, "Waiting to start"
        RUNNING = jobs.RUNNING, "Importing"
        INTERRUPTED = jobs.INTERRUPTED, "Interrupted"
        IMPORTED = "imported", "Imported"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=200)
    content = models.TextField(blank=True)  # the CSV text; emptied once imported
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.MAPPING)
    rows = models.PositiveIntegerField(default=0)
    # What the worker's check found wrong (each naming file, line, column and question): the
    # batch is back to waiting for its mapping, which the page shows with these.
    errors = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    # Back to its mapping is an end too: checked (with or without errors) and waiting for a person.
    FINISHED_STATUSES = (Status.IMPORTED, Status.MAPPING)
    SUCCEEDED_STATUS = Status.IMPORTED

    class Meta:
        ordering = ["-uploaded_at"]


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    reference = models.CharField(max_length=9, unique=True, default=new_reference)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.ACCEPTED)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    review_note = models.CharField(max_length=500, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True)  # personal data: emptied by the purge
    # Personal data, kept only until the survey's purge date.
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses")
    event = models.ForeignKey(EngagementEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses")
    # The sending's token from the person's session (online and drop-in): unique, so a double
    # click or a re-post stores one response however many requests arrive at once.
    submission_token = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # The line of the uploaded file this response came from: with the batch, unique, so that a
    # batch imported twice (two clicks, two processes) fails instead of doubling the responses.
    import_row = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Made up for the demo by a program, never the view of a real person: labelled wherever shown.
    is_example = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [
            # Covers responses per day (by_day reads it, not the table); in time order for lists.
            models.Index(fields=["survey", "submitted_at", "status", "channel"], name="response_survey_day"),
            models.Index(fields=["survey", "status"]),
        ]
        constraints = [models.UniqueConstraint(fields=["import_batch", "import_row"], name="response_once_per_import_row")]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("consultation:response", kwargs={"slug": self.survey.partnership.slug, "pk": self.pk})


class Answer(models.Model):
    """One option chosen (one row per option for multiple choice), or one text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, null=True, blank=True, related_name="answers")
    text = models.TextField(blank=True, max_length=MAX_TEXT)
    identifying = models.BooleanField(default=False, help_text="The text could identify someone: deleted on the purge date")
    # A paper answer with more boxes ticked than allowed: recorded, but no option and not counted.
    spoilt = models.BooleanField(default=False)
    # The respondent's answer to the survey's area question, copied onto each of their answers
    # when they are recorded (services.record, record_many), so that a question by area is counted
    # from one question's rows alone, without joining them to the area question's rows (ADR
    # "analysis from the answers alone"). Null: no area given (or spoilt).
    respondent_area = models.ForeignKey(Option, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", db_index=False, editable=False)
    # True on exactly one counted option row per respondent and question (the first option they
    # chose; spoilt and text rows never), set when recorded: a multiple-choice question's base,
    # overall, by area or in a cross-tabulation, is then a count of these rows, not a
    # COUNT(DISTINCT respondent) (ADR "first choice and equality columns").
    first_choice = models.BooleanField(default=False, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["response", "question"]),
            # The analysis reads answers from these two alone, never the table: counts per option
            # (and by area) in option order, and a question's answers in respondent order, so that
            # a cross-tabulation joins two questions' ranges by respondent without sorting.
            models.Index(fields=["question", "option", "spoilt", "first_choice", "respondent_area", "response"],
                         name="answer_question_option_area"),
            models.Index(fields=["question", "spoilt", "response", "option", "first_choice"],
                         name="answer_question_respondent"),
        ]


class Redaction(models.Model):
    """Personal data a member of staff removed from a free-text or "Other" answer.

    The answer's text becomes the redacted text, so every output uses it; the original is kept
    only until the survey's purge date, and only managers may read it."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="redaction")
    original = models.TextField(blank=True, max_length=MAX_TEXT)  # personal data: emptied by the purge
    kinds = models.JSONField(default=list)  # what was removed: "name", "address", "postcode", ...
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    redacted_at = models.DateTimeField(default=timezone.now)

    # Who redacted what and when is kept; the text removed is not copied into the history.
    history = HistoricalRecords(excluded_fields=["original"])

    class Meta:
        ordering = ["-redacted_at", "pk"]


def _equality_answer(code: str) -> models.GeneratedField:
    return models.GeneratedField(expression=KeyTextTransform(code, "answers"),
                                 output_field=models.CharField(max_length=200, null=True), db_persist=True)


class EqualityResponse(models.Model):
    """Equality monitoring answers: apart from the survey answers, never exported with them."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="equality_responses")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="equality")
    answers = models.JSONField(default=dict)
    # Each question's answer, kept by the database itself from ``answers`` (so every writer, bulk
    # or not, keeps them right, and the purge deletes them with the row): the analysis counts and
    # cross-tabulates these plain columns instead of reading the JSON of every row (ADR "first
    # choice and equality columns"). One per code of equality.QUESTIONS (a test checks).
    age = _equality_answer("age")
    sex = _equality_answer("sex")
    gender_identity = _equality_answer("gender_identity")
    sexual_orientation = _equality_answer("sexual_orientation")
    ethnic_group = _equality_answer("ethnic_group")
    religion = _equality_answer("religion")
    disability = _equality_answer("disability")


class Representation(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="representations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    received_on = models.DateField()
    sender_name = models.CharField("From (name)", max_length=200, blank=True)
    sender_organisation = models.CharField("On behalf of (organisation)", max_length=200, blank=True)
    sender_contact = models.CharField("Email or postal address", max_length=500, blank=True)
    text = models.TextField("Text of the representation, or a summary", max_length=20000)
    attachment = models.FileField(upload_to="consultation/representations/%Y/", blank=True, max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    # The audit history keeps no personal data, so the purge leaves none behind in it.
    history = HistoricalRecords(excluded_fields=["sender_name", "sender_contact", "attachment"])

    class Meta:
        ordering = ["received_on", "pk"]

    def __str__(self):
        who = self.sender_organisation or self.sender_name or "(name withheld)"
        return f"{self.get_kind_display()} from {who}"


class Petition(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="petitions")
    title = models.CharField(max_length=300)
    signatures = models.PositiveIntegerField()
    received_on = models.DateField()
    lead_petitioner = models.CharField(max_length=200, blank=True)
    summary = models.TextField(max_length=MAX_TEXT, blank=True)

    history = HistoricalRecords(excluded_fields=["lead_petitioner"])

    class Meta:
        ordering = ["received_on", "pk"]

    def __str__(self):
        return self.title


class ThemeSuggestion(models.Model):
    """A theme the system proposes for a free-text question: not a theme until a person accepts it."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="theme_suggestions")
    label = models.CharField(max_length=200)
    keywords = models.JSONField(default=list)
    answer_ids = models.JSONField(default=list)
    method = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUGGESTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]


class Theme(models.Model):
    """One code of the code frame for a free-text question, built and applied by staff."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    suggestion = models.ForeignKey(ThemeSuggestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answers = models.ManyToManyField(Answer, blank=True, related_name="themes")

    history = HistoricalRecords(m2m_fields=[answers])

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["question", "name"], name="theme_name_unique_in_question")]

    def __str__(self):
        return self.name


class PurgeLog(models.Model):
    """The record that a survey's personal data was deleted, and how much."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="purges")
    purged_at = models.DateTimeField(default=timezone.now)
    purged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trigger = models.CharField(max_length=20)  # "scheduled" (the command) or "manual" (a page)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-purged_at"]
