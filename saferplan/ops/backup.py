"""Backup and restore of everything a Saferplan site holds, in one file.

A backup is a gzipped tar: ``manifest.json``; the ORM database (``pg_dump`` custom format when
PostgreSQL, otherwise Django's ``dumpdata``); the DuckDB crime data store; uploaded media. Restore
checks everything it can before it changes anything, restores the database in one transaction,
then swaps the store and the media folder into place, so a refused restore leaves the site as it
was. The shared cache is not backed up: counters and cached results are rebuilt as they are used.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
from django.conf import settings
from django.db import connections, transaction

from saferplan.assessment.services import close_store, store_lock, writing

FORMAT = "saferplan-backup"
VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
JSON_DUMP = "database.json"
STORE = "crime-store.duckdb"
MEDIA = "media"


class BackupError(Exception):
    """Something the operator can fix; said in one line, without server paths."""


@dataclass
class Summary:
    database: str
    crime_store: bool
    media_files: int


def _database_kind() -> str:
    return "postgresql" if connections["default"].vendor == "postgresql" else "json"


def _pg_environment() -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _run_pg(tool: str, arguments: list[str]) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed; install the PostgreSQL client tools (postgresql-client)")
    result = subprocess.run([tool, *arguments], env=_pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{tool} failed: {last}")


def _hold_store(path: Path):
    """A read-only connection, taken in the writers' turn: it fails if a program other than
    Saferplan's writers has the store open for writing (a DuckDB shell, a stray process), and
    while it is open nothing can write, so the copied file is consistent."""
    try:
        return duckdb.connect(str(path), read_only=True)
    except (duckdb.IOException, duckdb.ConnectionException) as exc:
        raise BackupError(
            "the crime data store is open in another program (not Saferplan's job worker);"
            " close it and run this again"
        ) from exc


def _waiting() -> None:
    print("Waiting for an import into the crime data store (the job worker's) to finish...", file=sys.stderr)


def _store_path() -> Path:
    return Path(settings.DUCKDB_PATH)


def backup(destination: Path) -> Summary:
    destination = Path(destination)
    kind = _database_kind()
    with tempfile.TemporaryDirectory(prefix="saferplan-backup-") as work:
        work = Path(work)
        if kind == "postgresql":
            # The cache table's rows are counters and cached results: not worth restoring.
            _run_pg("pg_dump", ["--format=custom", "--no-owner", "--no-privileges",
                                f"--exclude-table-data={settings.CACHE_TABLE}", f"--file={work / PG_DUMP}"])
        else:
            from django.core.management import call_command

            call_command("dumpdata", natural_foreign=True, natural_primary=True, exclude=["contenttypes", "auth.permission"],
                         output=str(work / JSON_DUMP), verbosity=0)
        store = _store_path()
        # In the writers' turn (assessment.services.store_lock): an import in progress finishes
        # first and none starts while the file is copied, so the copy is one consistent store;
        # web processes read snapshots and are not held up.
        with store_lock(store, on_wait=_waiting):
            has_store = store.exists()
            held = _hold_store(store) if has_store else None
            try:
                if has_store:
                    shutil.copy2(store, work / STORE)
                    wal = store.with_name(store.name + ".wal")
                    if wal.exists():
                        shutil.copy2(wal, work / (STORE + ".wal"))
            finally:
                if held is not None:
                    held.close()
        media_root = Path(settings.MEDIA_ROOT)
        media_files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.is_dir() else []
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "database": kind,
            "crime_store": has_store,
            "media_files": len(media_files),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        # Written beside the destination and renamed: a failed backup never leaves half a file
        # where the last good one was.
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / MANIFEST, MANIFEST)
            for name in (PG_DUMP, JSON_DUMP, STORE, STORE + ".wal"):
                if (work / name).exists():
                    archive.add(work / name, name)
            for path in media_files:
                archive.add(path, f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
        os.replace(partial, destination)
    return Summary(kind, has_store, len(media_files))


def _read_manifest(archive: tarfile.TarFile, name: str) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, json.JSONDecodeError, TypeError) as exc:
        raise BackupError(f"{name} is not a Saferplan backup (no readable {MANIFEST})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{name} is not a Saferplan backup ({MANIFEST} names format {manifest.get('format')!r})")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{name} is a version {manifest.get('version')} backup; this Saferplan reads version {VERSION}")
    return manifest


def restore(source: Path) -> Summary:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source.name}: no such file")
    try:
        archive = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{source.name} is not a Saferplan backup (not a gzipped tar file)") from exc
    with archive, tempfile.TemporaryDirectory(prefix="saferplan-restore-") as work:
        work = Path(work)
        manifest = _read_manifest(archive, source.name)
        kind = _database_kind()
        if manifest["database"] != kind:
            raise BackupError(f"{source.name} holds a {manifest['database']} database dump, but this site's"
                              f" database is {'PostgreSQL' if kind == 'postgresql' else 'not PostgreSQL'}")
        try:
            archive.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"{source.name} is damaged: {type(exc).__name__}") from exc
        dump = work / (PG_DUMP if kind == "postgresql" else JSON_DUMP)
        if not dump.is_file():
            raise BackupError(f"{source.name} has no database dump ({dump.name})")
        if manifest["crime_store"] and not (work / STORE).is_file():
            raise BackupError(f"{source.name} has no crime data store ({STORE}) though its manifest lists one")
        store = _store_path()
        with store_lock(store, on_wait=_waiting):
            return _restore(work, kind, dump, manifest, store)


def _restore(work: Path, kind: str, dump: Path, manifest: dict, store: Path) -> Summary:
    """Replace the database, the store and the uploaded files (holding the store's writer turn)."""
    if store.exists():
        _hold_store(store).close()  # refuse now, before anything has changed
    close_store()
    if kind == "postgresql":
        _run_pg("pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                               f"--dbname={settings.DATABASES['default']['NAME']}", str(dump)])
    else:
        from django.core.management import call_command

        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(dump), verbosity=0)
    connections["default"].close()

    store.parent.mkdir(parents=True, exist_ok=True)
    wal = store.with_name(store.name + ".wal")
    if wal.exists():
        wal.unlink()
    if manifest["crime_store"]:
        incoming = store.with_name(store.name + ".restoring")
        shutil.copy2(work / STORE, incoming)
        if (work / (STORE + ".wal")).is_file():
            shutil.copy2(work / (STORE + ".wal"), wal)
        os.replace(incoming, store)
    elif store.exists():
        store.unlink()
    # Web processes read only published snapshots: publish the restored store (an empty one
    # if the backup had none), or they would go on reading what was there before.
    with writing():
        pass
    close_store()

    media_root = Path(settings.MEDIA_ROOT)
    incoming_media = work / MEDIA
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = media_root.with_name(media_root.name + ".restoring")
    shutil.rmtree(staged, ignore_errors=True)
    if incoming_media.is_dir():
        shutil.copytree(incoming_media, staged)
    else:
        staged.mkdir()
    previous = media_root.with_name(media_root.name + ".before-restore")
    shutil.rmtree(previous, ignore_errors=True)
    if media_root.exists():
        os.replace(media_root, previous)
    os.replace(staged, media_root)
    shutil.rmtree(previous, ignore_errors=True)
    return Summary(kind, bool(manifest["crime_store"]), int(manifest.get("media_files", 0)))
