"""Import of police.uk street-level files (crime and anti-social behaviour) for any force.

Input may be folders, CSV files or the monthly archive zip (members ``YYYY-MM/YYYY-MM-<force>-street.csv``;
outcomes and stop-and-search members are skipped). The import is all or nothing: any problem
raises :class:`ImportRefused` naming the file (as the person gave it: an upload's own name, or
zip!member; never a server path), line and field, and the store is left as it was.

An import belongs to an owner (None: shared data loaded by the operator; else a partnership id)
and replaces only that owner's records of the force-months it holds. Files that DuckDB might read
as fewer rows than they hold (a header alone, a line longer than any police.uk line) are refused,
every file's rows read are checked against its own record count, and an import that would leave
a force-month with less than half the records its owner reads today needs confirming.

Checking is set-based in DuckDB (every column read as text, coordinates as numbers, then checked
with SQL); only when a check fails is the offending file re-read with Python's csv module, which
knows exact line numbers (quoted fields may span lines, so a row number is not a line number).
Python counts each file's records while DuckDB stores them (docs/adr/0011-store-layout.md).
"""
from __future__ import annotations

import codecs
import csv
import re
import tempfile
import threading
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import repeat
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import numpy as np

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
# Columns read as other than text (see _read_sql).
STAGE_TYPES = {"lon": "DOUBLE", "lat": "DOUBLE"}
STREET_FILE_RE = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-street\.csv$", re.I)
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# Files are counted (count_records) a chunk of this many bytes at a time.
SCAN_CHUNK_BYTES = 1 << 20
# A force-month that would keep less than this share of the records its owner reads today is
# only replaced when the person confirms it (a subset or a wrong file looks like a fall in crime).
SHRINK_SHARE = 0.5


@dataclass(frozen=True)
class Limits:
    """What an import reads before refusing: police.uk lines are under 1 KB and its CSV text
    compresses about ten times, so these leave room for real data and none for a zip bomb or a
    line DuckDB would silently read as nothing (it returns 0 rows for lines of 32 MB or more)."""

    max_line_bytes: int = 64 * 1024
    max_member_ratio: int = 100
    max_unzipped_bytes: int = 8 * 1024 ** 3
    # The whole police.uk archive (every force, three years) has under 2,000 street-level files.
    max_members: int = 10_000

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


class ImportNeedsConfirmation(ImportRefused):
    """Nothing was kept: the import would shrink force-months drastically and was not confirmed.

    ``shrinks`` lists (force, month, records read today, records in the new files).
    """

    def __init__(self, shrinks: list[tuple[str, str, int, int]]):
        parts = [f"{force} {month}: {before:,} records now, {after:,} in the new file"
                 for force, month, before, after in shrinks]
        super().__init__("the import would replace " + "; ".join(parts)
                         + ". Confirm that the new files are complete to replace them anyway")
        self.shrinks = shrinks


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
    # Forces of the input with no record in the partnership's area (police_sources).
    skipped_forces: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _noop(done: int, total: int, message: str) -> None:
    pass


# A source is a path, or a (path, name) pair: the name is what messages call it.
Source = "str | Path | tuple[str | Path, str]"


def _named(source: Source) -> tuple[Path, str]:
    """A source and the name its messages use: a (path, name) pair names an uploaded file by the
    name the person gave it, so that no message shows where the server keeps it."""
    if isinstance(source, tuple):
        return Path(source[0]), source[1]
    return Path(source), str(source)


def collect_files(sources: Iterable[Source], workdir: Path,
                  limits: Limits | None = None) -> tuple[list[SourceFile], list[str]]:
    """Street-level files named by folders, files and zips; zips are extracted into workdir.

    Returns the files and the names of the zip members skipped (outcomes, stop and search).
    A file given by name is read whatever it is called; in a folder, only files named the
    police.uk way are (a folder may hold other things).
    """
    limits = limits or Limits()
    files: list[SourceFile] = []
    skipped: list[str] = []
    for source in sources:
        path, name = _named(source)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and STREET_FILE_RE.search(p.name))
            zips = sorted(p for p in path.rglob("*.zip") if p.is_file())
            if not found and not zips:
                raise ImportRefused("no police.uk street-level files (YYYY-MM-<force>-street.csv) here",
                                    file=name)
            inside = lambda p: f"{name.rstrip('/')}/{p.relative_to(path)}"  # noqa: E731
            files += [SourceFile.make(p, inside(p)) for p in found]
            for archive in zips:
                more, skip = _extract_zip(archive, inside(archive), workdir, limits)
                files += more
                skipped += skip
        elif path.is_file() and zipfile.is_zipfile(path):
            more, skip = _extract_zip(path, name, workdir, limits)
            files += more
            skipped += skip
        elif path.is_file() and path.suffix.lower() == ".zip":
            raise ImportRefused("the zip archive is damaged or incomplete (truncated download?)",
                                file=name)
        elif path.is_file():
            files.append(SourceFile.make(path, name))
        else:
            raise ImportRefused("no such file or folder", file=name)
    return files, skipped


def _check_archive(members: list[zipfile.ZipInfo], archive_name: str, limits: Limits) -> None:
    """Refuse an archive from its directory alone, before a byte of it is extracted."""
    if len(members) > limits.max_members:
        raise ImportRefused(f"the archive holds {len(members):,} street-level files, more than the "
                            f"{limits.max_members:,} accepted in one import", file=archive_name)
    total = 0
    for info in members:
        name = f"{archive_name}!{info.filename}"
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_member_ratio:
            raise ImportRefused(
                f"expands {ratio:,.0f} times ({info.compress_size:,} bytes to {info.file_size:,}); "
                f"police.uk files expand about 10 times and at most {limits.max_member_ratio} "
                "are accepted, so the archive was not opened", file=name)
        total += info.file_size
    if total > limits.max_unzipped_bytes:
        raise ImportRefused(
            f"the archive's street-level files expand to {total / 1024 ** 3:,.1f} GiB, more than "
            f"the {limits.max_unzipped_bytes / 1024 ** 3:,.1f} GiB accepted in one import; "
            "import it in parts", file=archive_name)


def _extract_zip(archive: Path, archive_name: str, workdir: Path,
                 limits: Limits) -> tuple[list[SourceFile], list[str]]:
    files, skipped = [], []
    target = Path(tempfile.mkdtemp(dir=workdir))
    try:
        with zipfile.ZipFile(archive) as zf:
            wanted = []
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if STREET_FILE_RE.search(info.filename):
                    wanted.append(info)
                else:
                    skipped.append(f"{archive_name}!{info.filename}")
            _check_archive(wanted, archive_name, limits)
            for info in wanted:
                name = f"{archive_name}!{info.filename}"
                out = target / f"{len(files):05d}-{Path(info.filename).name}"
                written = 0
                try:
                    with zf.open(info) as src, open(out, "wb") as dst:
                        while chunk := src.read(1 << 20):
                            written += len(chunk)
                            # The directory's sizes are the sender's word: hold it to them.
                            if written > info.file_size:
                                raise ImportRefused("holds more than the archive says it does",
                                                    file=name)
                            dst.write(chunk)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
                    raise ImportRefused(f"cannot be read from the archive ({_plain(exc)})",
                                        file=name) from exc
                files.append(SourceFile.make(out, name))
    except (zipfile.BadZipFile, zlib.error, ValueError, NotImplementedError) as exc:
        raise ImportRefused(f"the zip archive is damaged or incomplete ({_plain(exc)})",
                            file=archive_name) from exc
    if not files:
        raise ImportRefused("the archive holds no street-level files (YYYY-MM/YYYY-MM-<force>-street.csv)",
                            file=archive_name)
    return files, skipped


def _plain(exc: Exception) -> str:
    """An exception's text without any file system path in it (messages never show the server's).
    Only absolute paths go: a zip member's own folder ("2024-08/...") stays."""
    text = str(exc)
    return re.sub(r"""(?<![\w.-])(?:[A-Za-z]:)?[\\/][^\s'"]*""", "a file", text) or type(exc).__name__


def records_mismatch(got: int, want: int) -> str:
    if got < want:
        return (f"only {got:,} of the file's {want:,} records could be read; the file is damaged or "
                "is not CSV data")
    return (f"{got:,} records were read from a file whose lines hold {want:,}: a quote (\") is "
            "probably not closed, so the file's rows are not what they seem")


def scan_file(source: SourceFile, limits: Limits | None = None) -> int:
    """How many records a police file holds (header excluded); see :func:`count_records`."""
    return count_records(source.path, source.name, limits)


# What common files that are not CSV text begin with, to say what was given instead.
NOT_CSV = [
    (b"\xff\xfe", "is UTF-16 text"), (b"\xfe\xff", "is UTF-16 text"),
    (b"PK\x03\x04", "is a zip file or an Excel workbook, not CSV text"),
    (b"\x89PNG", "is a PNG image, not CSV text"), (b"%PDF", "is a PDF document, not CSV text"),
    (b"\xd0\xcf\x11\xe0", "is an old Excel or Word file, not CSV text"),
]


_BLANK_LINE = re.compile(rb"\n[\r \t]*\n")
# What a blank line's first byte is (its newline, or the white space before it).
_BLANK_STARTS = np.frombuffer(b"\n\r \t", dtype=np.uint8)


def _newlines(chunk: bytes) -> np.ndarray:
    """Where the chunk's newlines are (numpy finds them ten times faster than bytes.count and a
    regular expression walk the chunk)."""
    return np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)


def _whole_records(chunk: bytes, newlines: np.ndarray, max_line_bytes: int) -> bool:
    """Whether the lines between the chunk's first and last newline (``newlines``, at least two)
    are each a record: none blank, none longer than ``max_line_bytes`` and none with an odd
    number of quotes."""
    if int(np.diff(newlines).max()) - 1 > max_line_bytes:
        return False
    first_bytes = np.frombuffer(chunk, dtype=np.uint8)[newlines[:-1] + 1]
    lines = slice(int(newlines[0]), int(newlines[-1]) + 1)
    # Only a line that starts with a newline or white space can be blank: the pattern looks
    # for one only in chunks that hold such a line (police.uk lines start with an id or a comma).
    if np.isin(first_bytes, _BLANK_STARTS).any() and _BLANK_LINE.search(chunk, lines.start, lines.stop):
        return False
    if b'"' in chunk[lines]:
        split = chunk[lines.start + 1:lines.stop - 1].split(b"\n")
        if any(map((1).__and__, map(bytes.count, split, repeat(b'"')))):
            return False
    return True


def count_records(path: Path, name: str, limits: Limits | None = None) -> int:
    """How many records the file holds (header excluded), read in chunks, never a line at once.

    Counting here lets an import check that DuckDB read every record: a line of 32 MB or more
    reads as no rows at all. A file that is not UTF-8 text, a line longer than any CSV line we
    import, an empty file and a header alone are refused with the line they are on.
    """
    limits = limits or Limits()
    records = lines = 0
    length = quotes = 0
    content = False
    decoder = codecs.getincrementaldecoder("utf-8")()
    cr_only = False
    with open(path, "rb") as handle:
        first = True
        while chunk := handle.read(SCAN_CHUNK_BYTES):
            if first:
                for magic, what in NOT_CSV:
                    if chunk.startswith(magic):
                        raise ImportRefused(f"the file {what}: save it as CSV UTF-8", file=name, line=1)
                cr_only = b"\r" in chunk.strip(b"\r") and b"\n" not in chunk
                first = False
            try:
                # ASCII is UTF-8: only a chunk with other bytes (or after a cut character) is decoded.
                if not chunk.isascii() or decoder.getstate()[0]:
                    decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk[:exc.start].count(b"\n") + 1
                raise ImportRefused("not UTF-8 text: save it as CSV UTF-8", file=name, line=line) from None
            if b"\x00" in chunk:
                line = lines + chunk[:chunk.index(b"\x00")].count(b"\n") + 1
                raise ImportRefused("the file holds binary data, not CSV text: save it as CSV UTF-8",
                                    file=name, line=line)
            # The whole lines between the chunk's first and last newline are checked at once (C
            # speed, ten times faster than line by line on police.uk files): when none is too
            # long, blank or has an odd number of quotes, each is one record, which is what the
            # line-by-line walk below would count. Otherwise the walk does it and names the line.
            newlines = _newlines(chunk)
            start = 0
            if (len(newlines) > 1 and (quotes + chunk.count(b'"', 0, int(newlines[0]))) % 2 == 0
                    and _whole_records(chunk, newlines, limits.max_line_bytes)):
                pieces = [chunk[:int(newlines[0])], chunk[int(newlines[-1]) + 1:]]
                start = len(newlines) - 1
            else:
                pieces = chunk.split(b"\n")
            for i, piece in enumerate(pieces):
                length += len(piece)
                if length > limits.max_line_bytes:
                    raise ImportRefused(
                        f"the line is longer than {limits.max_line_bytes:,} bytes (police.uk and "
                        "partner CSV lines are under 1,000): the file is damaged or is not CSV data",
                        file=name, line=lines + 1)
                quotes += piece.count(b'"')
                content = content or bool(piece.strip(b"\r \t"))
                if i == len(pieces) - 1:
                    break
                lines += 1
                length = 0
                # A quoted field may hold a newline: the record goes on to the next line.
                if quotes % 2 == 0:
                    records += content
                    quotes, content = 0, False
                if i == 0 and start:
                    # The first piece ended a record (checked above: no quote was open), and
                    # the middle lines are whole records.
                    lines += start
                    records += start
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportRefused("not UTF-8 text (it ends part-way through a character): save it as "
                                "CSV UTF-8", file=name, line=lines + 1) from None
    if content:
        records += 1
    if lines == 0 and cr_only:
        raise ImportRefused("the lines end with a carriage return alone (an old Mac format): save it as "
                            "CSV UTF-8", file=name, line=1)
    if records == 0:
        raise ImportRefused("the file is empty; expected a header line and records", file=name, line=1)
    if records == 1:
        raise ImportRefused("the file has a header but no records: an empty file is not imported "
                            "(it would replace what is held with nothing)", file=name, line=2)
    return records - 1


def check_header(source: SourceFile) -> None:
    with open(source.path, "rb") as handle:
        first = handle.readline()
    if not first:
        raise ImportRefused("the file is empty; expected the police.uk header", file=source.name, line=1)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("the header is not UTF-8 text", file=source.name, line=1) from None
    try:
        header = [h.strip() for h in next(csv.reader([text]), [])]
    except csv.Error as exc:
        raise ImportRefused(f"the header is not a CSV line ({exc})", file=source.name, line=1) from None
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


def _read_sql(paths: list[str], *, file_index: bool = False) -> str:
    columns = "{" + ", ".join(f"'{c}': '{STAGE_TYPES.get(c, 'VARCHAR')}'" for c in STAGE_COLUMNS) + "}"
    listing = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"
    # Every field is read as text so that nothing is coerced or dropped before it is checked,
    # but coordinates: the reader parses them as numbers (as try_cast would, at less cost) and a
    # value that is not one stops the read (strict mode), so nothing is dropped either.
    # Each row names its file by its path, or (file_index) by its place in ``paths``: a number
    # is cheaper to carry and to join on than the path's text.
    return (
        f"select *{', file_index' if file_index else ''} from read_csv({listing}, header = true, "
        f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = {columns}, "
        f"filename = {'false' if file_index else 'true'}, strict_mode = true, null_padding = false)"
    )


def _refuse_for(batch: list[SourceFile], error: Exception | None = None) -> ImportRefused:
    # DuckDB's message usually names the file: re-read that one first, not every file before it.
    text = str(error or "")
    batch = sorted(batch, key=lambda s: str(s.path) not in text)
    for source in batch:
        problem = find_problem(source)
        if problem:
            return problem
    names = ", ".join(s.name for s in batch)
    return ImportRefused(f"cannot be read ({_plain(error) if error else 'unknown problem'})", file=names)


def import_police(conn: duckdb.DuckDBPyConnection, sources: Iterable[Source],
                  progress: Progress | None = None, *, owner: int | None = None,
                  confirm_shrink: bool | Iterable = False, limits: Limits | None = None,
                  made_by: str | None = None, areas: list[str] | None = None,
                  own_forces: list[str] = ()) -> PoliceImportResult:
    """Import street-level files into ``police_record`` for ``owner``; all or nothing.

    ``sources`` are paths, or (path, name) pairs naming each as the person knows it. Records are
    kept whatever their area; each is resolved to a local authority by its 2021 LSOA code, or,
    for older codes, by the authority its LSOA name names. The owner's records of a force-month
    in the files are replaced (shared records only by a shared import); a force-month that would
    fall below half of what the owner reads today raises :class:`ImportNeedsConfirmation`
    unless ``confirm_shrink`` is True, or lists every such (force, month, before, after).
    ``areas`` (a partnership's authorities) keeps only its ``own_forces`` and the forces with
    records in them (:mod:`.police_sources`); the others are listed in ``skipped_forces``.
    """
    progress = progress or _noop
    limits = limits or Limits()
    sources = list(sources)
    names = [_named(s)[1] for s in sources]
    started = datetime.now()
    with tempfile.TemporaryDirectory(prefix="saferplan-import-") as tmp:
        files, skipped = collect_files(sources, Path(tmp), limits)
        skipped_forces = []
        if areas is not None:
            from .police_sources import forces_in_area

            files, skipped_forces = forces_in_area(conn, files, areas, own_forces)
            if not files:
                raise ImportRefused(
                    "no force in the files serves the area (" + ", ".join(areas) + ") or has a record in "
                    "it; skipped: " + "; ".join(f.describe() for f in skipped_forces)
                    + ". Import the files of the force that serves the area", file=", ".join(names))
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
            stored, expected = _store_while_counting(cursor, files, owner, limits, progress)
            result = _finish(cursor, files, skipped, names, started, progress, stored,
                             owner=owner, confirm_shrink=confirm_shrink, expected=expected,
                             made_by=made_by)
            result.skipped_forces = [f.to_dict() for f in skipped_forces]
            return result
        finally:
            cursor.close()


@dataclass
class _Stored:
    """What :func:`_store` leaves in its open transaction."""

    import_id: int
    before: dict  # (force, month) -> records the owner read there before
    replaced: int


class _Unreadable(Exception):
    """DuckDB could not read ``batch``; the files are re-read to say where, once counted."""

    def __init__(self, batch: list[SourceFile], error: duckdb.Error):
        super().__init__(str(error))
        self.batch, self.error = batch, error


def _store_while_counting(cursor, files: list[SourceFile], owner: int | None, limits: Limits,
                          progress: Progress) -> tuple[_Stored, dict[str, int]]:
    """Store every file in an open transaction while this thread counts their records.

    DuckDB reads, checks and stores the files in a second thread (it runs without Python's
    lock), so the independent count of each file's records, which the import compares with the
    rows DuckDB read, no longer comes first and alone. The thread lives only for this call; a
    refusal from the count stops DuckDB and rolls back. The count's refusals win over DuckDB's,
    as when the count came first: they name the line, and a file DuckDB could not read is only
    re-read with the csv module once it is known to have no over-long line.
    """
    total_steps = len(files) + 2
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="police-import") as pool:
        storing = pool.submit(_store, cursor, files, owner, stop)
        try:
            expected: dict[str, int] = {}
            for done, source in enumerate(files, start=1):
                # Counted first: reading the header of a file that is one huge line would read it all.
                expected[str(source.path)] = scan_file(source, limits)
                check_header(source)
                progress(done, total_steps, f"Checked the lines of {done} of {counted(len(files), 'file')}")
        except BaseException:
            stop.set()
            # An interrupt between two statements is lost, so it is repeated until DuckDB stops.
            while not wait([storing], timeout=0.05).done:
                cursor.interrupt()
            # The store's own rollback may have been interrupted too.
            try:
                cursor.execute("rollback")
            except duckdb.TransactionException:
                pass  # it was not: no transaction is open
            raise
        try:
            stored = storing.result()
        except _Unreadable as exc:
            raise _refuse_for(exc.batch, exc.error) from exc.error
    progress(len(files) + 1, total_steps, f"Read and checked {counted(len(files), 'file')}")
    return stored, expected


def _store(conn, files: list[SourceFile], owner: int | None, stop: threading.Event) -> _Stored:
    """Read, check, resolve and store every file, leaving the transaction open for
    :func:`_finish` (rolled back here if anything fails)."""
    from .store import owner_sql

    conn.execute("create or replace temp table police_file (file_index bigint, filename varchar, "
                 "name varchar, month varchar, force varchar)")
    conn.execute("insert into police_file select unnest(range($1)), unnest($2), unnest($3), "
                 "unnest($4), unnest($5)",
                 [len(files), [str(s.path) for s in files], [s.name for s in files],
                  [s.month for s in files], [s.force for s in files]])
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
            raise _Unreadable(unconventional, exc) from exc
        unnamed = conn.execute("select name from police_file where force is null or force = ''").fetchall()
        if unnamed:
            raise ImportRefused("no force can be read from the file: its name does not say its force "
                                "and month (police.uk names files YYYY-MM-<force>-street.csv) and its "
                                "'Falls within' column is empty", file=unnamed[0][0], field="Falls within")
        duplicates = conn.execute(
            "select force, month, list(name) from police_file group by all having count(*) > 1"
        ).fetchall()
        if duplicates:
            force, month, names = duplicates[0]
            raise ImportRefused(f"{force} {month} is given twice ({', '.join(names)})", file=names[-1])

    o = owner_sql(owner)
    conn.execute("begin transaction")
    try:
        import_id = conn.execute("select nextval('import_id_seq')").fetchone()[0]
        # What the owner reads today in each force-month of the files (its own, else shared).
        before = dict(((f, m), n) for f, m, n in conn.execute(
            f"""
            select r.force, strftime(r.month, '%Y-%m'), count(*)
            from police_records_for({o}) r
            join (select distinct force, month from police_file) f
              on r.force = f.force and r.month = cast(f.month || '-01' as date)
            group by all
            """).fetchall())
        replaced = conn.execute(
            f"""
            delete from police_record r using police_file f
            where r.force = f.force and r.month = cast(f.month || '-01' as date)
              and r.owner is not distinct from {o}
            """
        ).fetchone()[0]
        if stop.is_set():
            raise InterruptedError("the count refused the import")
        # One statement reads, checks, resolves and stores every file: DuckDB reads them all in
        # parallel, and the rows go in ordered by (authority, month) so that one authority's
        # assessment reads its own row groups only (docs/adr/0011-store-layout.md).
        try:
            conn.execute(_insert_sql([str(s.path) for s in files], o), [import_id])
        except duckdb.Error as exc:
            raise _Unreadable(files, exc) from exc
    except BaseException:
        conn.execute("rollback")
        raise
    return _Stored(import_id, before, replaced)


def _finish(conn, files, skipped, sources, started, progress, stored: _Stored, *, owner,
            confirm_shrink, expected, made_by) -> PoliceImportResult:
    """Count what was stored, check it against the files and commit (or roll back)."""
    import_id, before, replaced = stored.import_id, stored.before, stored.replaced
    total_steps = len(files) + 2
    try:
        # Each file's counts, taken once here so that data quality never rescans a force.
        conn.execute(
            """
            insert into import_file
            select ?, f.name, f.force, f.month, coalesce(n.rows, 0), coalesce(n.no_location, 0),
                   coalesce(n.no_coordinates, 0), coalesce(n.name_assigned, 0), coalesce(n.unmatched, 0)
            from police_file f left join (
                select force, strftime(month, '%Y-%m') as month, count(*) as rows,
                       count(*) filter (where lsoa_status = 'none') as no_location,
                       count(*) filter (where lon is null or lat is null) as no_coordinates,
                       count(*) filter (where lsoa_status = 'name-assigned') as name_assigned,
                       count(*) filter (where lsoa_status = 'unmatched') as unmatched
                from police_record where import_id = ? group by all
            ) n using (force, month)
            """,
            [import_id, import_id],
        )
        # Every record the file holds must have been read: DuckDB reads some damaged files
        # (a line of 32 MB or more) as no rows, without an error.
        read = dict(conn.execute(
            "select f.filename, i.rows from police_file f join import_file i "
            "on i.import_id = ? and i.force = f.force and i.month = f.month", [import_id]).fetchall())
        short = sorted((s.name, expected[str(s.path)], read.get(str(s.path), 0)) for s in files
                       if read.get(str(s.path), 0) != expected[str(s.path)])
        if short:
            conn.execute("rollback")
            name, want, got = short[0]
            raise ImportRefused(records_mismatch(got, want), file=name)
        after = dict(((f, m), n) for f, m, n in conn.execute(
            "select force, month, rows from import_file where import_id = ?", [import_id]).fetchall())
        shrinks = sorted((f, m, n, after.get((f, m), 0)) for (f, m), n in before.items()
                         if after.get((f, m), 0) < n * SHRINK_SHARE)
        # A confirmation given on a page is of the counts the page showed: if the data changed
        # since, the person is asked again.
        confirmed = confirm_shrink is True or (
            not isinstance(confirm_shrink, bool) and set(map(tuple, confirm_shrink)) >= set(shrinks))
        if shrinks and not confirmed:
            conn.execute("rollback")
            raise ImportNeedsConfirmation(shrinks)
        stats = tuple(int(n or 0) for n in conn.execute(
            "select sum(rows), sum(no_location), sum(name_assigned), sum(unmatched) "
            "from import_file where import_id = ?", [import_id]).fetchone())
        forces = sorted({r[0] for r in conn.execute("select distinct force from police_file").fetchall()})
        months = sorted({r[0] for r in conn.execute("select distinct month from police_file").fetchall()})
        conn.execute(
            """
            insert into import_log (import_id, kind, started_at, finished_at, sources, forces,
                months, rows_read, rows_no_location, rows_name_assigned, rows_unmatched,
                rows_replaced, message, owner, made_by)
            values (?, 'police', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [import_id, started, datetime.now(), sources, forces, months, *stats, replaced,
             f"{counted(len(files), 'file')}; {counted(len(skipped), 'non-street archive member')} skipped"
             + (f"; confirmed although it shrinks {', '.join(f'{f} {m}' for f, m, _, _ in shrinks)}"
                if shrinks else ""),
             owner, made_by],
        )
        conn.execute("commit")
    except ImportRefused:
        raise
    except BaseException:
        conn.execute("rollback")
        raise
    finally:
        conn.execute("drop table if exists police_file")
    progress(total_steps, total_steps, f"Stored {counted(stats[0], 'record')}")
    return PoliceImportResult(
        import_id=import_id, files=len(files), rows_read=stats[0], forces=forces, months=months,
        rows_no_location=stats[1], rows_name_assigned=stats[2], rows_unmatched=stats[3],
        rows_replaced=replaced, skipped_members=skipped,
    )


def _insert_sql(paths: list[str], owner: str) -> str:
    """Read, check, resolve and store in one pass.

    Every field is read as text (coordinates as numbers); a row that breaks a rule stops the
    statement through DuckDB's error(), the transaction is rolled back and the file is re-read
    to name the line. The LSOA name is only parsed for rows whose code is not a 2021 code.
    """
    # The month pattern is checked once per file: a row's month must equal its file's.
    bad_row = """
        s.month is distinct from f.month or not f.month_ok
        or s.category is null or s.category = ''
    """
    # Authorities are sorted by a number in the order of their codes (the same order as by
    # code, and a cheaper sort than by text).
    return f"""
        insert into police_record (import_id, force, month, crime_id, reported_by, falls_within,
            lon, lat, location, lsoa_code, lsoa_name, lad_code, lsoa_status, category, outcome,
            context, owner)
        with lad_key as (
            select lad_code, cast(row_number() over (order by lad_code) as integer) as lad_key
            from (select lad_code from lsoa union select lad_code from authority_name)
            where lad_code is not null
        ),
        lsoa_key as (
            select l.lsoa_code, l.lad_code, k.lad_key from lsoa l left join lad_key k using (lad_code)
        ),
        authority_key as (
            select a.name, a.lad_code, k.lad_key from authority_name a left join lad_key k using (lad_code)
        )
        select
            ?, f.force,
            case when {bad_row} then cast(error('bad row in ' || f.filename) as date)
                 else f.month_date end,
            s.crime_id, s.reported_by, s.falls_within,
            s.lon, s.lat, s.location,
            code, s.lsoa_name,
            coalesce(l.lad_code, a.lad_code),
            case
                when code is null then 'none'
                when l.lsoa_code is not null then '2021'
                when a.lad_code is not null then 'name-assigned'
                else 'unmatched'
            end,
            s.category, s.outcome, s.context, {owner}
        from (
            select * replace (trim(category) as category), nullif(trim(lsoa_code), '') as code
            from ({_read_sql(paths, file_index=True)})
        ) s
        join (
            select *, coalesce(regexp_matches(month, '{MONTH_PATTERN}'), false) as month_ok,
                   try_cast(month || '-01' as date) as month_date
            from police_file
        ) f using (file_index)
        left join lsoa_key l on l.lsoa_code = s.code
        left join authority_key a
            on a.name = case when l.lsoa_code is null and s.code is not null
                             then regexp_replace(trim(s.lsoa_name), '{LSOA_NAME_SUFFIX}', '') end
        order by coalesce(l.lad_key, a.lad_key), 3
    """
