"""Where the partnership decides: workshops, prioritisation, the plan, its EIA and its approval.

Every decision shows the evidence behind it. Evidence is one generic kind of row (``Evidence``):
a kind, a title, an address and, where it came from an object in another stage, that object's
app label, model and key. Priorities, candidate issues, EIA rows and "You said, we did" rows all
cite evidence the same way, so nothing here depends on how the assessment or the consultation
store their own records.

The plan, its priorities, actions and KPIs keep a full audit history (django-simple-history), and
each approval step keeps a version of the whole plan (``PlanVersion.snapshot``), so any two
versions can be compared.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Organisation, Partnership, Person, SubGroup


# --- Evidence -----------------------------------------------------------------------------------


class EvidenceKind(models.TextChoices):
    FINDING = "assessment_finding", "Assessment finding"
    ASSESSMENT = "assessment_data", "Assessment data"
    CONSULTATION = "consultation_result", "Consultation result"
    WORKSHOP = "workshop_point", "Workshop point"
    PARTNER = "partner_data", "Partner data"
    CENSUS = "census", "Census figures"
    OTHER = "other", "Other evidence"


class Criterion(models.TextChoices):
    """The columns of the prioritisation matrix."""

    VOLUME = "volume", "Volume and rate"
    TREND = "trend", "Trend"
    HARM = "harm", "Harm"
    CONCERN = "concern", "Public concern"
    PARTNER = "partner", "Partner view"
    JUDGEMENT = "judgement", "Judgement"


class Evidence(models.Model):
    """One piece of evidence cited by a priority, a candidate issue, an EIA row or a "You said"."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="evidence")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(max_length=30, choices=EvidenceKind.choices, default=EvidenceKind.OTHER)
    title = models.CharField(max_length=500)
    url = models.CharField("Web address", max_length=500, blank=True)
    summary = models.TextField(blank=True, max_length=2000)
    criterion = models.CharField(max_length=20, choices=Criterion.choices, blank=True)
    # The object in another stage this came from, if any (no foreign key: stages evolve apart).
    source_app = models.CharField(max_length=50, blank=True)
    source_model = models.CharField(max_length=50, blank=True)
    source_pk = models.CharField(max_length=50, blank=True)
    # Set by a refresh from the figures (replaced at the next refresh); a person's citations are not.
    automatic = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name_plural = "evidence"

    def __str__(self):
        return self.title

    def _cited_by_frozen_plan(self) -> bool:
        # A priority's evidence is part of the adopted plan; other subjects' evidence is not.
        if not self.content_type_id or self.content_type.model_class() is not Priority:
            return False
        return Priority.objects.filter(pk=self.object_id, theme__plan__status__in=FROZEN_STATUSES).exists()

    def save(self, *args, **kwargs):
        if self._cited_by_frozen_plan():
            raise FrozenPlan(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._cited_by_frozen_plan():
            raise FrozenPlan(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)

    @property
    def source_key(self) -> str:
        return f"{self.source_app}.{self.source_model}:{self.source_pk}" if self.source_model else ""

    def source_object(self):
        """The object cited, if it still exists (None when the app or the object has gone)."""
        if not self.source_model:
            return None
        try:
            model = ContentType.objects.get_by_natural_key(self.source_app, self.source_model).model_class()
        except ContentType.DoesNotExist:
            return None
        if model is None:
            return None
        return model._default_manager.filter(pk=self.source_pk).first()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "title": self.title, "url": self.url}


# --- The plan -----------------------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    BOARD = "board", "At board sign-off"
    SCRUTINY = "scrutiny", "At scrutiny"
    CABINET = "cabinet", "At cabinet"
    COUNCIL = "council", "At full council"
    ADOPTED = "adopted", "Adopted"
    SUPERSEDED = "superseded", "Superseded"


PLAN_STATUS_ORDER = [PlanStatus.DRAFT, PlanStatus.BOARD, PlanStatus.SCRUTINY, PlanStatus.CABINET, PlanStatus.COUNCIL,
                     PlanStatus.ADOPTED]

# The only moves a plan can make. The board signs the draft off before the council's committees see
# it; not every council has a cabinet, and scrutiny may come before or be left to the annual review,
# so later committees may be reached directly; only full council adopts; any committee can refer the
# plan back to draft; an adopted plan only ever gives way to its adopted revision.
PLAN_TRANSITIONS: dict[str, frozenset[str]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.BOARD}),
    PlanStatus.BOARD: frozenset({PlanStatus.DRAFT, PlanStatus.SCRUTINY, PlanStatus.CABINET, PlanStatus.COUNCIL}),
    PlanStatus.SCRUTINY: frozenset({PlanStatus.DRAFT, PlanStatus.CABINET, PlanStatus.COUNCIL}),
    PlanStatus.CABINET: frozenset({PlanStatus.DRAFT, PlanStatus.COUNCIL}),
    PlanStatus.COUNCIL: frozenset({PlanStatus.DRAFT, PlanStatus.ADOPTED}),
    PlanStatus.ADOPTED: frozenset({PlanStatus.SUPERSEDED}),
    PlanStatus.SUPERSEDED: frozenset(),
}

FROZEN_STATUSES = frozenset({PlanStatus.ADOPTED, PlanStatus.SUPERSEDED})


class IllegalMove(ValidationError):
    """A plan asked to move where its current state does not allow."""


class FrozenPlan(ValidationError):
    """A change to a plan that has been adopted (or superseded): it is changed only by a revision."""


FROZEN_MESSAGE = ("The plan has been adopted, so it can no longer be changed: start a revision of it, which goes "
                  "through approval before it replaces the adopted plan")


STATE_NAMES = {"draft": "draft", "board": "board sign-off", "scrutiny": "scrutiny", "cabinet": "cabinet",
               "council": "full council", "adopted": "adopted", "superseded": "superseded"}
STATE_PHRASES = {"draft": "a draft", "board": "at board sign-off", "scrutiny": "at scrutiny", "cabinet": "at cabinet",
                 "council": "at full council", "adopted": "adopted", "superseded": "superseded"}


# Where the plan can be sent by a button, in the words of the button and of the version it keeps.
SENT_TO = {"board": "the board for sign-off", "scrutiny": "scrutiny", "cabinet": "cabinet", "council": "full council"}
NOT_SENT = {
    "draft": "The plan returns to draft when a committee’s decision to refer it back is recorded: record the meeting",
    "adopted": "The plan is adopted when full council’s decision to approve it is recorded: record the meeting instead",
    "superseded": "An adopted plan is superseded only when its revision is adopted",
}


def _move_message(current: str, wanted: str) -> str:
    allowed = [STATE_NAMES[s] for s in STATE_NAMES if s in PLAN_TRANSITIONS.get(current, frozenset())]
    onward = f"it can only go to {', '.join(allowed)}" if allowed else "it cannot move any more"
    return (f"The plan is {STATE_PHRASES.get(current, current)}, so it cannot go to "
            f"{STATE_NAMES.get(wanted, 'an unknown state')}: from {STATE_NAMES.get(current, current)} {onward}")


class Plan(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="plans")
    title = models.CharField(max_length=200)
    starts_on = models.DateField("Plan starts")
    ends_on = models.DateField("Plan ends")
    introduction = models.TextField(blank=True, max_length=10000,
                                    help_text="The foreword or summary the plan opens with")
    vision = models.CharField(max_length=500, blank=True, help_text="One sentence: what the plan is for")
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published = models.BooleanField(default=False, help_text="Published plans can be read by the public.")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # RESTRICT: an adopted plan cannot be deleted from under its revision, but both go together
    # (the demo rebuilding its plan, a partnership removed).
    revision_of = models.ForeignKey("self", on_delete=models.RESTRICT, null=True, blank=True, related_name="revisions",
                                    verbose_name="Revision of")
    # The consultation question the plan's public concern figures come from (chosen, never guessed:
    # two surveys' bases must not be mixed). No foreign key: the stages evolve apart.
    concern_question_id = models.PositiveBigIntegerField(null=True, blank=True)
    # What the partnership adopted, kept as it was: the ranking, the weights and the evidence basis.
    frozen = models.JSONField(default=dict, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]

    # Fields that may still change once the plan is frozen: its state and whether it is public.
    MUTABLE_WHEN_FROZEN = {"status", "published", "published_at"}

    def save(self, *args, **kwargs):
        # Checked against the row as stored, not as this object was loaded: another request may
        # have moved the plan on since.
        if self.pk:
            names = [f.attname for f in self._meta.concrete_fields]
            stored = type(self)._default_manager.filter(pk=self.pk).values(*names).first()
            if stored is not None:
                before = stored["status"]
                if self.status != before and self.status not in PLAN_TRANSITIONS.get(before, frozenset()):
                    raise IllegalMove(_move_message(before, self.status))
                if before in FROZEN_STATUSES:
                    changed = {name for name, value in stored.items() if getattr(self, name) != value}
                    if changed - self.MUTABLE_WHEN_FROZEN:
                        raise FrozenPlan(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    # --- The plan's life: the only way its status changes ---------------------------------------

    def can_move_to(self, status: str) -> bool:
        return status in PLAN_TRANSITIONS.get(self.status, frozenset())

    def move_to(self, status: str) -> None:
        if not self.can_move_to(status):
            raise IllegalMove(_move_message(self.status, status))
        self.status = status
        self.save()

    def send_to_board(self):
        self.move_to(PlanStatus.BOARD)

    def send_to_scrutiny(self):
        self.move_to(PlanStatus.SCRUTINY)

    def send_to_cabinet(self):
        self.move_to(PlanStatus.CABINET)

    def send_to_council(self):
        self.move_to(PlanStatus.COUNCIL)

    def send_to_committee(self, status: str) -> None:
        """Send the plan on to the committee ``status`` names: the only moves a person makes with a
        button. Referring back, adopting and superseding follow from a recorded decision."""
        sends = {PlanStatus.BOARD: self.send_to_board, PlanStatus.SCRUTINY: self.send_to_scrutiny,
                 PlanStatus.CABINET: self.send_to_cabinet, PlanStatus.COUNCIL: self.send_to_council}
        if status not in sends:
            raise IllegalMove(NOT_SENT.get(status, f"The plan cannot be sent to {STATE_NAMES.get(status, 'that')}"))
        sends[status]()

    def refer_back(self):
        self.move_to(PlanStatus.DRAFT)

    def adopt(self):
        self.move_to(PlanStatus.ADOPTED)

    def supersede(self):
        self.move_to(PlanStatus.SUPERSEDED)

    @property
    def editable(self) -> bool:
        return self.status not in FROZEN_STATUSES

    def check_editable(self) -> None:
        if not self.editable:
            raise FrozenPlan(FROZEN_MESSAGE)

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:index", kwargs={"slug": self.partnership.slug})

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "The plan must end after it starts"})

    @property
    def period_label(self) -> str:
        return f"{self.starts_on:%-d %B %Y} to {self.ends_on:%-d %B %Y}"

    @property
    def years_label(self) -> str:
        return f"{self.starts_on:%Y} to {self.ends_on:%Y}"

    @property
    def status_tag(self) -> str:
        return {"draft": "govuk-tag--grey", "adopted": "govuk-tag--green", "superseded": "govuk-tag--grey"}.get(
            self.status, "govuk-tag--light-blue")

    def priorities(self):
        return Priority.objects.filter(theme__plan=self)

    def actions(self):
        return Action.objects.filter(priority__theme__plan=self)

    def kpis(self):
        return KPI.objects.filter(action__priority__theme__plan=self)


class PartOfPlan(models.Model):
    """A theme, priority, action or KPI: part of the plan's structure, so frozen with it. Checked
    here, on every save and delete, so that no page, command or script can change an adopted plan."""

    plan_path = ""  # the lookup from this model to its plan's status

    class Meta:
        abstract = True

    def _plan_statuses(self) -> set[str]:
        statuses = set()
        if self.pk:
            statuses |= set(type(self)._default_manager.filter(pk=self.pk).values_list(self.plan_path, flat=True))
        try:
            statuses.add(self.plan.status)
        except ObjectDoesNotExist:
            pass
        return statuses

    def save(self, *args, **kwargs):
        if self._plan_statuses() & FROZEN_STATUSES:
            raise FrozenPlan(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._plan_statuses() & FROZEN_STATUSES:
            raise FrozenPlan(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)


class Theme(PartOfPlan):
    plan_path = "plan__status"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    order = models.PositiveIntegerField(default=0)
    # The theme of the adopted plan this one revises (so two versions can be compared item by item).
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Priority(PartOfPlan):
    plan_path = "theme__plan__status"

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=200)
    description = models.TextField("Why this is a priority", blank=True, max_length=5000)
    outcome = models.CharField("What success looks like", max_length=500, blank=True)
    issue = models.ForeignKey("CandidateIssue", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="priorities", verbose_name="Issue it answers")
    order = models.PositiveIntegerField(default=0)
    # The priority of the adopted plan this one revises.
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")

    evidence = GenericRelation(Evidence)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self):
        return self.title

    @property
    def plan(self):
        return self.theme.plan

    def get_absolute_url(self):
        return reverse("planning:priority", kwargs={"slug": self.theme.plan.partnership.slug, "pk": self.pk})


class FundingSource(models.TextChoices):
    """Where an action's money comes from, by what the funding is (a funder's name alone, such as
    "Home Office", does not say which of its grants)."""

    NONE = "", "No funding needed"
    HOME_OFFICE = "home_office", "Home Office grant"
    PCC = "pcc", "PCC Crime Reduction Grant"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic Abuse Act new burdens funding (DLUHC/MHCLG)"
    COUNCIL = "council", "Council budget"
    PARTNER = "partner", "Partner’s own budget"
    OTHER = "other", "Other funding (give its name)"


class Action(PartOfPlan):
    plan_path = "priority__theme__plan__status"

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, max_length=5000)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plan_actions",
                              verbose_name="Owner organisation")
    lead = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_actions",
                             verbose_name="Lead person")
    sub_group = models.ForeignKey(SubGroup, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="plan_actions", verbose_name="Sub-group")
    starts_on = models.DateField("Start date", null=True, blank=True)
    due_on = models.DateField("Due date")
    funding_source = models.CharField(max_length=20, choices=FundingSource.choices, blank=True)
    funding_detail = models.CharField("Funding detail", max_length=200, blank=True,
                                      help_text="For example, PCC Crime Reduction Grant 2025/26")
    funding_amount = models.DecimalField("Amount (£)", max_digits=12, decimal_places=2, null=True, blank=True,
                                         validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveIntegerField(default=0)
    # The action of the adopted plan this one revises (so delivery follows it from version to version).
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:action", kwargs={"slug": self.priority.theme.plan.partnership.slug, "pk": self.pk})

    @property
    def plan(self):
        return self.priority.theme.plan

    @property
    def funding_source_name(self) -> str:
        """The source as a funding table names it: other funding by its own name."""
        if not self.funding_source:
            return ""
        if self.funding_source == FundingSource.OTHER:
            return self.funding_detail or "Other funding"
        return self.get_funding_source_display()

    @property
    def funding_label(self) -> str:
        if not self.funding_source:
            return "None needed"
        label = self.funding_detail or self.funding_source_name
        if self.funding_amount is not None:
            return f"{label}: £{self.funding_amount:,.0f}"
        return label

    def clean(self):
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "The due date must be on or after the start date"})
        if self.funding_source == FundingSource.OTHER and not self.funding_detail.strip():
            raise ValidationError({"funding_detail": "Give the name of the other funding"})


class Direction(models.TextChoices):
    DOWN = "down", "Lower is better"
    UP = "up", "Higher is better"
    MAINTAIN = "maintain", "Keep at or near the baseline"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUALLY = "annually", "Annually"


class MeasureKind(models.TextChoices):
    NONE = "", "Not bound: values are entered"
    POLICE = "police", "Police.uk records of a category in the area"
    PARTNER = "partner", "A partner data measure in the area"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENT = "percent", "Percentage (%)"
    RATE = "rate_per_1000", "Rate per 1,000 residents"
    POUNDS = "pounds", "Pounds (£)"
    DAYS = "days", "Days"


def with_unit(value, unit: str) -> str:
    """A figure as people read it: 35% not 35, £1,200 not 1200."""
    if value is None:
        return "Not set"
    text = _number(value)
    if unit == Unit.PERCENT:
        return f"{text}%"
    if unit == Unit.POUNDS:
        return f"£{text}"
    if unit == Unit.RATE:
        return f"{text} per 1,000 residents"
    if unit == Unit.DAYS:
        return f"{text} day{'' if Decimal(value) == 1 else 's'}"
    return text


class KPI(PartOfPlan):
    plan_path = "action__priority__theme__plan__status"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="kpis")
    title = models.CharField("Indicator", max_length=300)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_period = models.CharField("Baseline period", max_length=100, blank=True,
                                       help_text="For example, year to March 2025")
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_text = models.CharField("Target (in words)", max_length=200, blank=True,
                                   help_text="If the target is not a number, for example ‘a 5% reduction’")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.DOWN)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY)
    source = models.CharField("Data source", max_length=200)
    measure_kind = models.CharField("Where the values come from", max_length=10, choices=MeasureKind.choices,
                                    blank=True)
    measure_category = models.CharField("Police.uk category", max_length=100, blank=True)
    measure_dataset = models.CharField("Partner dataset", max_length=200, blank=True)
    measure_name = models.CharField("Partner measure", max_length=200, blank=True)
    order = models.PositiveIntegerField(default=0)
    # The KPI of the adopted plan this one revises (its values carry on from that KPI's).
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "KPI"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:kpi", kwargs={"slug": self.action.priority.theme.plan.partnership.slug, "pk": self.pk})

    @property
    def plan(self):
        return self.action.priority.theme.plan

    @property
    def bound(self) -> bool:
        return bool(self.measure_kind)

    @property
    def measure_label(self) -> str:
        if self.measure_kind == MeasureKind.POLICE:
            return f"Police.uk: {self.measure_category} records in the area per {self.period_word}"
        if self.measure_kind == MeasureKind.PARTNER:
            return f"{self.measure_dataset}: {self.measure_name} in the area per {self.period_word}"
        return ""

    @property
    def period_word(self) -> str:
        return {"monthly": "month", "quarterly": "quarter", "annually": "year"}[self.frequency]

    @property
    def target_label(self) -> str:
        if self.target_text:
            return self.target_text
        return with_unit(self.target, self.unit)

    @property
    def baseline_label(self) -> str:
        if self.baseline is None:
            return "Not set"
        return with_unit(self.baseline, self.unit) + (f" ({self.baseline_period})" if self.baseline_period else "")

    def latest_value(self):
        return self.values.order_by("-period_start", "-pk").first()

    def clean(self):
        if self.measure_kind == MeasureKind.POLICE and not self.measure_category:
            raise ValidationError({"measure_category": "Choose the police.uk category the KPI counts"})
        if self.measure_kind == MeasureKind.PARTNER and not (self.measure_dataset and self.measure_name):
            raise ValidationError({"measure_name": "Give the partner dataset and measure the KPI counts"})


def _number(value) -> str:
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}".rstrip("0").rstrip(".")


class KPIValue(models.Model):
    class Source(models.TextChoices):
        ENTERED = "entered", "Entered"
        IMPORTED = "imported", "From imported data"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="values")
    period_label = models.CharField("Period", max_length=50)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    note = models.CharField(max_length=500, blank=True)
    # Why the value replaced the one first reported (the earlier value stays in the history).
    correction_reason = models.CharField("Reason for the correction", max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    entered_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period_start", "pk"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period_start"], name="one_value_per_kpi_period")]
        verbose_name = "KPI value"

    def __str__(self):
        return f"{self.kpi}: {self.period_label}"

    @property
    def value_label(self) -> str:
        return with_unit(self.value, self.kpi.unit)


# --- Workshops ----------------------------------------------------------------------------------


class Workshop(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200, help_text="For example, Public place safety and reassurance")
    sub_group = models.ForeignKey(SubGroup, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="workshops", verbose_name="Sub-group")
    theme = models.CharField(max_length=200, blank=True, help_text="For example place, victim or offender")
    held_on = models.DateField("Date")
    place = models.CharField(max_length=200, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="workshops",
                                           verbose_name="Attending organisations")
    other_attendees = models.CharField("Other attendees", max_length=500, blank=True,
                                       help_text="Organisations not in the directory, separated by commas")
    summary = models.TextField(blank=True, max_length=5000)

    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("planning:workshop", kwargs={"slug": self.partnership.slug, "pk": self.pk})

    def attendee_names(self) -> list[str]:
        names = [o.name for o in self.organisations.all()]
        names += [n.strip() for n in self.other_attendees.split(",") if n.strip()]
        return names


class PointKind(models.TextChoices):
    FINDING = "finding", "Finding reviewed"
    POINT = "point", "Point raised"
    PRIORITY = "priority", "Priority proposed"
    ACTION = "action", "Action proposed"


class WorkshopPoint(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="points")
    kind = models.CharField(max_length=10, choices=PointKind.choices)
    text = models.TextField(max_length=2000)
    issues = models.ManyToManyField("CandidateIssue", blank=True, related_name="workshop_points",
                                    verbose_name="Issues it concerns")
    # For a finding reviewed: the finding, where it came from the assessment.
    source_title = models.CharField(max_length=300, blank=True)
    source_url = models.CharField(max_length=500, blank=True)
    source_pk = models.CharField(max_length=50, blank=True)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords(m2m_fields=[issues])

    class Meta:
        ordering = ["kind", "order", "pk"]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return self.workshop.get_absolute_url() + f"#point-{self.pk}"


# --- Prioritisation -----------------------------------------------------------------------------


class CandidateIssue(models.Model):
    """An issue the partnership might make a priority, with the figures the matrix scores.

    The figures are kept here (refreshed from the assessment, the consultation and the workshops,
    or typed in where there are no data) so that the ranking can be read, and re-read, exactly as
    the partnership saw it.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="candidate_issues")
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    police_categories = models.JSONField("Police.uk categories", default=list, blank=True)
    partner_measures = models.JSONField("Partner measures", default=list, blank=True,
                                        help_text="dataset: measure, one a line")
    consultation_options = models.JSONField("Consultation options", default=list, blank=True)
    # Volume and rate
    volume = models.PositiveIntegerField("Records in the period", null=True, blank=True)
    rate = models.DecimalField("Rate per 1,000 residents a year", max_digits=10, decimal_places=2, null=True,
                               blank=True)
    # Trend
    previous_volume = models.PositiveIntegerField("Records in the previous period", null=True, blank=True)
    change_pct = models.DecimalField("Change (%)", max_digits=8, decimal_places=1, null=True, blank=True)
    significant = models.BooleanField("Change is statistically significant", null=True, blank=True)
    # Harm
    harm = models.DecimalField("Harm (CCHI days)", max_digits=14, decimal_places=1, null=True, blank=True)
    harm_share = models.DecimalField("Share of all harm (%)", max_digits=5, decimal_places=1, null=True, blank=True)
    # Public concern
    concern_pct = models.DecimalField("Respondents choosing it (%)", max_digits=5, decimal_places=1, null=True,
                                      blank=True)
    concern_count = models.PositiveIntegerField(null=True, blank=True)
    concern_base = models.PositiveIntegerField(null=True, blank=True)
    concern_source = models.CharField("Where the public concern figure comes from", max_length=500, blank=True,
                                      help_text="The survey and question, for example Community safety survey 2024: "
                                                "Which issues should be the priorities?")
    # Judgement
    judgement = models.PositiveSmallIntegerField("Judgement score", null=True, blank=True,
                                                 validators=[MaxValueValidator(5)],
                                                 help_text="0 (not a priority) to 5 (must be a priority)")
    judgement_reason = models.TextField("Reason for the judgement", blank=True, max_length=2000)
    period = models.CharField(max_length=20, blank=True, help_text="The assessment period the figures are for")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)

    evidence = GenericRelation(Evidence)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="candidate_issue_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("planning:issue", kwargs={"slug": self.partnership.slug, "pk": self.pk})


class PrioritisationWeights(models.Model):
    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="prioritisation_weights")
    volume = models.PositiveSmallIntegerField("Volume and rate", default=2, validators=[MaxValueValidator(10)])
    trend = models.PositiveSmallIntegerField("Trend", default=1, validators=[MaxValueValidator(10)])
    harm = models.PositiveSmallIntegerField("Harm", default=3, validators=[MaxValueValidator(10)])
    concern = models.PositiveSmallIntegerField("Public concern", default=2, validators=[MaxValueValidator(10)])
    partner = models.PositiveSmallIntegerField("Partner view", default=2, validators=[MaxValueValidator(10)])
    judgement = models.PositiveSmallIntegerField("Judgement", default=1, validators=[MaxValueValidator(10)])

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "prioritisation weights"

    def __str__(self):
        return f"Weights for {self.partnership}"

    def as_dict(self) -> dict[str, int]:
        return {c.value: getattr(self, c.value) for c in Criterion}


# --- Equality impact assessment -----------------------------------------------------------------


class Characteristic(models.TextChoices):
    AGE_0_18 = "age_0_18", "Age 0-18"
    AGE_19_64 = "age_19_64", "Age 19-64"
    AGE_65 = "age_65", "Age 65+"
    DISABILITY = "disability", "Disability"
    GENDER_REASSIGNMENT = "gender_reassignment", "Gender reassignment"
    MARRIAGE = "marriage", "Marriage and civil partnership"
    PREGNANCY = "pregnancy", "Pregnancy and maternity"
    RACE = "race", "Race"
    RELIGION = "religion", "Religion or belief"
    SEX = "sex", "Sex"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"


class Impact(models.TextChoices):
    POSITIVE = "positive", "Positive impact"
    NEGATIVE = "negative", "Negative impact"
    NONE = "none", "No impact"
    UNKNOWN = "unknown", "Impact not known"


class EqualityImpactAssessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="eia")
    reference = models.CharField(max_length=50, blank=True, help_text="The council’s EIA reference, if any")
    author = models.CharField(max_length=200, blank=True)
    head_of_service = models.CharField(max_length=200, blank=True)
    cabinet_member = models.CharField(max_length=200, blank=True)
    context = models.TextField("Context and background", blank=True, max_length=10000)
    baseline = models.TextField("Baseline data and information", blank=True, max_length=10000)
    health_how_reduced = models.TextField("How health inequalities will be reduced", blank=True, max_length=5000)
    health_evidence = models.TextField("Evidence showing how they will be reduced", blank=True, max_length=5000)
    health_groups = models.TextField("Groups of people who face health inequalities", blank=True, max_length=5000)
    health_improve = models.TextField("How to improve them for the groups identified", blank=True, max_length=5000)
    digital_impact = models.TextField("Impact on digital inequalities", blank=True, max_length=5000)
    digital_opportunities = models.TextField("Opportunities to reduce digital inequalities", blank=True,
                                             max_length=5000)
    monitoring = models.TextField("Monitoring and evaluation", blank=True, max_length=5000)
    staff_impact = models.TextField("Impact on council staff", blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    signed_off_by = models.CharField("Signed off by", max_length=200, blank=True)
    signed_off_role = models.CharField("Role of the person signing off", max_length=200, blank=True)
    signed_off_on = models.DateField("Date signed off", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "equality impact assessment"

    def __str__(self):
        return f"Equality impact assessment: {self.plan}"

    FINAL_NEEDS = {"reference": "Enter the assessment’s reference before marking it final",
                   "signed_off_by": "Enter the name of the person signing the assessment off before marking it final",
                   "signed_off_role": "Enter the role of the person signing the assessment off before marking it final",
                   "signed_off_on": "Enter the date the assessment was signed off before marking it final"}

    def clean(self):
        if self.status == self.Status.FINAL:
            missing = {name: message for name, message in self.FINAL_NEEDS.items()
                       if not (getattr(self, name).strip() if isinstance(getattr(self, name), str)
                               else getattr(self, name))}
            if missing:
                raise ValidationError(missing)

    def save(self, *args, **kwargs):
        # Whatever the route (page, demo, script), a final assessment has its reference and sign-off.
        self.clean()
        super().save(*args, **kwargs)

    @property
    def overall(self) -> str:
        impacts = {r.impact for r in self.rows.all()}
        if Impact.NEGATIVE in impacts:
            return "A negative impact has been identified for one or more protected groups"
        if Impact.POSITIVE in impacts:
            return "A positive impact has been identified for one or more protected groups"
        if Impact.UNKNOWN in impacts:
            return "The impact on one or more protected groups is not yet known"
        return "No impact has been identified for any protected group"


class EIARow(models.Model):
    eia = models.ForeignKey(EqualityImpactAssessment, on_delete=models.CASCADE, related_name="rows")
    characteristic = models.CharField(max_length=30, choices=Characteristic.choices)
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.UNKNOWN)
    narrative = models.TextField(blank=True, max_length=10000)

    evidence = GenericRelation(Evidence)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["eia", "characteristic"], name="one_row_per_characteristic")]

    def __str__(self):
        return self.get_characteristic_display()

    @property
    def position(self) -> int:
        return list(Characteristic.values).index(self.characteristic)

    @property
    def impact_tag(self) -> str:
        return {"positive": "govuk-tag--green", "negative": "govuk-tag--red", "none": "govuk-tag--grey"}.get(
            self.impact, "govuk-tag--yellow")


class EIAAction(models.Model):
    eia = models.ForeignKey(EqualityImpactAssessment, on_delete=models.CASCADE, related_name="actions")
    inequality = models.CharField("Inequality", max_length=300)
    action = models.TextField(max_length=2000)
    owner = models.CharField(max_length=200)
    timescale = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "EIA action"

    def __str__(self):
        return self.inequality


# --- Approval -----------------------------------------------------------------------------------


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=PlanStatus.choices)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="version_number_unique")]

    def __str__(self):
        return f"Version {self.number}: {self.label}"

    def get_absolute_url(self):
        return reverse("planning:version", kwargs={"slug": self.plan.partnership.slug, "pk": self.pk})


class Decision(models.TextChoices):
    COMMENTED = "commented", "Commented and noted"
    RECOMMENDED = "recommended", "Recommended for approval"
    APPROVED = "approved", "Approved"
    APPROVED_AMENDED = "approved_amended", "Approved with amendments"
    REFERRED_BACK = "referred_back", "Referred back"
    DEFERRED = "deferred", "Deferred"


class ApprovalStep(models.Model):
    """One meeting the plan went to: the committee, the date, its comments and its decision."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="approval_steps")
    class Stage(models.TextChoices):
        BOARD = "board", "Partnership board sign-off"
        SCRUTINY = "scrutiny", "Scrutiny"
        CABINET = "cabinet", "Cabinet"
        COUNCIL = "council", "Full council"

    stage = models.CharField(max_length=20, choices=Stage.choices)
    committee = models.CharField(max_length=200, help_text="For example, Scrutiny Committee")
    meeting_on = models.DateField("Meeting date")
    comments = models.TextField("The committee’s comments", blank=True, max_length=20000)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    decision_text = models.TextField("Decision as minuted", blank=True, max_length=5000)
    version = models.ForeignKey(PlanVersion, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="approval_steps", verbose_name="Version considered")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting_on", "pk"]

    def __str__(self):
        return f"{self.committee}, {self.meeting_on:%-d %B %Y}"


class PlanComment(models.Model):
    """A comment on the draft plan from a board or scrutiny member (or the manager)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField("Response", blank=True, max_length=5000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]


# --- You said, we did ---------------------------------------------------------------------------


class YouSaidWeDid(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="you_said")
    you_said = models.TextField("You said", max_length=2000)
    we_did = models.TextField("We did", max_length=2000)
    priorities = models.ManyToManyField(Priority, blank=True, related_name="you_said")
    actions = models.ManyToManyField(Action, blank=True, related_name="you_said")
    order = models.PositiveIntegerField(default=0)

    evidence = GenericRelation(Evidence)
    history = HistoricalRecords(m2m_fields=[priorities, actions])

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "“You said, we did” row"

    def __str__(self):
        return self.you_said[:80]


class YouSaidSuggestion(models.Model):
    """A "You said, we did" row drafted from the consultation's results: a suggestion, kept apart
    from the plan's rows, until a person accepts it (as it is or edited), which makes it a row, or
    dismisses it. Kept after either, so that the same suggestion is not drafted again."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="you_said_suggestions")
    # What it was drafted from (for example one option of the public-concern question).
    source_key = models.CharField(max_length=200)
    you_said = models.TextField("You said", max_length=2000)
    we_did = models.TextField("We did", max_length=2000)
    priorities = models.ManyToManyField(Priority, blank=True, related_name="+")
    evidence = models.JSONField(default=dict, blank=True, help_text="The piece of evidence the row will cite")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUGGESTED)
    row = models.ForeignKey(YouSaidWeDid, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    drafted_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["drafted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "source_key"], name="one_suggestion_per_source")]

    def __str__(self):
        return self.you_said[:80]
