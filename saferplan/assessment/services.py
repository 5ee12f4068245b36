"""The Django side of the strategic assessment: the store connection, imports as jobs, the
assessment of a partnership's area, findings and harm weights. Views and the demo call these;
the computations are the engine's (``police``, ``partner``, ``engine``, ``findings``, ``report``).

DuckDB lets one process open a file to write it, or any number open it read-only, never both.
So only the job worker (``saferplan worker``: django-tasks' ``db_worker`` running ``tasks.py``)
writes the store file; after each write it publishes a copy, a snapshot, and web processes read
the latest snapshot read-only, switching when a newer one is published. Any number of web processes can then serve
the assessment while an import runs, and none of them can take the writer's lock. Imports are
all or nothing inside a DuckDB transaction, so a refused or interrupted import leaves the store
(and every snapshot) as it was.
"""
from __future__ import annotations

import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import threading
import uuid
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from saferplan.ops import jobs

from . import engine, findings, partner, police, report
from .harm import harm_weights
from .models import Finding, HarmWeight, ImportJob
from saferplan.core.downloads import render_document
from saferplan.core.periods import Period, parse_month

log = logging.getLogger(__name__)

_connections: dict[str, object] = {}
_connections_lock = threading.Lock()
_write_lock = threading.RLock()
_held = threading.local()  # this thread's holds of store_lock, and its open writers
CACHE_SECONDS = 60 * 60
# Readers mid-request may still hold the snapshot before the current one; older ones go.
SNAPSHOTS_KEPT = 2
_EMPTY = ":empty:"


# --- The store ------------------------------------------------------------------------------


def store_path() -> Path:
    return Path(settings.DUCKDB_PATH)


def snapshot_dir(store: Path | None = None) -> Path:
    store = store or store_path()
    return store.parent / f"{store.stem}-snapshots"


def current_snapshot(store: Path | None = None) -> Path | None:
    """The snapshot readers open now (None: nothing has been written yet)."""
    try:
        name = (snapshot_dir(store) / "current").read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return snapshot_dir(store) / name


def _generation(path: Path | None) -> int:
    match = re.fullmatch(r"snapshot-(\d+)\.duckdb", path.name) if path else None
    return int(match[1]) if match else 0


def publish_snapshot(conn, store: Path | None = None) -> Path:
    """Copy the committed store to a new snapshot and point readers at it.

    The copy is made under a temporary name and the pointer replaced with ``os.replace``, so a
    reader sees the old snapshot or the new one, never a half-copied file. Called by the writer
    holding the write lock, after a checkpoint has put every committed change in the file.
    ``store``: the file ``conn`` writes, when not the configured one (the command line's --db).
    """
    store = Path(store or store_path())
    conn.execute("checkpoint")
    folder = snapshot_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"snapshot-{_generation(current_snapshot(store)) + 1}.duckdb"
    partial = folder / f".{name}.partial"
    shutil.copyfile(store, partial)
    os.replace(partial, folder / name)
    pointer = folder / ".current.partial"
    pointer.write_text(name, encoding="ascii")
    os.replace(pointer, folder / "current")
    kept = sorted(folder.glob("snapshot-*.duckdb"), key=_generation)[-SNAPSHOTS_KEPT:]
    for old in folder.glob("snapshot-*.duckdb"):
        if old not in kept:
            # A reader that still has it open keeps reading it: the file goes when it closes.
            old.unlink(missing_ok=True)
    return folder / name


class StoreNotPublished(RuntimeError):
    """The store holds data but no snapshot of it has been published for the web to read."""


def ensure_snapshot() -> None:
    """Publish the store if it has never been (the worker and the demo call this as they start)."""
    if current_snapshot() is None and store_path().exists():
        with writing():
            pass


def _reader():
    """A cursor on the latest snapshot, read-only; reopened when a newer one is published."""
    from .store import connect

    snapshot = current_snapshot()
    if snapshot is None and store_path().exists():
        # Reading nothing would show a partnership no figures as if it had none.
        raise StoreNotPublished("the crime data store has not been published for reading yet: "
                                "start the job worker (saferplan worker)")
    key = str(snapshot) if snapshot else _EMPTY
    with _connections_lock:
        conn = _connections.get(key)
        if conn is None:
            # Nothing written yet: an empty store in memory, so that pages say "no data" rather
            # than fail, and the writer's file is never opened here.
            conn = connect(snapshot, read_only=True) if snapshot else connect(None)
            _connections[key] = conn
            _forget_old_readers(keep={key})
        cursor = conn.cursor()
    return cursor


def _forget_old_readers(keep: set[str]) -> None:
    """Close connections to snapshots older than the previous one (called under the lock)."""
    readers = sorted((k for k in _connections if k not in (str(store_path()), _EMPTY)),
                     key=lambda k: _generation(Path(k)))
    for k in readers[:-SNAPSHOTS_KEPT]:
        if k not in keep:
            _connections.pop(k).close()




def owner_of(partnership) -> int | None:
    """The store's owner for a partnership (None: the shared data the operator loads)."""
    return None if partnership is None else partnership.pk


@contextmanager
def reading(partnership):
    """A cursor on the latest snapshot that reads what ``partnership`` may read (any number at
    once, in any number of processes, while the worker writes).

    ``None`` reads the shared data alone (the operator's loads). There is deliberately no
    default: every read says whose data it is.
    """
    from .store import scope

    cursor = _reader()
    try:
        yield scope(cursor, owner_of(partnership))
    finally:
        cursor.close()


@contextmanager
def store_lock(store: Path | None = None, *, on_wait=None):
    """Hold the store file's one writer's place, across processes: the job workers (any number
    of them), the command line, a backup and a restore take turns rather than fail on DuckDB's
    file lock. The place is an advisory lock on a file beside the store, released when the
    holder ends or dies (the kernel drops it with the process), so a killed worker never leaves
    it taken. ``on_wait()`` is called once if another holds it, before waiting.

    Re-entrant in a thread (a restore publishes what it restored, inside its own hold)."""
    store = Path(store or store_path())
    key = str(store.absolute())
    held = _held.__dict__.setdefault("stores", {})
    if key in held:
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    store.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock:  # threads of this process (tests' live servers)
        fd = os.open(store.with_name(store.name + ".writer"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.info("waiting for another writer of the crime data store to finish")
                if on_wait is not None:
                    on_wait()
                fcntl.flock(fd, fcntl.LOCK_EX)
            held[key] = 1
            try:
                yield
            finally:
                del held[key]
        finally:
            os.close(fd)  # releases the lock


def _served(store: Path) -> bool:
    """Whether web processes read this store (the site's, or one already published)."""
    return store.absolute() == store_path().absolute() or snapshot_dir(store).is_dir()


@contextmanager
def writing(store: Path | None = None, *, on_wait=None):
    """A connection to the store file for writing: the job worker's (and the command line's, the
    demo's, the tests'), one writer at a time across processes (``store_lock``); a web process
    never calls it. It is opened for the write and closed after, so that the next writer can take
    its turn: a worker that kept it open would shut out every other worker, the command line and
    backups for as long as it ran. What it wrote is published as a new snapshot when it ends
    without an error (for the site's store, or any store already published).

    ``store``: another store file than the site's (the command line's ``--db``)."""
    from .store import connect

    store = Path(store or store_path())
    key = str(store.absolute())
    open_here = _held.__dict__.setdefault("writers", {})
    with store_lock(store, on_wait=on_wait):
        if key in open_here:  # inside another write to the same store in this thread
            yield open_here[key]
            return
        conn = connect(store)
        open_here[key] = conn
        try:
            served = _served(store)
            if served and current_snapshot(store) is None:
                # A new store: published as it is first, so that a refused first import (which
                # publishes nothing) still leaves the web something to read.
                publish_snapshot(conn, store)
            yield conn
            if served:
                publish_snapshot(conn, store)
        finally:
            del open_here[key]
            conn.close()


def close_store() -> None:
    """Close this process's store connections (tests; the demo command before it exits)."""
    with _connections_lock:
        for conn in _connections.values():
            conn.close()
        _connections.clear()


def data_version(conn) -> str:
    """Changes whenever an import that the cursor's owner reads is accepted: part of every
    cached result's key (with the owner, since two owners read different data)."""
    row = conn.execute("select coalesce(max(import_id), 0), count(*) from import_log_seen").fetchone()
    return f"{row[0]}.{row[1]}"


# --- What the store holds for a partnership ---------------------------------------------------


def forces_for(partnership, conn) -> list[str]:
    """The police.uk force slugs serving the area: those with records in it."""
    from .analysis import area_forces

    return area_forces(conn, partnership.area_codes)


def months_held(partnership, conn=None) -> list[dict]:
    """Months in the store with a file for every force serving the area, with the area's records."""
    def query(c):
        forces = forces_for(partnership, c)
        if not forces:
            return []
        rows = c.execute(
            """
            with covered as (
                select month from import_file_seen where force in (select unnest($forces))
                group by month having count(distinct force) = len($forces)
            ),
            counts as (
                select strftime(month, '%Y-%m') as month,
                       count(*) filter (where category <> 'Anti-social behaviour') as crimes,
                       count(*) filter (where category = 'Anti-social behaviour') as asb
                from police_seen where lad_code in (select unnest($areas)) group by 1
            )
            select c.month, coalesce(n.crimes, 0), coalesce(n.asb, 0)
            from covered c left join counts n using (month) order by c.month
            """,
            {"forces": forces, "areas": partnership.area_codes},
        ).fetchall()
        return [{"month": m, "label": parse_month(m).strftime("%B %Y"), "crimes": cr, "asb": asb}
                for m, cr, asb in rows]

    if conn is not None:
        return query(conn)
    with reading(partnership) as c:
        return query(c)


def default_period(months: list[dict], length: int = 12) -> Period | None:
    """The latest ``length`` months with data (the months the page opens on)."""
    if not months:
        return None
    return Period.ending(parse_month(months[-1]["month"]), length)


def partner_datasets(partnership) -> list[dict]:
    with reading(partnership) as conn:
        rows = conn.execute(
            """
            select dataset, list(distinct measure order by measure), min(month), max(month), count(*),
                   max(import_id)
            from partner_seen where lad_code in (select unnest($areas)) group by dataset order by dataset
            """,
            {"areas": partnership.area_codes},
        ).fetchall()
    return [{"dataset": d, "measures": m, "first": f"{a:%B %Y}", "last": f"{b:%B %Y}", "rows": n}
            for d, m, a, b, n, _ in rows]


def data_changes(partnership, conn=None) -> list[dict]:
    """Every accepted import that changed what the partnership reads, newest first: its own
    imports, and the operator's shared loads of the forces serving its area."""
    def query(c):
        forces = forces_for(partnership, c)
        rows = c.execute(
            """
            select import_id, kind, finished_at, owner, made_by, forces, months, dataset,
                   rows_read, rows_replaced
            from import_log_seen
            where owner is not null or list_has_any(forces, $forces)
            order by finished_at desc, import_id desc
            """, {"forces": forces}).fetchall()
        return [{"import_id": i, "kind": k, "finished_at": f, "shared": o is None,
                 "made_by": m or ("the site operator" if o is None else "an analyst of the partnership"),
                 "forces": fs or [], "months": ms or [], "dataset": d, "rows_added": n or 0,
                 "rows_replaced": r or 0}
                for i, k, f, o, m, fs, ms, d, n, r in rows]

    if conn is not None:
        return query(conn)
    with reading(partnership) as c:
        return query(c)


def last_changed(partnership):
    """When the data the partnership reads last changed (None: it reads none)."""
    changes = data_changes(partnership)
    return changes[0]["finished_at"] if changes else None


def forces_in_area(area_codes: list[str]) -> list[tuple[str, int]]:
    """Police forces (as police.uk names them) whose shared records fall in these local
    authorities, with how many records, most first; empty when none have been loaded yet."""
    if not area_codes:
        return []
    try:
        with reading(None) as conn:
            return [(name, n) for name, n in conn.execute(
                """
                select falls_within, count(*) from police_seen
                where lad_code in (select unnest($areas)) and falls_within is not null
                group by 1 order by 2 desc, 1
                """, {"areas": list(area_codes)}).fetchall()]
    except StoreNotPublished:
        return []


def store_rows_by_owner() -> dict[int | None, int]:
    """Police and partner records in the store by owner (None: shared data the operator loaded),
    for the operator's storage figures. Whole tables, deliberately unscoped: counts only."""
    try:
        with reading(None) as conn:
            rows = conn.execute(
                """
                select owner, count(*) from (select owner from police_record
                                             union all select owner from partner_record)
                group by owner
                """).fetchall()
    except StoreNotPublished:
        return {}
    return {owner: n for owner, n in rows}


# --- The assessment ---------------------------------------------------------------------------


def weights_for(partnership) -> dict[str, float]:
    return {w.category: float(w.weight) for w in HarmWeight.objects.filter(partnership=partnership)}


def _key(*parts) -> str:
    return "assessment:" + hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def assessment(partnership, period: Period) -> dict:
    """The whole assessment of the partnership's area for ``period`` (``Assessment.to_dict()``),
    with the partnership's harm weights; cached until the data or the weights change."""
    weights = weights_for(partnership)
    with reading(partnership) as conn:
        # The snapshot's number too: reference data (boundaries, the harm index) changes without an import.
        version = f"{data_version(conn)}.{_generation(current_snapshot())}"
    key = _key("assessment", str(store_path()), partnership.pk, version, partnership.area_codes, str(period),
               weights)
    data = cache.get(key)
    if data is None:
        with reading(partnership) as conn:
            data = engine.assess(conn, partnership.area_codes, period, weights=weights or None).to_dict()
        data["data_version"] = version
        cache.set(key, data, CACHE_SECONDS)
    return data


def report_tables(data: dict, publish: bool = False):
    return report.tables(data, publish)


def chart_svg(partnership, period: Period, key: str, publish: bool) -> str | None:
    data = assessment(partnership, period)
    cache_key = _key("chart", str(store_path()), partnership.pk, data["data_version"], partnership.area_codes,
                     str(period),
                     weights_for(partnership), key, publish)
    svg = cache.get(cache_key)
    if svg is None:
        charts = report.charts(data, report.tables(data, publish), publish)
        if key not in charts:
            return None
        svg = charts[key].svg
        cache.set(cache_key, svg, CACHE_SECONDS)
    return svg


def chart_list(data: dict, publish: bool) -> dict:
    """The charts' titles and descriptions (their SVG is drawn when the image is requested)."""
    return report.charts(data, report.tables(data, publish), publish)


# Raise when the report's layout changes, so that every stored report is rendered again.
REPORT_LAYOUT = 1


def report_inputs(partnership, period: Period, fmt: str, publish: bool) -> list:
    """Everything the report's file depends on, worked out without assessing anything: the data
    the partnership reads (its imports and the store's snapshot), its harm weights, the findings
    as people reviewed them, its name and logo. The stored report's version is their digest."""
    with reading(partnership) as conn:
        version = f"{data_version(conn)}.{_generation(current_snapshot())}"
    reviewed = list(Finding.objects.filter(partnership=partnership, period=str(period))
                    .order_by("pk").values_list("pk", "status", "edited_text", "text", "position"))
    return [REPORT_LAYOUT, str(store_path()), partnership.pk, version, partnership.area_codes, str(period),
            weights_for(partnership), fmt, publish, reviewed, partnership.name, partnership.logo_alt,
            partnership.logo_digest]


def document(partnership, period: Period, fmt: str, publish: bool) -> tuple[bytes, str]:
    """The strategic assessment report, rendered (about a second or more of CPU: the job worker's
    work, through ``assessment.stored_documents``), and its file name."""
    from saferplan.partnership.branding import document_logo

    from .reference import boundary_features

    data = with_reviewed_findings(partnership, assessment(partnership, period))
    with reading(None) as conn:
        boundaries = boundary_features(conn, "lsoa", partnership.area_codes)
    doc = report.build_document(data, publish, boundaries)
    doc.author = partnership.name
    doc.logo = document_logo(partnership)
    return render_document(doc, fmt), download_name(data, "." + fmt, publish)


def with_reviewed_findings(partnership, data: dict) -> dict:
    """The assessment with its findings as people reviewed them: accepted findings in their
    reviewed words, rejected ones left out, drafts kept (the document says they are drafts)."""
    stored = list(Finding.objects.filter(partnership=partnership, period=data["period"]).order_by("position", "pk"))
    if not stored:
        return data
    reviewed = [{"kind": f.kind, "title": f.title, "text": f.final_text, "category": f.category or None,
                 "measure": f.measure, "numbers": f.numbers, "significant": f.significant, "status": f.status,
                 "edited": bool(f.edited_text)}
                for f in stored if f.status != Finding.Status.REJECTED]
    return {**data, "findings": reviewed}


def table_csv(data: dict, key: str, publish: bool) -> str | None:
    table = report.tables(data, publish).get(key)
    return table.to_csv(publish) if table else None


def tables_zip(data: dict, publish: bool) -> bytes:
    buffer = io.BytesIO()
    stem = f"{report.slug(data['area_name'])}-{data['period'].replace(':', '-to-')}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, table in report.tables(data, publish).items():
            archive.writestr(f"{stem}-{report.slug(key)}.csv", table.to_csv(publish))
    return buffer.getvalue()


def download_name(data: dict, suffix: str, publish: bool) -> str:
    stem = f"strategic-assessment-{report.slug(data['area_name'])}-{data['period'].replace(':', '-to-')}"
    return f"{stem}{'-for-publication' if publish else ''}{suffix}"


def map_geojson(partnership, period: Period, level: str, publish: bool = False) -> dict:
    """LSOA or ward boundaries of the area with the period's counts and rates in each feature;
    for publication, a count the tables withhold (and the rate worked out from it) is left out."""
    from saferplan.core.disclosure import is_withheld

    from .disclosure import publication
    from .reference import boundary_features

    data = assessment(partnership, period)
    if publish:
        data = publication(data)

    def value(row: dict, key: str, count: str):
        return None if publish and row and is_withheld(row, count) else row.get(key)

    if level == "lsoa":
        rows = {r["lsoa_code"]: r for r in data["lsoas"]}
        code_field, name_field = "LSOA21CD", "LSOA21NM"
    else:
        rows = {r["ward_code"]: r for r in data["wards"]["rows"]}
        code_field, name_field = "WD25CD", "WD25NM"
    hot = {r["lsoa_code"]: r["classification"] for r in data["hotspots"].get("lsoas", [])}
    features = []
    with reading(None) as conn:
        shapes = boundary_features(conn, level, partnership.area_codes)
    for feature in shapes:
        code = feature["properties"][code_field]
        row = rows.get(code, {})
        feature["properties"] = {
            "code": code, "name": feature["properties"][name_field],
            "crimes": value(row, "crimes", "crimes"), "asb": value(row, "asb", "asb"),
            "population": row.get("population"),
            "crime_rate": value(row, "crime_rate", "crimes"), "asb_rate": value(row, "asb_rate", "asb"),
            "hotspot": hot.get(code) if level == "lsoa" else None,
        }
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def load_reference(paths: list, *, authority: str | None = None, only: list[str] | None = None,
                   progress=None) -> list:
    """Load reference files into the store (``reference.load.load_files``): the command line's,
    the demo's and the boundaries job's one way in. Each file is all or nothing."""
    from .reference.load import load_files

    with writing() as conn:
        return load_files(conn, paths, authority=authority, only=only, progress=progress)


def reference_status(area_codes: list[str] | None = None) -> dict:
    from .reference.load import status

    with reading(None) as conn:
        return status(conn, area_codes)


def authority_names(codes: list[str]) -> list[str]:
    """Local authority names for codes, from the loaded lookup; ``ValueError`` says which codes
    it does not hold (or that no lookup is loaded)."""
    from . import reference

    with reading(None) as conn:
        return reference.authority_names(conn, codes)


def ward_names(area_codes: list[str]) -> list[tuple[str, str]]:
    """(ward code, ward name) of the authorities' loaded ward boundaries, by name."""
    with reading(None) as conn:
        return conn.execute("select ward_code, ward_name from ward_boundary where lad_code in (select unnest(?)) "
                            "order by ward_name, ward_code", [list(area_codes)]).fetchall()


def census_age(area_codes: list[str]) -> dict[str, int]:
    """Census 2021 usual residents of the authorities by age group (empty: not loaded)."""
    from . import reference

    with reading(None) as conn:
        return reference.census_age(conn, list(area_codes))


def boundaries_missing(partnership, level: str = "lsoa") -> str | None:
    """What the pages say when some of the area's boundaries are not loaded (None: all are)."""
    from . import reference

    with reading(None) as conn:
        missing = reference.boundaries_missing(conn, level, partnership.area_codes)
        return reference.missing_message(conn, level, missing) if missing else None



# --- Imports ----------------------------------------------------------------------------------


def upload_root() -> Path:
    return Path(getattr(settings, "ASSESSMENT_UPLOAD_DIR", Path(settings.MEDIA_ROOT) / "assessment-imports"))


def server_import_roots() -> list[Path]:
    """Folders on the server that a manager or analyst may import from (never the whole disk:
    a refused file's message quotes its lines)."""
    configured = getattr(settings, "ASSESSMENT_SERVER_IMPORT_ROOTS", None)
    roots = configured or [Path(settings.DATA_DIR), Path(settings.VAR_DIR) / "imports"]
    return [Path(r).resolve() for r in roots]


def safe_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "upload"


def save_uploads(files) -> Path:
    folder = upload_root() / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    for f in files:
        with open(folder / safe_name(f.name), "wb") as out:
            for chunk in f.chunks():
                out.write(chunk)
    return folder


def max_upload_bytes() -> int:
    """The most an upload may hold (an archive's files expand further; see police.Limits)."""
    return int(getattr(settings, "ASSESSMENT_MAX_UPLOAD_BYTES", 1024 ** 3))


def import_limits() -> police.Limits:
    return police.Limits(**getattr(settings, "ASSESSMENT_IMPORT_LIMITS", {}))


def start_police_upload(partnership, files, user) -> ImportJob:
    folder = save_uploads(files)
    job = ImportJob.objects.create(
        partnership=partnership, kind=ImportJob.Kind.POLICE, created_by=user,
        sources=[safe_name(f.name) for f in files], upload_dir=str(folder),
    )
    _start(job)
    return job


def start_boundary_upload(partnership, files, user) -> ImportJob:
    """Boundaries for the partnership's own authorities, loaded by the worker (it writes the
    store) with the operator's loader: the same checks, and only the area's features."""
    folder = save_uploads(files)
    job = ImportJob.objects.create(
        partnership=partnership, kind=ImportJob.Kind.BOUNDARIES, created_by=user,
        sources=[safe_name(f.name) for f in files], upload_dir=str(folder),
    )
    _start(job)
    return job


def boundary_status(partnership) -> list[dict]:
    """Per authority of the area: whether its LSOA and ward boundaries are loaded, from which
    file and when, and where to get them."""
    from .reference import DATASETS, LSOA_BOUNDARIES, WARD_BOUNDARIES

    with reading(None) as conn:
        loaded = {(d, lad): (src, at) for d, lad, src, at in conn.execute(
            "select dataset, lad_code, source, loaded_at from reference_load where lad_code in (select unnest(?))",
            [list(partnership.area_codes)]).fetchall()}
    names = dict(zip(partnership.area_codes, list(partnership.area_names) + [""] * len(partnership.area_codes)))
    return [{"code": lad, "name": names.get(lad) or lad,
             "levels": [{"title": DATASETS[d]["title"], "where": DATASETS[d]["where"],
                         "source": loaded.get((d, lad), (None, None))[0],
                         "loaded_at": loaded.get((d, lad), (None, None))[1]}
                        for d in (LSOA_BOUNDARIES, WARD_BOUNDARIES)]}
            for lad in partnership.area_codes]


def start_operator_import(paths: list[Path], partnership=None) -> ImportJob:
    """The site operator's import of police.uk files on the server (the national monthly
    archive, say) on the job worker: shared data for every partnership (every force kept), or,
    given a partnership, its own (only the forces serving it)."""
    job = ImportJob.objects.create(
        partnership=partnership, kind=ImportJob.Kind.POLICE, created_by=None,
        sources=[str(Path(p).resolve()) for p in paths], from_server=True, shared=partnership is None,
    )
    _start(job)
    return job


def start_police_server(partnership, folder: Path, user) -> ImportJob:
    job = ImportJob.objects.create(
        partnership=partnership, kind=ImportJob.Kind.POLICE, created_by=user, sources=[str(folder)],
        from_server=True,
    )
    _start(job)
    return job


def start_partner_upload(partnership, upload, dataset: str, user) -> ImportJob:
    """Keep the upload for its column mapping; a file that is not CSV UTF-8 text is refused here
    (``ImportRefused``), before anyone is asked to map its columns, and nothing is kept."""
    folder = save_uploads([upload])
    name = safe_name(upload.name)
    try:
        partner.check_csv(folder / name, name, import_limits())
    except police.ImportRefused:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ImportJob.objects.create(
        partnership=partnership, kind=ImportJob.Kind.PARTNER, created_by=user, dataset=dataset,
        sources=[name], upload_dir=str(folder), status=ImportJob.Status.AWAITING_MAPPING,
    )


def partner_file(job: ImportJob) -> Path:
    return Path(job.upload_dir) / job.sources[0]


def inspect_partner(job: ImportJob) -> dict:
    return partner.inspect_csv(partner_file(job), name=job.sources[0])


def start_partner_import(job: ImportJob, mapping: partner.ColumnMapping, dataset: str) -> ImportJob:
    job.mapping = mapping.to_dict()
    job.dataset = dataset
    job.status = ImportJob.Status.QUEUED
    job.save()
    _start(job)
    return job


def _start(job: ImportJob) -> None:
    """Queue the import for the job worker; the job row is what the page polls meanwhile.

    The queue is in the ORM database, so the worker sees the task when the job row is committed
    with it. (The test profile's backend runs it here and now.)"""
    from .tasks import import_data

    import_data.enqueue(job.pk)
    job.refresh_from_db()


def retry_import(job: ImportJob, user) -> ImportJob:
    """Queue again an import whose worker stopped; its files were kept for this."""
    if not job.stalled:
        raise ValueError("only an interrupted import can be retried")
    if job.upload_dir and not Path(job.upload_dir).is_dir():
        raise ValueError("the files of this import are no longer kept: upload them again")
    jobs.requeue(job)
    log.info("import job %s retried by user %s", job.pk, getattr(user, "pk", None))
    _start(job)
    return job


def abandon_import(job: ImportJob) -> ImportJob:
    """Give up an interrupted import: nothing of it was kept, and its files go now."""
    if not job.stalled:
        raise ValueError("only an interrupted import can be abandoned")
    _end_abandoned(job)
    job.refresh_from_db()
    return job


def _end_abandoned(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message="Interrupted", finished_at=timezone.now(), updated_at=timezone.now(),
        error={"file": None, "line": None, "field": None, "errors": [], "summary": "",
               "message": "The import was interrupted before it finished and was not retried. "
                          "Nothing from it was kept."})
    if job.upload_dir:
        shutil.rmtree(job.upload_dir, ignore_errors=True)


# An interrupted import keeps its files this long for a retry; then they go.
ABANDONED_AFTER = 60 * 60 * 24


def remove_abandoned_uploads() -> int:
    """End interrupted imports nobody retried within a day, and remove upload folders no import
    refers to (left by a process killed between saving the files and recording the job)."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(seconds=ABANDONED_AFTER)
    ended = 0
    for job in ImportJob.objects.filter(status__in=[ImportJob.Status.RUNNING, ImportJob.Status.QUEUED,
                                                    ImportJob.Status.INTERRUPTED], updated_at__lt=cutoff):
        _end_abandoned(job)
        ended += 1
    root = upload_root()
    if root.is_dir():
        known = {Path(d).name for d in ImportJob.objects.exclude(upload_dir="").values_list("upload_dir", flat=True)}
        for folder in root.iterdir():
            if folder.is_dir() and folder.name not in known and folder.stat().st_mtime < cutoff.timestamp():
                shutil.rmtree(folder, ignore_errors=True)
                ended += 1
    return ended


def confirm_import(job: ImportJob, user) -> ImportJob:
    """Run again an import that needed confirming, this time replacing the shrinking months."""
    if job.status != ImportJob.Status.NEEDS_CONFIRMATION:
        raise ValueError("only an import waiting for confirmation can be confirmed")
    job.confirm_shrink = True
    job.confirmed_by = user
    job.status = ImportJob.Status.QUEUED
    job.save()
    _start(job)
    return job


def cancel_import(job: ImportJob) -> ImportJob:
    if job.status != ImportJob.Status.NEEDS_CONFIRMATION:
        raise ValueError("only an import waiting for confirmation can be cancelled")
    job.status = ImportJob.Status.FAILED
    job.message = "Cancelled"
    job.error = {"file": None, "line": None, "field": None, "errors": [], "summary": "",
                 "message": "The import was cancelled: the records held are as they were."}
    job.finished_at = timezone.now()
    job.save()
    if job.upload_dir:
        shutil.rmtree(job.upload_dir, ignore_errors=True)
    return job


def _display(text: str | None, job: ImportJob) -> str | None:
    """Names as the person knows them: an uploaded file by its own name, a server file from the
    import folder it is in; never where the server keeps it."""
    if text is None:
        return text
    if job.upload_dir:
        text = text.replace(job.upload_dir.rstrip("/") + "/", "")
    for root in server_import_roots():
        text = text.replace(str(root).rstrip("/") + "/", "")
    return text


def _police_sources(job: ImportJob) -> list[tuple[str, str]]:
    if job.from_server:
        return [(source, _display(source, job)) for source in job.sources]
    return [(str(Path(job.upload_dir) / name), name) for name in job.sources]


def _confirmed_shrinks(job: ImportJob) -> list[tuple]:
    """The shrinks the person confirmed: exactly the counts their page showed."""
    if not job.confirm_shrink or not job.error:
        return []
    return [(s["force"], s["month"], s["before"], s["after"]) for s in job.error.get("shrinks", [])]


def _made_by(job: ImportJob) -> str:
    who = (job.created_by.full_name or job.created_by.get_username()) if job.created_by else ""
    return f"{who or 'Saferplan'} (import {job.pk})"


def run_import(job_id: int) -> None:
    """Run a queued import (the job worker's task; the demo calls it directly)."""
    job = ImportJob.objects.select_related("partnership").get(pk=job_id)
    # Claim the job: a second task for it (a retry queued twice) finds it taken and stops.
    if not jobs.claim(ImportJob, job.pk):
        log.info("import job %s is not queued (%s): not run again", job.pk, job.status)
        return
    job.refresh_from_db()
    with jobs.running(job):
        _run(job)


def _run(job: ImportJob) -> None:

    def progress(done: int, total: int, message: str) -> None:
        jobs.report_progress(job, done, total, _display(message, job))

    partnership = job.partnership  # None: the site operator's import for everyone
    areas = list(partnership.area_codes) if partnership else []
    owner = None if job.shared or partnership is None else partnership.pk
    if partnership is None:
        made_by = f"the site operator (command line, import {job.pk})"
    else:
        made_by = "the site operator (demo)" if job.shared else _made_by(job)
    try:
        with writing(on_wait=lambda: progress(0, 0, "Waiting for another import into the crime data store to finish")) as conn:
            if job.kind == ImportJob.Kind.BOUNDARIES:
                from .reference.load import load_files

                loaded = load_files(conn, [(str(Path(job.upload_dir) / n), n) for n in job.sources],
                                    only=list(areas), progress=progress)
                result = {"files": [{"file": r.file, "title": r.describe(), "rows": r.rows,
                                     "authorities": r.authorities} for r in loaded],
                          "rows_read": sum(r.rows for r in loaded)}
            elif job.kind == ImportJob.Kind.POLICE:
                result = police.import_police(
                    conn, _police_sources(job), progress=progress, owner=owner,
                    confirm_shrink=_confirmed_shrinks(job), limits=import_limits(),
                    made_by=made_by,
                    # A partnership's import keeps only the forces with records in its area.
                    areas=None if owner is None else areas,
                    own_forces=partnership.police_forces if partnership else []).to_dict()
                in_area = conn.execute(
                    """select count(*), count(*) filter (where lsoa_status = 'name-assigned')
                       from police_record where import_id = ? and lad_code in (select unnest(?))""",
                    [result["import_id"], areas]).fetchone()
                result["rows_in_area"], result["name_assigned_in_area"] = in_area
                result["skipped_members"] = [_display(s, job) for s in result["skipped_members"]]
                result["areas"] = _import_areas(conn, "police_record", result["import_id"])
            else:
                mapping = partner.ColumnMapping(**job.mapping)
                result = partner.import_partner(conn, partner_file(job), mapping, job.dataset,
                                                progress=progress, owner=owner, name=job.sources[0],
                                                limits=import_limits(), made_by=_made_by(job)).to_dict()
                result["rows_in_area"] = conn.execute(
                    "select count(*) from partner_record where import_id = ? and lad_code in (select unnest(?))",
                    [result["import_id"], areas]).fetchone()[0]
                result["areas"] = _import_areas(conn, "partner_record", result["import_id"])
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.SUCCEEDED, result=result, finished_at=timezone.now(),
            message="Finished", updated_at=timezone.now())
    except police.ImportNeedsConfirmation as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.NEEDS_CONFIRMATION, confirm_shrink=False, finished_at=timezone.now(),
            message="Waiting for confirmation", updated_at=timezone.now(),
            error={"file": None, "line": None, "field": None, "errors": [], "summary": str(exc),
                   "message": str(exc),
                   "shrinks": [{"force": f, "month": m, "before": b, "after": a} for f, m, b, a in exc.shrinks]})
    except police.ImportRefused as exc:
        error = {"file": _display(exc.file, job), "line": exc.line, "field": exc.field,
                 "message": _display(exc.reason, job), "summary": _display(str(exc), job),
                 "errors": [{**e, "message": _display(e["message"], job)} for e in getattr(exc, "errors", [])]}
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=error, finished_at=timezone.now(), message="Refused",
            updated_at=timezone.now())
    except Exception as exc:  # noqa: BLE001 - any failure must end the job, not leave it running
        log.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(), message="Failed", updated_at=timezone.now(),
            error={"file": None, "line": None, "field": None, "errors": [], "summary": "",
                   "message": f"The import stopped because of an unexpected problem ({type(exc).__name__}). "
                              "Nothing from it was kept."})
    finally:
        status = ImportJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        keep = status == ImportJob.Status.NEEDS_CONFIRMATION or (
            job.kind == ImportJob.Kind.PARTNER and status == ImportJob.Status.FAILED)
        # A refused partner file stays for a corrected mapping and an import waiting for
        # confirmation keeps its files; everything else is in the store now.
        if job.upload_dir and not keep:
            shutil.rmtree(job.upload_dir, ignore_errors=True)


def _import_areas(conn, table: str, import_id) -> list[str]:
    return [r[0] for r in conn.execute(f"select distinct lad_code from {table} where import_id = ? "
                                       "and lad_code is not null order by 1", [import_id]).fetchall()]


def partnerships_reading_import(job_id: int) -> list[int]:
    """The partnerships whose figures a finished import changed: its own partnership, or for
    shared data every partnership with an area in it."""
    from saferplan.partnership.models import Partnership

    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.SUCCEEDED).first()
    if job is None:
        return []
    if not job.shared:
        return [job.partnership_id]
    areas = set((job.result or {}).get("areas", []))
    return [p.pk for p in Partnership.objects.only("pk", "area_codes") if areas & set(p.area_codes or [])]


def months_present(paths: list[Path]) -> list[str]:
    """police.uk months named by the street-level files in these folders (for the demo)."""
    months = set()
    for path in paths:
        for f in Path(path).rglob("*-street.csv"):
            match = police.STREET_FILE_RE.search(f.name)
            if match:
                months.add(match["month"])
    return sorted(months)


# --- Findings ---------------------------------------------------------------------------------


finding_key = findings.finding_key


@dataclass
class DraftResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # reviewed by a person: never overwritten
    changed_since_review: int = 0


@transaction.atomic
def draft_findings(partnership, period: Period) -> DraftResult:
    """Draft findings from the figures. A finding a person has reviewed is never overwritten:
    if the figures now say something else, the new draft is set beside it for them to see."""
    data = assessment(partnership, period)
    drafted = data["findings"]
    existing = {f.key: f for f in Finding.objects.select_for_update().filter(partnership=partnership, period=str(period))}
    result = DraftResult()
    seen = set()
    for position, f in enumerate(drafted):
        key = finding_key(f)
        if key in seen:
            continue
        seen.add(key)
        values = {"kind": f["kind"], "title": f["title"][:300], "measure": f["measure"] or "",
                  "category": f["category"] or "", "numbers": f["numbers"], "significant": f["significant"],
                  "position": position}
        current = existing.get(key)
        if current is None:
            Finding.objects.create(partnership=partnership, period=str(period), key=key, text=f["text"], **values)
            result.created += 1
        elif current.reviewed:
            result.kept += 1
            if f["text"] != current.text and f["text"] != current.redrafted_text:
                current.redrafted_text = f["text"]
                current.save(update_fields=["redrafted_text"])
                result.changed_since_review += 1
        elif current.text != f["text"] or current.position != position:
            for name, value in values.items():
                setattr(current, name, value)
            current.text = f["text"]
            current.drafted_at = timezone.now()
            current.save()
            result.updated += 1
    for key, f in existing.items():
        if key not in seen and not f.reviewed:
            f.delete()
            result.removed += 1
    return result


def review_finding(finding: Finding, *, status: str, text: str, note: str, user) -> Finding:
    text = text.strip()
    finding.edited_text = "" if text == finding.text.strip() else text
    finding.status = status
    finding.review_note = note.strip()
    finding.reviewed_by = user
    finding.reviewed_at = timezone.now()
    finding.save()
    return finding


def take_redraft(finding: Finding, user) -> Finding:
    """Replace a reviewed finding's text with the new draft; it goes back to draft for review."""
    finding.text = finding.redrafted_text
    finding.redrafted_text = ""
    finding.edited_text = ""
    finding.status = Finding.Status.DRAFTED
    finding.reviewed_by = user
    finding.reviewed_at = timezone.now()
    finding.save()
    return finding


# --- Harm weights -----------------------------------------------------------------------------


def harm_weight_rows(partnership) -> list[dict]:
    base = harm_weights()
    custom = {w.category: w for w in HarmWeight.objects.filter(partnership=partnership)}
    rows = []
    for category, weight in base.weights.items():
        basis = base.basis.get(category, {})
        rows.append({"category": category, "default": weight, "custom": custom.get(category),
                     "groups": ", ".join(g.title() for g in basis.get("cchi_groups", [])),
                     "offences": basis.get("offences"), "min": basis.get("min"), "max": basis.get("max")})
    return rows


@transaction.atomic
def save_harm_weights(partnership, weights: dict[str, float | None], reason: str) -> list[str]:
    """Save the analyst's weights (None: back to the CCHI weight); returns the categories changed."""
    base = harm_weights().weights
    changed = []
    for category, value in weights.items():
        current = HarmWeight.objects.filter(partnership=partnership, category=category).first()
        if value is None or float(value) == base.get(category):
            if current:
                current.delete()
                changed.append(category)
            continue
        if current is None:
            HarmWeight.objects.create(partnership=partnership, category=category, weight=value, reason=reason)
            changed.append(category)
        elif float(current.weight) != float(value):
            current.weight, current.reason = value, reason
            current.save()
            changed.append(category)
    return changed


# --- Periods ----------------------------------------------------------------------------------


def period_choices(months: list[dict]) -> list[tuple[str, str]]:
    return [(m["month"], m["label"]) for m in reversed(months)]


def period_from(end: str | None, length: int | None, months: list[dict]) -> Period | None:
    if not months:
        return None
    if not end:
        return default_period(months, length or 12)
    return Period.ending(parse_month(end), length or 12)
