"""What the operations app keeps: the worker's schedule, reminders already sent, and documents
rendered by the worker. (``migrate`` also sends this app post_migrate, on which it creates the
shared cache table: apps.py.)"""
from __future__ import annotations

from django.db import models

from . import jobs


class Schedule(models.Model):
    """One periodic piece of work (see ``schedule.PERIODIC``). A worker enqueues it when due by
    moving ``next_run_at`` on with a conditional update, so two workers never enqueue it twice."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Notice(models.Model):
    """A reminder sent, by what it is about (``key``), so that it is sent once only however often
    the schedule runs and however many workers run it."""

    kind = models.CharField(max_length=50)
    key = models.CharField(max_length=200)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_notice_per_key")]
        ordering = ["-sent_at"]


class StoredDocument(jobs.Job):
    """A document the worker rendered (a published plan's PDF, an assessment report): served from
    the file store as stored, never rendered by a web process. ``version`` is a digest of the
    document's inputs; a change of inputs makes a new row, rendered afresh."""

    class Status(models.TextChoices):
        QUEUED = jobs.QUEUED, "Being prepared"
        RUNNING = jobs.RUNNING, "Being prepared"
        INTERRUPTED = jobs.INTERRUPTED, "Interrupted"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    key = models.CharField(max_length=200)  # what the document is, e.g. "plan:12:pdf"
    version = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    path = models.CharField(max_length=500, blank=True)  # relative to the document store
    content_type = models.CharField(max_length=100)
    filename = models.CharField(max_length=200)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    FINISHED_STATUSES = (Status.READY, Status.FAILED)
    SUCCEEDED_STATUS = Status.READY

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="one_document_per_version")]
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"
