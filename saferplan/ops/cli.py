"""`saferplan backup FILE`, `saferplan restore FILE`, `saferplan worker` and `saferplan jobs`."""
from __future__ import annotations

from pathlib import Path

from saferplan.cli import CommandError, setup_django


def register(subparsers) -> None:
    backup = subparsers.add_parser("backup", help="write the database, the crime data store and uploads to one file")
    backup.add_argument("file", type=Path, help="the backup file to write (e.g. saferplan-2026-11-30.tar.gz)")
    backup.set_defaults(handler=run_backup)

    restore = subparsers.add_parser("restore", help="put a backup back: replaces the database, the crime data store and uploads")
    restore.add_argument("file", type=Path, help="a file written by `saferplan backup`")
    restore.add_argument("--yes", action="store_true", help="confirm that everything now on this site is replaced")
    restore.set_defaults(handler=run_restore)

    worker = subparsers.add_parser("worker", help="run the job worker: imports and other long work, the one writer "
                                                  "of the crime data store")
    worker.add_argument("--batch", action="store_true", help="run the tasks waiting, none of the schedule, and stop")
    worker.set_defaults(handler=run_worker)

    jobs = subparsers.add_parser("jobs", help="the worker's scheduled work: list it, or run one piece now")
    commands = jobs.add_subparsers(dest="jobs_command", required=True)
    listing = commands.add_parser("list", help="each scheduled task: how often, when next, what it last did")
    listing.set_defaults(handler=run_jobs_list)
    run = commands.add_parser("run", help="run one scheduled task now, in this process")
    run.add_argument("name", help="the task's name, as `saferplan jobs list` shows it")
    run.set_defaults(handler=run_jobs_run)


def _describe(summary) -> str:
    store = "the crime data store" if summary.crime_store else "no crime data store"
    return f"the {summary.database} database, {store} and {summary.media_files} uploaded files"


def run_backup(args) -> int:
    setup_django()
    from .backup import BackupError, backup

    try:
        summary = backup(args.file)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Backed up {_describe(summary)} to {args.file}")
    return 0


def run_restore(args) -> int:
    if not args.yes:
        raise CommandError("restoring replaces everything on this site with the backup; add --yes to go ahead")
    setup_django()
    from .backup import BackupError, restore

    try:
        summary = restore(args.file)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
    print(f"Restored {_describe(summary)} from {args.file}")
    return 0


def run_worker(args) -> int:
    setup_django()
    from saferplan.assessment.services import ensure_snapshot

    from . import worker

    # Web processes read only published snapshots: a store written before snapshots existed (or
    # restored from a backup) is published before the first task, so the pages see its data.
    ensure_snapshot()
    # No autoreload (db_worker's default with DEBUG): it would run the worker in a child process
    # that `make demo` and serve.sh, which stop the worker by its process id, would leave behind.
    worker.run(batch=args.batch, interval=1.0)
    return 0


def run_jobs_list(args) -> int:
    setup_django()
    from .models import Schedule
    from .schedule import PERIODIC, ensure_rows

    ensure_rows()
    rows = {s.name: s for s in Schedule.objects.all()}
    for periodic in PERIODIC:
        row = rows[periodic.name]
        print(f"{periodic.name}: every {_every(periodic.every)}; {periodic.description}")
        print(f"    next {row.next_run_at:%Y-%m-%d %H:%M}; last finished "
              f"{f'{row.last_finished_at:%Y-%m-%d %H:%M}: {row.last_outcome}' if row.last_finished_at else 'never'}")
    return 0


def _every(delta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}" if n != 1 else unit
    return f"{seconds} seconds"


def run_jobs_run(args) -> int:
    setup_django()
    from .schedule import BY_NAME

    periodic = BY_NAME.get(args.name)
    if periodic is None:
        raise CommandError(f"there is no scheduled task called “{args.name}”; the names are: "
                           + ", ".join(BY_NAME))
    # The task's own function, here and now: the same work the worker does when it is due.
    outcome = periodic.load().call()
    print(f"{periodic.name}: {outcome}")
    return 0
