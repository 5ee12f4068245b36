"""What the strategic assessment keeps in the ORM database.

Crime and partner records live in DuckDB (see ``store.py``); the ORM keeps what people do with
them: import jobs (with progress, for the page to show), the analyst's harm weights, and the
findings drafted from the figures, each edited, accepted or rejected by a person. Accepted findings
are the evidence later stages cite, so each has a stable address and a full audit history.
"""
from __future__ import annotations


from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Partnership

from saferplan.ops import jobs
# An interrupted import kept nothing: DuckDB rolled it back (see saferplan.ops.jobs).
from saferplan.ops.jobs import HEARTBEAT_SECONDS, QUEUED_STALLED_AFTER, STALLED_AFTER  # noqa: F401


class ImportJob(jobs.Job):
    class Kind(models.TextChoices):
        POLICE = "police", "police.uk street-level data"
        PARTNER = "partner", "Partner data"
        BOUNDARIES = "boundaries", "Boundaries (GeoJSON)"

    class Status(models.TextChoices):
        AWAITING_MAPPING = "awaiting_mapping", "Waiting for the column mapping"
        QUEUED = jobs.QUEUED, "Waiting to start"
        RUNNING = jobs.RUNNING, "Importing"
        INTERRUPTED = jobs.INTERRUPTED, "Interrupted"
        SUCCEEDED = "succeeded", "Imported"
        FAILED = "failed", "Refused"
        # Nothing kept yet: the files would leave a force-month with under half its records.
        NEEDS_CONFIRMATION = "needs_confirmation", "Waiting for confirmation"

    # None: the site operator's import of shared data for every partnership (saferplan police
    # import --on-worker), seen by no partnership's pages.
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="import_jobs",
                                    null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # What the person gave, as they would recognise it: file names, or the server folder.
    sources = models.JSONField(default=list)
    upload_dir = models.CharField(max_length=500, blank=True)
    from_server = models.BooleanField(default=False)
    # Shared data loaded for every partnership (the demo, the operator); otherwise the import
    # belongs to the partnership and changes only what it reads.
    shared = models.BooleanField(default=False)
    confirm_shrink = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    dataset = models.CharField(max_length=200, blank=True)
    mapping = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    FINISHED_STATUSES = (Status.SUCCEEDED, Status.FAILED, Status.NEEDS_CONFIRMATION)
    SUCCEEDED_STATUS = Status.SUCCEEDED

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} import of {self.created_at:%d %B %Y}"

    def get_absolute_url(self):
        if self.partnership is None:
            return ""
        return reverse("assessment:import", kwargs={"slug": self.partnership.slug, "pk": self.pk})


class HarmWeight(models.Model):
    """The analyst's weight for one police.uk category, in place of the CCHI median."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="harm_weights")
    category = models.CharField(max_length=100)
    weight = models.DecimalField("Weight (days)", max_digits=9, decimal_places=1)
    reason = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "category"], name="one_weight_per_category")]
        ordering = ["category"]

    def __str__(self):
        return f"{self.category}: {self.weight} days"


class FindingQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(status=Finding.Status.ACCEPTED)

    def for_period(self, period: str):
        return self.filter(period=str(period))


class Finding(models.Model):
    """A plain-English finding drafted from the figures, until a person has reviewed it a draft."""

    class Status(models.TextChoices):
        DRAFTED = "drafted", "Draft"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="findings")
    period = models.CharField(max_length=20, help_text="Inclusive months, YYYY-MM:YYYY-MM")
    # Identity across re-drafts: a category's change keeps its key whether it rose or fell.
    key = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    text = models.TextField("Drafted text")
    measure = models.CharField(max_length=40, blank=True)
    category = models.CharField(max_length=100, blank=True)
    numbers = models.JSONField(default=dict, blank=True)
    significant = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFTED)
    edited_text = models.TextField("Text as reviewed", blank=True)
    review_note = models.TextField("Reviewer's note", blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    drafted_at = models.DateTimeField(default=timezone.now)
    # Set when a re-draft finds different figures for a finding a person has already reviewed.
    redrafted_text = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["partnership", "period", "key"], name="one_finding_per_key")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessment:finding", kwargs={"slug": self.partnership.slug, "pk": self.pk})

    @property
    def final_text(self) -> str:
        return self.edited_text or self.text

    @property
    def reviewed(self) -> bool:
        return self.status != self.Status.DRAFTED or bool(self.edited_text)

    @property
    def period_label(self) -> str:
        from saferplan.core.periods import Period

        return Period.parse(self.period).label()


def accepted_findings(partnership: Partnership, period: str | None = None):
    """The findings a person accepted: the evidence priorities, the plan and the EIA cite."""
    qs = Finding.objects.filter(partnership=partnership).accepted()
    if period:
        qs = qs.for_period(period)
    return qs.order_by("-period", "position", "pk")
