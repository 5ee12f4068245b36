"""Quarterly returns: a round per quarter, one return per action from its owner organisation.

A return is locked once submitted: a later change is a correction, a new return that points at
the one it corrects and says why, so the board can always see what was reported at the time.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from saferplan.partnership.models import Organisation, Partnership

from ..quarters import Quarter, months_label


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    STOPPED = "stopped", "Stopped"


class RAG(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_TAGS = {"red": "govuk-tag--red", "amber": "govuk-tag--yellow", "green": "govuk-tag--green"}
RAG_ORDER = {"green": 0, "amber": 1, "red": 2}


class ReturnLocked(ValidationError):
    """A submitted return asked to change: it is corrected by a new entry instead."""


class ReturnRound(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="return_rounds")
    plan = models.ForeignKey("planning.Plan", on_delete=models.CASCADE, related_name="return_rounds")
    quarter = models.CharField(max_length=10, help_text="Financial-year quarter, like 2025-26-Q2")
    deadline = models.DateField("Returns due by")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    # Made-up returns (the demo's) are labelled as example data wherever they appear.
    example = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-quarter"]
        constraints = [models.UniqueConstraint(fields=["plan", "quarter"], name="one_round_per_plan_quarter")]

    def __str__(self):
        return f"Returns for {self.period.label}"

    @property
    def period(self) -> Quarter:
        return Quarter.parse(self.quarter)

    @property
    def months_label(self) -> str:
        return months_label(self.period)

    def get_absolute_url(self):
        return reverse("delivery:round", kwargs={"slug": self.partnership.slug, "quarter": self.quarter})


class QuarterlyReturn(models.Model):
    round = models.ForeignKey(ReturnRound, on_delete=models.CASCADE, related_name="returns")
    action = models.ForeignKey("planning.Action", on_delete=models.CASCADE, related_name="delivery_returns")
    # The organisation that reported (the action's owner when it did).
    organisation = models.ForeignKey(Organisation, on_delete=models.RESTRICT, related_name="delivery_returns")
    status = models.CharField(max_length=20, choices=ReturnStatus.choices)
    narrative = models.TextField("Progress this quarter", max_length=5000)
    forecast_on = models.DateField("Expected completion date", null=True, blank=True)
    rag_suggested = models.CharField("Suggested RAG", max_length=5, choices=RAG.choices)
    suggestion_reasons = models.JSONField(default=list, blank=True)
    rag = models.CharField("RAG", max_length=5, choices=RAG.choices)
    rag_reason = models.CharField("Reason for changing the suggested RAG", max_length=1000, blank=True)
    evidence_links = models.TextField("Links to evidence", blank=True, max_length=3000,
                                      help_text="One web address a line")
    corrects = models.OneToOneField("self", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="correction", verbose_name="Corrects")
    correction_reason = models.CharField("Reason for the correction", max_length=1000, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    example = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            # One first return per action and round; everything after it is a correction.
            models.UniqueConstraint(fields=["round", "action"], condition=Q(corrects__isnull=True),
                                    name="one_return_per_action_and_round"),
        ]

    def __str__(self):
        return f"{self.action} – {self.round.period.label}"

    def save(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk).exists():
            raise ReturnLocked("A submitted return cannot be changed: submit a correction, with the reason")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ReturnLocked("A submitted return cannot be removed: submit a correction, with the reason")

    def get_absolute_url(self):
        return reverse("delivery:return", kwargs={"slug": self.round.partnership.slug, "pk": self.pk})

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "correction") or self.correction is None

    @property
    def links(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]

    @property
    def rag_tag(self) -> str:
        return RAG_TAGS[self.rag]

    @property
    def overridden(self) -> bool:
        return self.rag != self.rag_suggested


class Reminder(models.Model):
    """A reminder sent for overdue returns (by the scheduler's command or the manager's button)."""

    round = models.ForeignKey(ReturnRound, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    actions = models.PositiveIntegerField("Returns overdue")
    recipients = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    class Meta:
        ordering = ["-sent_at", "pk"]

    def __str__(self):
        return f"Reminder to {self.organisation}"
