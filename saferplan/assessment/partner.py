"""Partner data: counts from fire, health, council and other partners, from any CSV layout.

The analyst maps the file's columns once (which column is the area code, the month, the measure
and the count, or a fixed measure name for the whole file); the file is then checked row by row,
set-based in DuckDB, and imported all or nothing. Area codes may be 2021 LSOAs (E01/W01),
wards (E05/W05, from the ward boundary files) or local authorities (E06-E09/W06); each row is
resolved to its authority so that the partnership's area selects it.

Partner data belongs to the partnership that imported it (its ``owner``): only that partnership
reads it, and its re-import of a dataset replaces only its own rows. A file that is not CSV
UTF-8 text, repeats a column name or holds only a header is refused before anything is read.
"""
from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from saferplan.wording import counted

from .analysis import compare_counts
from saferplan.core.periods import Period, add_months, month_label
from .police import ImportRefused, Limits, Progress, _noop, _plain, count_records, records_mismatch

AREA_LEVELS = {"lsoa": ("E01", "W01"), "ward": ("E05", "W05"), "lad": ("E06", "E07", "E08", "E09", "W06")}
MONTH_SQL = r"^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$"
COUNT_SQL = r"^\s*\d+(\.\d+)?\s*$"
MAX_ERRORS = 20

# Header names a partner file commonly uses, tried in order when suggesting a mapping.
HINTS = {
    "area": ["area_code", "area code", "lsoa21cd", "lsoa code", "lsoa_code", "lsoa", "wd25cd",
             "ward code", "ward_code", "lad_code", "lad code", "ladcd", "area", "code"],
    "month": ["month", "period", "date", "year_month", "yearmonth"],
    "measure": ["measure", "incident type", "incident_type", "type", "category", "strand",
                "indicator", "metric"],
    "count": ["count", "value", "incidents", "number", "total", "n", "admissions", "reports"],
}


class PartnerImportRefused(ImportRefused):
    """Refused partner import; ``errors`` lists every problem found (up to MAX_ERRORS)."""

    def __init__(self, file: str, errors: list[dict]):
        errors = errors or [{"line": None, "column": None,
                             "message": "a row breaks the rules but could not be pinned to a line"}]
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        super().__init__(first["message"] + more, file=file, line=first.get("line"),
                         field=first.get("column"))
        self.errors = errors


@dataclass
class ColumnMapping:
    area: str
    month: str
    count: str
    measure: str | None = None  # column holding the measure name
    fixed_measure: str | None = None  # or one measure for the whole file
    area_level: str | None = None  # lsoa | ward | lad; None: worked out from each code

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class PartnerImportResult:
    import_id: int
    dataset: str
    rows: int
    measures: list[str]
    months: list[str]
    area_levels: list[str]
    rows_replaced: int

    def to_dict(self) -> dict:
        return asdict(self)


def check_csv(path: str | Path, name: str | None = None, limits: Limits | None = None) -> tuple[list[str], int]:
    """The header and the number of records of a file that is CSV UTF-8 text with a header of
    distinct, named columns and at least one record; anything else is refused, saying why."""
    name = name or str(path)
    records = count_records(Path(path), name, limits)
    header = read_header(path)
    seen: set[str] = set()
    for position, column in enumerate(header, start=1):
        if not column:
            raise ImportRefused(f"column {position} of the header has no name; every column needs one",
                                file=name, line=1)
        if column.lower() in seen:
            raise ImportRefused(f"column {column!r} appears twice in the header; rename one of them",
                                file=name, line=1, field=column)
        seen.add(column.lower())
    return header, records


def read_header(path: str | Path) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return [h.strip() for h in next(csv.reader(handle), [])]
    except (UnicodeDecodeError, csv.Error):
        # check_csv names the line; this only keeps a caller that did not check from a traceback.
        raise ImportRefused("the header is not CSV UTF-8 text: save the file as CSV UTF-8",
                            file=Path(path).name, line=1) from None


def inspect_csv(path: str | Path, sample: int = 5, name: str | None = None) -> dict:
    """Header, a few rows and a suggested mapping: what a mapping form needs to show."""
    check_csv(path, name or Path(path).name)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        rows = [row for _, row in zip(range(sample), reader)]
    return {"columns": header, "sample_rows": rows, "suggested": suggest_mapping(header)}


def suggest_mapping(columns: list[str]) -> dict:
    lowered = {c.lower().strip(): c for c in columns}
    found: dict[str, str | None] = {}
    for role, hints in HINTS.items():
        found[role] = next((lowered[h] for h in hints if h in lowered and lowered[h] not in found.values()), None)
    return found


def _validate_mapping(header: list[str], mapping: ColumnMapping, name: str) -> None:
    if bool(mapping.measure) == bool(mapping.fixed_measure):
        raise ImportRefused("choose either a measure column or a fixed measure name", file=name)
    for role in ("area", "month", "count", "measure"):
        column = getattr(mapping, role)
        if column and column not in header:
            raise ImportRefused(f"the {role} column {column!r} is not in the header "
                                f"({', '.join(header)})", file=name, line=1)
    if mapping.area_level and mapping.area_level not in AREA_LEVELS:
        raise ImportRefused(f"area level must be one of {', '.join(AREA_LEVELS)}", file=name)


def _level_sql(code: str) -> str:
    cases = " ".join(
        f"when left({code}, 3) in ({', '.join(repr(p) for p in prefixes)}) then '{level}'"
        for level, prefixes in AREA_LEVELS.items())
    return f"case {cases} end"


def import_partner(conn, path: str | Path, mapping: ColumnMapping, dataset: str,
                   progress: Progress | None = None, *, owner: int | None = None, name: str | None = None,
                   limits: Limits | None = None, made_by: str | None = None) -> PartnerImportResult:
    """Check and import one partner CSV for ``owner``; all or nothing. Re-importing the same
    dataset replaces the owner's earlier rows for the measures and months the file holds, and
    nobody else's. ``name`` is the file as the person knows it (messages never show paths)."""
    from .store import owner_sql

    progress = progress or _noop
    path, name = Path(path), name or str(path)
    started = datetime.now()
    if not path.is_file():
        raise ImportRefused("no such file", file=name)
    header, expected = check_csv(path, name, limits)
    _validate_mapping(header, mapping, name)
    progress(1, 4, "Read the header")
    cur = conn.cursor()
    try:
        listing = "'" + str(path).replace("'", "''") + "'"
        cols = "{" + ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for h in header) + "}"
        try:
            cur.execute(
                f"create or replace temp table partner_raw as select * from read_csv({listing}, "
                f"header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                f"columns = {cols}, strict_mode = true, null_padding = false)")
        except Exception as exc:
            raise PartnerImportRefused(name, _python_errors(path, header, mapping, conn)
                                       or [{"line": None, "column": None,
                                            "message": f"cannot be read ({_plain(exc)})"}]) from exc
        got = cur.execute("select count(*) from partner_raw").fetchone()[0]
        if got != expected:
            raise ImportRefused(records_mismatch(got, expected), file=name)

        def q(column: str) -> str:
            return '"' + column.replace('"', '""') + '"'

        measure = q(mapping.measure) if mapping.measure else "$fixed"
        level = f"'{mapping.area_level}'" if mapping.area_level else _level_sql(f"trim({q(mapping.area)})")
        cur.execute(
            f"""
            create or replace temp table partner_stage as
            select trim({q(mapping.area)}) as area_code, {level} as area_level,
                   trim({q(mapping.month)}) as month_text, trim({measure}) as measure,
                   trim({q(mapping.count)}) as count_text
            from partner_raw
            """,
            {"fixed": mapping.fixed_measure} if not mapping.measure else {},
        )
        cur.execute(
            """
            create or replace temp table partner_resolved as
            select s.*, coalesce(l.lad_code, w.lad_code, a.lad_code) as lad_code
            from partner_stage s
            left join lsoa l on s.area_level = 'lsoa' and l.lsoa_code = s.area_code
            left join ward w on s.area_level = 'ward' and w.ward_code = s.area_code
            left join (select distinct lad_code from lsoa) a on s.area_level = 'lad' and a.lad_code = s.area_code
            """)
        bad = cur.execute(
            f"""
            select count(*) from partner_resolved
            where lad_code is null or month_text is null
               or not regexp_matches(month_text, '{MONTH_SQL}')
               or count_text is null or not regexp_matches(count_text, '{COUNT_SQL}')
               or measure is null or measure = ''
            """).fetchone()[0]
        mixed = cur.execute(
            "select measure, list(distinct area_level) from partner_resolved group by measure "
            "having count(distinct area_level) > 1").fetchall()
        if bad:
            raise PartnerImportRefused(name, _python_errors(path, header, mapping, conn))
        if mixed:
            raise PartnerImportRefused(name, [{"line": None, "column": mapping.measure or None, "message":
                f"measure {m!r} mixes area levels ({', '.join(levels)}); its counts would be added "
                "twice. Use one level per measure." } for m, levels in mixed])
        progress(2, 4, "Checked every row")
        cur.execute("begin transaction")
        try:
            import_id = cur.execute("select nextval('import_id_seq')").fetchone()[0]
            replaced = cur.execute(
                f"""
                delete from partner_record p using (
                    select distinct measure, cast(left(month_text, 7) || '-01' as date) as month
                    from partner_resolved) n
                where p.dataset = $dataset and p.measure = n.measure and p.month = n.month
                  and p.owner is not distinct from {owner_sql(owner)}
                """, {"dataset": dataset}).fetchone()[0]
            cur.execute(
                """
                insert into partner_record (import_id, dataset, measure, month, area_level, area_code,
                    lad_code, value, owner)
                select $id, $dataset, measure, cast(left(month_text, 7) || '-01' as date),
                       area_level, area_code, lad_code, cast(count_text as double), $owner
                from partner_resolved
                """, {"id": import_id, "dataset": dataset, "owner": owner})
            rows, measures, months, levels = cur.execute(
                """
                select count(*), list(distinct measure order by measure),
                       list(distinct strftime(month, '%Y-%m') order by strftime(month, '%Y-%m')),
                       list(distinct area_level order by area_level)
                from partner_record where import_id = ?
                """, [import_id]).fetchone()
            cur.execute(
                """
                insert into import_log (import_id, kind, started_at, finished_at, sources, months,
                    dataset, rows_read, rows_replaced, message, owner, made_by)
                values (?, 'partner', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [import_id, started, datetime.now(), [name], months, dataset, rows, replaced,
                 f"mapping: {mapping.to_dict()}", owner, made_by])
            cur.execute("commit")
        except BaseException:
            cur.execute("rollback")
            raise
        progress(4, 4, f"Stored {counted(rows, 'row')}")
        return PartnerImportResult(import_id, dataset, rows, measures, months, levels, replaced)
    finally:
        for table in ("partner_raw", "partner_stage", "partner_resolved"):
            cur.execute(f"drop table if exists {table}")
        cur.close()


def _python_errors(path: Path, header: list[str], mapping: ColumnMapping, conn) -> list[dict]:
    """Every problem (up to MAX_ERRORS) with its line and column, read with the csv module."""
    lsoas = {r[0]: r[1] for r in conn.execute("select lsoa_code, lad_code from lsoa").fetchall()}
    wards = {r[0] for r in conn.execute("select ward_code from ward").fetchall()}
    lads = set(lsoas.values())
    errors: list[dict] = []

    def error(line, column, message):
        errors.append({"line": line, "column": column, "message": message})

    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        next(reader, None)
        index = {h: i for i, h in enumerate(header)}
        try:
            for row in reader:
                line = reader.line_num
                if len(errors) >= MAX_ERRORS:
                    break
                if not row:
                    continue
                if len(row) != len(header):
                    error(line, None, f"unreadable row: {len(row)} fields, expected {len(header)}")
                    continue
                code = row[index[mapping.area]].strip()
                level = mapping.area_level or next(
                    (lvl for lvl, prefixes in AREA_LEVELS.items() if code[:3] in prefixes), None)
                known = {"lsoa": code in lsoas, "ward": code in wards, "lad": code in lads}.get(level, False)
                if not known:
                    what = {"lsoa": "2021 LSOA", "ward": "ward with a boundary file",
                            "lad": "local authority"}.get(level, "LSOA, ward or local authority")
                    error(line, mapping.area, f"{code!r} is not a known {what} code")
                month = row[index[mapping.month]].strip()
                if not re.match(MONTH_SQL, month):
                    error(line, mapping.month, f"bad month {month!r}: expected YYYY-MM")
                count = row[index[mapping.count]].strip()
                if not re.match(COUNT_SQL, count):
                    error(line, mapping.count, f"count {count!r} is not a whole or decimal number of 0 or more")
                if mapping.measure and not row[index[mapping.measure]].strip():
                    error(line, mapping.measure, "the measure is empty")
        except csv.Error as exc:
            error(reader.line_num, None, f"unreadable row ({exc})")
        except UnicodeDecodeError as exc:
            error(None, None, f"not UTF-8 text ({exc.reason})")
    return errors[:MAX_ERRORS]


def partner_summary(conn, lad_codes: list[str], period: Period) -> list[dict]:
    """Per dataset and measure: count in the period and the previous one, change, significance
    (the same Poisson test as crime) and monthly values for up to 36 months."""
    previous = period.previous()
    rows = conn.execute(
        """
        select dataset, measure,
               sum(value) filter (where month >= $start and month < $after) as current,
               sum(value) filter (where month >= $prev and month < $prev_after) as previous,
               count(distinct month) filter (where month >= $start and month < $after) as months,
               count(distinct month) filter (where month >= $prev and month < $prev_after) as previous_months
        from partner_seen
        where lad_code in (select unnest($areas))
        group by all order by dataset, measure
        """,
        {"areas": lad_codes, "start": period.start, "after": period.after_end, "prev": previous.start,
         "prev_after": previous.after_end},
    ).fetchall()
    first = add_months(period.end, -35)
    monthly = conn.execute(
        """
        select dataset, measure, month, sum(value) from partner_seen
        where lad_code in (select unnest($areas)) and month >= $first and month < $after
        group by all order by month
        """, {"areas": lad_codes, "first": first, "after": period.after_end}).fetchall()
    by_measure: dict[tuple[str, str], list[dict]] = {}
    for dataset, measure, month, value in monthly:  # one pass, not one per measure
        by_measure.setdefault((dataset, measure), []).append({"month": month_label(month), "value": value})
    result = []
    for dataset, measure, current, prev, months, prev_months in rows:
        current, prev = int(round(current or 0)), int(round(prev or 0))
        share = months / (months + prev_months) if months + prev_months else 0.5
        result.append({
            "dataset": dataset, "measure": measure, "months_with_data": months,
            "previous_months_with_data": prev_months,
            **compare_counts(current, prev, share),
            "monthly": by_measure.get((dataset, measure), []),
        })
    return result
