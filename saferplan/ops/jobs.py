"""The one lifecycle every job of the worker shares: queued, running, finished or interrupted,
with progress the page polls, a heartbeat, and the host and process id of the worker running it.

A job kind is a model that inherits ``Job`` (police and partner imports, survey imports, stored
documents); its own ``Status`` adds the finished states it needs but keeps ``queued``,
``running`` and ``interrupted`` with these values, because the functions here move them.

Why the worker's process id: a job whose worker was killed (``kill -9``, the machine restarted)
stops beating, but a page can only tell that from a long step after ``STALLED_AFTER``. A page
on the worker's own host can ask the kernel at once whether that process still exists, and the
next worker to start on the host marks every job of a dead worker interrupted and removes its
scratch files.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import tempfile
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.utils import timezone

log = logging.getLogger(__name__)

# The worker touches a running job's row this often, so a running job not touched for
# STALLED_AFTER lost its worker even when the worker ran on another host. A queued job may wait
# behind others for a while.
HEARTBEAT_SECONDS = 5
STALLED_AFTER = timedelta(seconds=15)
QUEUED_STALLED_AFTER = timedelta(minutes=15)

QUEUED, RUNNING, INTERRUPTED = "queued", "running", "interrupted"


def this_host() -> str:
    return socket.gethostname()[:200]


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


class Job(models.Model):
    """Progress and the worker's identity, for any job kind (an abstract model: one table per
    kind, because each kind keeps its own inputs, but one lifecycle)."""

    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    worker_host = models.CharField(max_length=200, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)

    # The statuses in which the job has ended, one way or another, and the one of success.
    FINISHED_STATUSES: tuple[str, ...] = ()
    SUCCEEDED_STATUS = ""

    class Meta:
        abstract = True

    @property
    def scratch_dir(self) -> Path:
        """Where the job keeps temporary files while it runs: removed when it ends, and by the next
        worker if its own was killed."""
        return scratch_root() / f"{self._meta.label_lower}-{self.pk}"

    @property
    def worker_gone(self) -> bool:
        """True when the job is running for a worker on this host whose process has ended."""
        return (self.status == RUNNING and bool(self.worker_pid) and self.worker_host == this_host()
                and not process_exists(self.worker_pid))

    @property
    def stalled(self) -> bool:
        """Interrupted: recorded so, or its worker is gone (recorded now), or it stopped beating."""
        if self.status == INTERRUPTED:
            return True
        if self.worker_gone:
            mark_interrupted(self)
            return True
        waited = timezone.now() - self.updated_at
        return (self.status == RUNNING and waited > STALLED_AFTER) or (
            self.status == QUEUED and waited > QUEUED_STALLED_AFTER)

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES or self.stalled

    @property
    def percent(self) -> int:
        if self.status == self.SUCCEEDED_STATUS:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(self.progress_done * 100 / self.progress_total))

    @property
    def status_label(self) -> str:
        return "Interrupted" if self.stalled else self.get_status_display()

    def status_dict(self) -> dict:
        stalled = self.stalled
        return {
            "id": self.pk,
            "status": INTERRUPTED if stalled else self.status,
            "status_label": self.status_label,
            "finished": self.finished,
            "done": self.progress_done,
            "total": self.progress_total,
            "percent": self.percent,
            "message": self.message,
        }


def scratch_root() -> Path:
    return Path(getattr(settings, "JOB_SCRATCH_DIR", Path(settings.VAR_DIR) / "job-scratch"))


def job_models() -> list[type[Job]]:
    return [m for m in apps.get_models() if issubclass(m, Job)]


def claim(model: type[Job], pk: int, message: str = "Starting") -> bool:
    """Move a queued job to running for this process; False if another task took it first (a
    retry queued twice runs once)."""
    return bool(model.objects.filter(pk=pk, status=QUEUED).update(
        status=RUNNING, started_at=timezone.now(), finished_at=None, message=message, updated_at=timezone.now(),
        worker_host=this_host(), worker_pid=os.getpid()))


def report_progress(job: Job, done: int, total: int, message: str) -> None:
    type(job).objects.filter(pk=job.pk).update(progress_done=done, progress_total=total, message=message[:500],
                                               updated_at=timezone.now())


def requeue(job: Job, message: str = "Waiting to start again") -> bool:
    """Queue again an interrupted job (its inputs are the job's own; the caller enqueues the task)."""
    if not job.stalled:
        raise ValueError("only an interrupted job can be queued again")
    return bool(type(job).objects.filter(pk=job.pk, status__in=[RUNNING, QUEUED, INTERRUPTED]).update(
        status=QUEUED, progress_done=0, progress_total=0, message=message, started_at=None, finished_at=None,
        worker_host="", worker_pid=None, updated_at=timezone.now()))


def mark_interrupted(job: Job) -> bool:
    """Record that the job's worker died: only if it is still running for that same process."""
    changed = type(job).objects.filter(pk=job.pk, status=RUNNING, worker_host=job.worker_host,
                                       worker_pid=job.worker_pid).update(
        status=INTERRUPTED, message="Interrupted", updated_at=timezone.now())
    if changed:
        job.status, job.message = INTERRUPTED, "Interrupted"
        shutil.rmtree(job.scratch_dir, ignore_errors=True)
        log.warning("%s %s: its worker (pid %s on %s) has gone; marked interrupted",
                    job._meta.label, job.pk, job.worker_pid, job.worker_host)
    return bool(changed)


def recover_dead_workers() -> int:
    """What a worker does as it starts: every job running for a process of this host that no
    longer exists is interrupted, and scratch folders of jobs not running are removed."""
    host, ended = this_host(), 0
    running_dirs = set()
    for model in job_models():
        for job in model.objects.filter(status=RUNNING, worker_host=host):
            if job.worker_gone and mark_interrupted(job):
                ended += 1
            elif job.status == RUNNING:
                running_dirs.add(job.scratch_dir.name)
    root = scratch_root()
    if root.is_dir():
        for folder in root.iterdir():
            if folder.name not in running_dirs:
                shutil.rmtree(folder, ignore_errors=True)
    return ended


@contextmanager
def running(job: Job, progress=None):
    """While the worker runs the job: touch its row every few seconds (with the latest progress,
    when the work happens inside a transaction no other connection can see), and give it an
    empty scratch folder, removed afterwards whatever happens."""
    model = type(job)
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                values = {"updated_at": timezone.now()}
                if progress is not None and progress.get("total"):
                    values.update(progress_done=progress["done"], progress_total=progress["total"],
                                  message=progress["message"][:500])
                model.objects.filter(pk=job.pk, status=RUNNING).update(**values)
        finally:
            connection.close()  # this thread's own connection

    scratch = job.scratch_dir
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True, exist_ok=True)
    # Every temporary file the job's code makes (an archive unpacked by the police import) goes
    # into the scratch folder, which the next worker removes if this one is killed; /tmp would
    # keep them for ever. The worker runs one task at a time, so the process-wide default is
    # the job's while it runs.
    previous_tempdir, tempfile.tempdir = tempfile.tempdir, str(scratch)
    thread = threading.Thread(target=beat, name=f"{model._meta.model_name}-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield scratch
    finally:
        stop.set()
        thread.join()
        tempfile.tempdir = previous_tempdir
        shutil.rmtree(scratch, ignore_errors=True)
