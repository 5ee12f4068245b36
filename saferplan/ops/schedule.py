"""The worker's schedule: periodic work, enqueued as tasks when due.

django-tasks has no scheduler. Each periodic task has a ``Schedule`` row; between tasks, every
worker calls :func:`enqueue_due`, which claims a due row by moving its ``next_run_at`` on with a
conditional UPDATE (``where next_run_at = <what it read>``): of two workers reading the same due
row, one update matches and one does not, so the work is enqueued once. Each piece of work is an
ordinary task, which ``saferplan jobs run NAME`` also runs by hand.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path of the task
    every: timedelta
    description: str

    def load(self):
        module, _, name = self.task.rpartition(".")
        return getattr(import_module(module), name)


PERIODIC = [
    Periodic("retention-purge", "saferplan.consultation.tasks.purge_due_surveys", timedelta(hours=6),
             "delete the personal data of every survey past its purge date (logged)"),
    Periodic("expired-sessions", "saferplan.consultation.tasks.clear_expired_sessions", timedelta(hours=1),
             "delete expired sessions, which hold answers in progress"),
    Periodic("kpi-reminders", "saferplan.planning.tasks.send_kpi_reminders", timedelta(hours=24),
             "email the owners of KPIs whose reporting period ended without a value (once per period)"),
    Periodic("import-housekeeping", "saferplan.assessment.tasks.remove_abandoned_uploads", timedelta(hours=1),
             "end interrupted imports nobody retried within a day and remove their files"),
    Periodic("published-documents", "saferplan.documents.tasks.prepare_published_documents", timedelta(minutes=10),
             "render every published document whose inputs changed, so that it is served as stored"),
]
BY_NAME = {p.name: p for p in PERIODIC}


def ensure_rows(now=None) -> None:
    """A row for each periodic task; a new one is due at once."""
    from .models import Schedule

    now = now or timezone.now()
    known = set(Schedule.objects.values_list("name", flat=True))
    for periodic in PERIODIC:
        if periodic.name not in known:
            Schedule.objects.get_or_create(name=periodic.name, defaults={"next_run_at": now})


def enqueue_due(now=None) -> list[str]:
    """Enqueue every periodic task that is due and that this worker claimed; their names."""
    from .models import Schedule

    now = now or timezone.now()
    ensure_rows(now)
    enqueued = []
    for row in Schedule.objects.filter(next_run_at__lte=now, name__in=BY_NAME):
        periodic = BY_NAME[row.name]
        claimed = Schedule.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=now + periodic.every, last_enqueued_at=now)
        if claimed:
            periodic.load().enqueue()
            enqueued.append(row.name)
            log.info("scheduled task %s enqueued", row.name)
    return enqueued


def record_outcome(name: str, outcome: str) -> None:
    """What the periodic task did, for `saferplan jobs list` (called by each task)."""
    from .models import Schedule

    ensure_rows()
    Schedule.objects.filter(name=name).update(last_finished_at=timezone.now(), last_outcome=outcome[:500])
