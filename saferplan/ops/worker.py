"""The job worker's loop: django-tasks-db's worker, with what it lacks for Saferplan.

- At start-up it marks interrupted every job of a dead worker on this host (``kill -9``, a
  crash, a restart) and removes the scratch files such jobs left.
- Between runs of the queue it enqueues the periodic tasks that are due (``schedule``).

The queue is run in batches (db_worker's ``--batch``: every ready task, then return), so that
the schedule is looked at whenever the queue is empty and at least every ``interval`` seconds.
"""
from __future__ import annotations

import logging
import time

from django.db import close_old_connections

from . import jobs, schedule

log = logging.getLogger(__name__)


def start_up() -> int:
    interrupted = jobs.recover_dead_workers()
    if interrupted:
        log.warning("%s job%s of a worker that stopped marked interrupted", interrupted, "s" if interrupted != 1 else "")
    return interrupted


def run(*, batch: bool = False, interval: float = 1.0, backend_name: str = "default") -> None:
    from django.utils.crypto import get_random_string
    from django_tasks_db.management.commands.db_worker import Worker

    start_up()
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name=backend_name,
                    startup_delay=False, max_tasks=None, worker_id=get_random_string(32),
                    excluded_queue_names=[])
    # Ctrl+C or SIGTERM: finish the task in hand, then stop (db_worker's own handling).
    worker.configure_signals()
    while worker.running:
        close_old_connections()
        if batch:  # run what is waiting, nothing scheduled, and stop
            worker.run()
            return
        try:
            schedule.enqueue_due()
        except Exception:  # noqa: BLE001 - a schedule problem must not stop the queue
            log.exception("the schedule could not be read")
        worker.run()
        if worker.running:
            time.sleep(interval)
