"""Import of police.uk street-level files (crime and anti-social behaviour) for any force.

Input may be folders, CSV files or the monthly archive zip (members ``YYYY-MM/YYYY-MM-<force>-street.csv``;
outcomes and stop-and-search members are skipped). The import is all or nothing: any problem
raises :class:`ImportRefused` naming the file, line and field, and the store is left as it was.

Checking is set-based in DuckDB (every column read as text, then checked with SQL); only when a
check fails is the offending file re-read with Python's csv module, which knows exact line
numbers (quoted fields may span lines, so a row number is not a line number).
"""
from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from saferplan.wording import counted

from .reference import LSOA_NAME_SUFFIX

POLICE_COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
STAGE_COLUMNS = [
    "crime_id",
    "month",
    "reported_by",
    "falls_within",
    "lon",
    "lat",
    "location",
    "lsoa_code",
    "lsoa_name",
    "category",
    "outcome",
    "context",
]
STREET_FILE_RE = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-street\.csv$", re.I)
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# Files are read in batches of about this many bytes so progress can be reported as we go.
BATCH_BYTES = 64 * 1024 * 1024

Progress = Callable[[int, int, str], None]


class ImportRefused(Exception):
    """The import was refused and nothing of it was kept."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None):
        where = ", ".join(
            part
            for part in (file, f"line {line}" if line else None, f"field {field!r}" if field else None)
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.line, self.field, self.reason = file, line, field, message


@dataclass
class SourceFile:
    path: Path  # readable file on disk (a zip member is extracted first)
    name: str  # what the user recognises: path, or zip!member
    month: str | None  # from the police.uk file name, if it follows the convention
    force: str | None

    @classmethod
    def make(cls, path: Path, name: str) -> "SourceFile":
        match = STREET_FILE_RE.search(Path(name).name)
        if match:
            return cls(path, name, match["month"], match["force"].lower())
        return cls(path, name, None, None)


@dataclass
class PoliceImportResult:
    import_id: int
    files: int
    rows_read: int
    forces: list[str]
    months: list[str]
    rows_no_location: int
    rows_name_assigned: int
    rows_unmatched: int
    rows_replaced: int
    skipped_members: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _noop(done: int, total: int, message: str) -> None:
    pass


def collect_files(sources: Iterable[str | Path], workdir: Path) -> tuple[list[SourceFile], list[str]]:
    """Street-level files named by folders, files and zips; zips are extracted into workdir.

    Returns the files and the names of the zip members skipped (outcomes, stop and search).
    """
    files: list[SourceFile] = []
    skipped: list[str] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and STREET_FILE_RE.search(p.name))
            zips = sorted(p for p in path.rglob("*.zip") if p.is_file())
            if not found and not zips:
                raise ImportRefused("no police.uk street-level files (YYYY-MM-<force>-street.csv) here",
                                    file=str(path))
            files += [SourceFile.make(p, str(p)) for p in found]
            for archive in zips:
                more, skip = _extract_zip(archive, workdir)
                files += more
                skipped += skip
        elif path.is_file() and zipfile.is_zipfile(path):
            more, skip = _extract_zip(path, workdir)
            files += more
            skipped += skip
        elif path.is_file() and path.suffix.lower() == ".zip":
            raise ImportRefused("the zip archive is damaged or incomplete (truncated download?)",
                                file=str(path))
        elif path.is_file():
            files.append(SourceFile.make(path, str(path)))
        else:
            raise ImportRefused("no such file or folder", file=str(path))
    return files, skipped


def _extract_zip(archive: Path, workdir: Path) -> tuple[list[SourceFile], list[str]]:
    files, skipped = [], []
    target = Path(tempfile.mkdtemp(dir=workdir))
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                name = f"{archive}!{info.filename}"
                if not STREET_FILE_RE.search(info.filename):
                    skipped.append(name)
                    continue
                out = target / f"{len(files):05d}-{Path(info.filename).name}"
                try:
                    with zf.open(info) as src, open(out, "wb") as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
                except (zipfile.BadZipFile, EOFError, OSError) as exc:
                    raise ImportRefused(f"cannot be read from the archive ({exc})", file=name) from exc
                files.append(SourceFile.make(out, name))
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"the zip archive is damaged or incomplete ({exc})", file=str(archive)) from exc
    if not files:
        raise ImportRefused("the archive holds no street-level files (YYYY-MM/YYYY-MM-<force>-street.csv)",
                            file=str(archive))
    return files, skipped


def check_header(source: SourceFile) -> None:
    with open(source.path, "rb") as handle:
        first = handle.readline()
    if not first:
        raise ImportRefused("the file is empty; expected the police.uk header", file=source.name, line=1)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("the header is not UTF-8 text", file=source.name, line=1) from None
    header = [h.strip() for h in next(csv.reader([text]), [])]
    if header == POLICE_COLUMNS:
        return
    for position, expected in enumerate(POLICE_COLUMNS):
        found = header[position] if position < len(header) else None
        if found != expected:
            shown = repr(found) if found is not None else "nothing"
            raise ImportRefused(
                f"wrong header: column {position + 1} should be {expected!r}, found {shown} "
                f"(expected the 12 police.uk "
                f"street-level columns: {', '.join(POLICE_COLUMNS)})",
                file=source.name, line=1)
    raise ImportRefused(
        f"wrong header: {len(header)} columns, expected the 12 police.uk street-level columns",
        file=source.name, line=1)


def find_problem(source: SourceFile) -> ImportRefused | None:
    """Re-read one file with the csv module and describe its first problem, with line and field."""
    with open(source.path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                return ImportRefused(f"not UTF-8 text ({exc.reason} at byte {exc.start})",
                                     file=source.name, line=number)
    with open(source.path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        first_month = None
        try:
            next(reader, None)
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) != len(POLICE_COLUMNS):
                    return ImportRefused(
                        f"unreadable row: {len(row)} fields, expected {len(POLICE_COLUMNS)}",
                        file=source.name, line=line)
                record = dict(zip(POLICE_COLUMNS, row))
                month = record["Month"]
                if not re.match(MONTH_PATTERN, month):
                    return ImportRefused(f"bad month {month!r}: expected YYYY-MM",
                                         file=source.name, line=line, field="Month")
                expected = source.month or first_month
                if expected and month != expected:
                    why = "the file name" if source.month else "the file's first row"
                    return ImportRefused(f"month {month!r} does not match {why} ({expected})",
                                         file=source.name, line=line, field="Month")
                first_month = first_month or month
                for name in ("Longitude", "Latitude"):
                    value = record[name].strip()
                    if value:
                        try:
                            float(value)
                        except ValueError:
                            return ImportRefused(f"{value!r} is not a number",
                                                 file=source.name, line=line, field=name)
                if not record["Crime type"].strip():
                    return ImportRefused("the crime type is empty", file=source.name, line=line,
                                         field="Crime type")
        except csv.Error as exc:
            return ImportRefused(f"unreadable row ({exc})", file=source.name, line=reader.line_num)
    return None


def _batches(files: list[SourceFile]) -> Iterable[list[SourceFile]]:
    batch, size = [], 0
    for source in files:
        batch.append(source)
        size += source.path.stat().st_size
        if size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _read_sql(paths: list[str]) -> str:
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in STAGE_COLUMNS) + "}"
    listing = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
    # Every field is read as text so that nothing is coerced or dropped before it is checked.
    return (
        f"select * from read_csv({listing}, header = true, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', columns = {columns}, filename = true, "
        f"strict_mode = true, null_padding = false)"
    )


def _refuse_for(batch: list[SourceFile], error: Exception | None = None) -> ImportRefused:
    for source in batch:
        problem = find_problem(source)
        if problem:
            return problem
    names = ", ".join(s.name for s in batch)
    return ImportRefused(f"cannot be read ({error})", file=names)


def import_police(conn: duckdb.DuckDBPyConnection, sources: Iterable[str | Path],
                  progress: Progress | None = None) -> PoliceImportResult:
    """Import street-level files into ``police_record``; all or nothing.

    Records are kept whatever their area (the store serves every partnership); each is resolved
    to a local authority by its 2021 LSOA code, or, for older codes, by the authority its LSOA
    name names. A force-month already in the store is replaced.
    """
    progress = progress or _noop
    sources = [str(s) for s in sources]
    started = datetime.now()
    with tempfile.TemporaryDirectory(prefix="saferplan-import-") as tmp:
        files, skipped = collect_files(sources, Path(tmp))
        total_steps = len(files) + 2
        for source in files:
            check_header(source)
        seen: dict[tuple[str, str], str] = {}
        for source in files:
            if source.month and source.force:
                key = (source.force, source.month)
                if key in seen:
                    raise ImportRefused(f"{source.force} {source.month} is given twice "
                                        f"(also in {seen[key]})", file=source.name)
                seen[key] = source.name
        cursor = conn.cursor()
        try:
            return _import(cursor, files, skipped, sources, started, progress, total_steps)
        finally:
            cursor.close()


def _import(conn, files, skipped, sources, started, progress, total_steps) -> PoliceImportResult:
    conn.execute("create or replace temp table police_file (filename varchar, name varchar, "
                 "month varchar, force varchar)")
    conn.executemany("insert into police_file values (?, ?, ?, ?)",
                     [(str(s.path), s.name, s.month, s.force) for s in files])
    unconventional = [s for s in files if not (s.month and s.force)]
    if unconventional:
        # Files not named the police.uk way take their month from their rows and their force
        # from "Falls within" ("Leicestershire Police" -> leicestershire, police.uk's own file
        # slug), so that re-importing them still replaces the right force-month.
        try:
            conn.execute(
                f"""
                update police_file f set month = coalesce(f.month, s.month), force = coalesce(f.force, s.force)
                from (
                    select filename, min(month) as month,
                           lower(regexp_replace(regexp_replace(trim(min(falls_within)),
                               ' (Police Service|Police|Constabulary)$', ''), '[^A-Za-z0-9]+', '-', 'g')) as force
                    from ({_read_sql([str(s.path) for s in unconventional])}) group by filename
                ) s
                where s.filename = f.filename
                """
            )
        except duckdb.Error as exc:
            raise _refuse_for(unconventional, exc) from exc
        unnamed = conn.execute("select name from police_file where force is null").fetchall()
        if unnamed:
            raise ImportRefused("the file has no rows and its name does not say its force and "
                                "month (police.uk names files YYYY-MM-<force>-street.csv)",
                                file=unnamed[0][0])
        duplicates = conn.execute(
            "select force, month, list(name) from police_file group by all having count(*) > 1"
        ).fetchall()
        if duplicates:
            force, month, names = duplicates[0]
            raise ImportRefused(f"{force} {month} is given twice ({', '.join(names)})", file=names[-1])

    conn.execute("begin transaction")
    try:
        import_id = conn.execute("select nextval('import_id_seq')").fetchone()[0]
        replaced = conn.execute(
            """
            delete from police_record r using police_file f
            where r.force = f.force and r.month = cast(f.month || '-01' as date)
            """
        ).fetchone()[0]
        done = 0
        for batch in _batches(files):
            try:
                conn.execute(_insert_sql([str(s.path) for s in batch]), [import_id])
            except duckdb.Error as exc:
                conn.execute("rollback")
                raise _refuse_for(batch, exc) from exc
            done += len(batch)
            progress(done, total_steps, f"Read and checked {done} of {counted(len(files), 'file')}")
        conn.execute(
            """
            insert into import_file
            select ?, f.name, f.force, f.month, coalesce(n.rows, 0)
            from police_file f left join (
                select force, strftime(month, '%Y-%m') as month, count(*) as rows
                from police_record where import_id = ? group by all
            ) n using (force, month)
            """,
            [import_id, import_id],
        )
        stats = conn.execute(
            """
            select count(*),
                   count(*) filter (where lsoa_status = 'none'),
                   count(*) filter (where lsoa_status = 'name-assigned'),
                   count(*) filter (where lsoa_status = 'unmatched')
            from police_record where import_id = ?
            """,
            [import_id],
        ).fetchone()
        forces = sorted({r[0] for r in conn.execute("select distinct force from police_file").fetchall()})
        months = sorted({r[0] for r in conn.execute("select distinct month from police_file").fetchall()})
        conn.execute(
            """
            insert into import_log (import_id, kind, started_at, finished_at, sources, forces,
                months, rows_read, rows_no_location, rows_name_assigned, rows_unmatched,
                rows_replaced, message)
            values (?, 'police', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [import_id, started, datetime.now(), sources, forces, months, *stats, replaced,
             f"{counted(len(files), 'file')}; {counted(len(skipped), 'non-street archive member')} skipped"],
        )
        progress(len(files) + 1, total_steps, "Checked every row")
        conn.execute("commit")
    except ImportRefused:
        raise
    except BaseException:
        conn.execute("rollback")
        raise
    finally:
        conn.execute("drop table if exists police_file")
    progress(total_steps, total_steps, f"Stored {stats[0]:,} records")
    return PoliceImportResult(
        import_id=import_id, files=len(files), rows_read=stats[0], forces=forces, months=months,
        rows_no_location=stats[1], rows_name_assigned=stats[2], rows_unmatched=stats[3],
        rows_replaced=replaced, skipped_members=skipped,
    )


def _insert_sql(paths: list[str]) -> str:
    """Read, check, resolve and store in one pass.

    Every field is read as text; a row that breaks a rule stops the statement through DuckDB's
    error(), the transaction is rolled back and the file is re-read to name the line. The LSOA
    name is only parsed for rows whose code is not a 2021 code.
    """
    bad_row = f"""
        s.month is null or s.month <> f.month or not regexp_matches(s.month, '{MONTH_PATTERN}')
        or (s.lon is not null and try_cast(s.lon as double) is null)
        or (s.lat is not null and try_cast(s.lat as double) is null)
        or s.category is null or trim(s.category) = ''
    """
    return f"""
        insert into police_record
        select
            ?, f.force,
            case when {bad_row} then cast(error('bad row in ' || s.filename) as date)
                 else cast(s.month || '-01' as date) end,
            s.crime_id, s.reported_by, s.falls_within,
            try_cast(s.lon as double), try_cast(s.lat as double), s.location,
            code, s.lsoa_name,
            coalesce(l.lad_code, a.lad_code),
            case
                when code is null then 'none'
                when l.lsoa_code is not null then '2021'
                when a.lad_code is not null then 'name-assigned'
                else 'unmatched'
            end,
            trim(s.category), s.outcome, s.context
        from (select *, nullif(trim(lsoa_code), '') as code from ({_read_sql(paths)})) s
        join police_file f using (filename)
        left join lsoa l on l.lsoa_code = s.code
        left join authority_name a
            on a.name = case when l.lsoa_code is null and s.code is not null
                             then regexp_replace(trim(s.lsoa_name), '{LSOA_NAME_SUFFIX}', '') end
    """
