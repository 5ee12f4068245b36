"""`saferplan backup FILE`, `saferplan restore FILE` and `saferplan worker`."""
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
    worker.add_argument("--batch", action="store_true", help="stop when no task is waiting (instead of waiting for more)")
    worker.set_defaults(handler=run_worker)


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
    from django.core.management import call_command

    from saferplan.assessment.services import ensure_snapshot

    # Web processes read only published snapshots: a store written before snapshots existed (or
    # restored from a backup) is published before the first task, so the pages see its data.
    ensure_snapshot()
    # No autoreload (db_worker's default with DEBUG): it would run the worker in a child process
    # that `make demo` and serve.sh, which stop the worker by its process id, would leave behind.
    call_command("db_worker", batch=args.batch, interval=1.0, reload=False)
    return 0
