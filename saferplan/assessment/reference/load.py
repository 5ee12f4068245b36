"""``saferplan reference load``: the publishers' files into the store's reference tables.

Each file is recognised by its columns (CSV), its sheet (the harm workbook) or its features'
properties (GeoJSON), checked whole, and loaded in one transaction: a file with any problem is
refused with its name, line (or feature) and field, and the store keeps what it had. Loading a
dataset again replaces it; boundaries are replaced per authority, so a national file and
per-authority files can be mixed. Only the command line and the job worker call this (they are
the store's writers).
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from ..police import ImportRefused, NOT_CSV
from . import (DATASETS, FORMER_AUTHORITY_NAMES, HARM, LOOKUP, LSOA_BOUNDARIES, LSOA_NAME_SUFFIX,
               POPULATION, WARD_BOUNDARIES)

LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
LAD_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")
WARD_CODE = re.compile(r"^[EW]05\d{6}$")
HARM_SHEET = "CCHI 2020 values sheet"
HARM_COLUMNS = ("FULL_OFFENCE_TITLE", "CCHI Score", "GROUP", "SUB_GROUP")
# Great Britain in WGS84 longitude/latitude, with a margin: a point outside is not in degrees
# (British National Grid metres) or not in England and Wales.
LON_RANGE, LAT_RANGE = (-9.0, 3.0), (49.0, 61.0)

# Column names each CSV dataset is recognised by: the ONS download's, or the shared-data slice's.
LOOKUP_COLUMNS = {
    "lsoa": (r"LSOA21CD", r"lsoa21_code"), "lsoa_name": (r"LSOA21NM", r"lsoa21_name"),
    "lad": (r"LAD\d\dCD", r"lad_code"), "lad_name": (r"LAD\d\dNM", r"lad_name"),
}
POPULATION_COLUMNS = {
    "lsoa": (r"lsoa21_code", r"Lower layer Super Output Areas Code", r"LSOA21CD"),
    "age": (r"age_group", r"Age \(\d+ categories\)"),
    "count": (r"usual_residents", r"Observation"),
}

# What the store holds of reference data, in the order a copy must fill it.
REFERENCE_TABLES = ("reference_load", "lsoa", "authority_name", "lsoa_population", "harm_offence",
                    "lsoa_boundary", "ward_boundary", "ward", "lsoa_ward", "lsoa_neighbour")

Progress = Callable[[int, int, str], None]


@dataclass
class LoadResult:
    file: str
    dataset: str
    rows: int
    authorities: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        where = f" for {', '.join(self.authorities)}" if self.authorities and len(self.authorities) <= 5 else (
            f" for {len(self.authorities)} authorities" if self.authorities else "")
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        return f"{self.file}: {DATASETS[self.dataset]['title']}, {self.rows:,} rows{where}{notes}"


def _match(header: list[str], spec: dict[str, tuple[str, ...]]) -> dict[str, str] | None:
    found = {}
    for key, patterns in spec.items():
        column = next((h for h in header for p in patterns if re.fullmatch(p, h)), None)
        if column is None:
            return None
        found[key] = column
    return found


def _csv_header(path: Path, name: str) -> list[str]:
    with open(path, "rb") as handle:
        start = handle.read(4096)
    for magic, what in NOT_CSV:
        if start.startswith(magic) and not magic.startswith(b"PK"):
            raise ImportRefused(f"the file {what}: save it as CSV UTF-8", file=name, line=1)
    if not start.strip():
        raise ImportRefused("the file is empty; expected a header line and rows", file=name, line=1)
    try:
        # The first line only: 4 KB may end part-way through a character further on.
        first = start.split(b"\n")[0].decode("utf-8-sig", errors="strict").strip("\r")
    except UnicodeDecodeError:
        raise ImportRefused("not UTF-8 text: save it as CSV UTF-8", file=name, line=1) from None
    return [h.strip() for h in next(csv.reader([first]), [])]


def recognise(path: Path, name: str) -> str:
    """Which dataset a file is, from its content (its name is the publisher's and may be anything)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return HARM
    if suffix in (".geojson", ".json"):
        with open(path, "rb") as handle:
            head = handle.read(1 << 20).decode("utf-8", errors="replace")
        if re.search(r'"LSOA21CD"', head):
            return LSOA_BOUNDARIES
        if re.search(r'"WD\d\dCD"', head):
            return WARD_BOUNDARIES
        if re.search(r'"LSOA11CD"', head):
            raise ImportRefused("these are 2011 LSOA boundaries (LSOA11CD); police.uk and Census 2021 "
                                "use 2021 LSOAs: download " + DATASETS[LSOA_BOUNDARIES]["where"], file=name)
        raise ImportRefused("a GeoJSON file whose features have neither LSOA21CD (LSOA 2021 boundaries) nor "
                            "WDnnCD (ward boundaries) properties", file=name, field="properties")
    header = _csv_header(path, name)
    if _match(header, LOOKUP_COLUMNS):
        return LOOKUP
    if _match(header, POPULATION_COLUMNS):
        return POPULATION
    if set(HARM_COLUMNS) <= set(header):
        return HARM
    raise ImportRefused(
        f"not a reference file this command knows (columns: {', '.join(header[:8]) or 'none'}). It reads: "
        "the LSOA 2021 to local authority lookup (LSOA21CD, LSOA21NM, LADnnCD, LADnnNM), Census 2021 "
        "population by LSOA and age (Lower layer Super Output Areas Code, Age (6 categories), Observation), "
        "the Cambridge Crime Harm Index (.xlsx), and LSOA or ward boundaries (.geojson)", file=name, line=1)


def _rows(path: Path, name: str):
    """(line number, row dict) of a CSV file, read strictly with the csv module."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, strict=True)
        try:
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise ImportRefused(f"the row does not have the header's {len(reader.fieldnames)} "
                                        "fields", file=name, line=reader.line_num)
                yield reader.line_num, row
        except csv.Error as exc:
            raise ImportRefused(f"unreadable row ({exc})", file=name, line=reader.line_num) from None
        except UnicodeDecodeError:
            raise ImportRefused("not UTF-8 text: save it as CSV UTF-8", file=name) from None


def _read_lookup(path: Path, name: str) -> list[tuple]:
    columns = _match(_csv_header(path, name), LOOKUP_COLUMNS)
    rows, seen = [], {}
    for line, row in _rows(path, name):
        lsoa, lad = row[columns["lsoa"]].strip(), row[columns["lad"]].strip()
        if not LSOA_CODE.match(lsoa):
            raise ImportRefused(f"{lsoa!r} is not a 2021 LSOA code like E01025883", file=name, line=line,
                                field=columns["lsoa"])
        if not LAD_CODE.match(lad):
            raise ImportRefused(f"{lad!r} is not a local authority code like E07000133", file=name,
                                line=line, field=columns["lad"])
        for key in ("lsoa_name", "lad_name"):
            if not row[columns[key]].strip():
                raise ImportRefused("empty", file=name, line=line, field=columns[key])
        if lsoa in seen:
            raise ImportRefused(f"{lsoa} is listed twice (also on line {seen[lsoa]})", file=name, line=line,
                                field=columns["lsoa"])
        seen[lsoa] = line
        rows.append((lsoa, row[columns["lsoa_name"]].strip(), lad, row[columns["lad_name"]].strip()))
    if not rows:
        raise ImportRefused("the file has a header but no rows", file=name, line=2)
    return rows


def _read_population(path: Path, name: str) -> list[tuple]:
    columns = _match(_csv_header(path, name), POPULATION_COLUMNS)
    rows, seen = [], {}
    for line, row in _rows(path, name):
        lsoa, age, count = (row[columns[k]].strip() for k in ("lsoa", "age", "count"))
        if not LSOA_CODE.match(lsoa):
            raise ImportRefused(f"{lsoa!r} is not a 2021 LSOA code like E01025883", file=name, line=line,
                                field=columns["lsoa"])
        if not age:
            raise ImportRefused("empty", file=name, line=line, field=columns["age"])
        try:
            value = float(count)
        except ValueError:
            raise ImportRefused(f"{count!r} is not a number", file=name, line=line, field=columns["count"]) from None
        if value < 0 or value != value:
            raise ImportRefused(f"{count!r} is not a count of residents", file=name, line=line,
                                field=columns["count"])
        if (lsoa, age) in seen:
            raise ImportRefused(f"{lsoa} {age!r} is given twice (also on line {seen[lsoa, age]})", file=name,
                                line=line, field=columns["age"])
        seen[lsoa, age] = line
        rows.append((lsoa, age, round(value)))
    if not rows:
        raise ImportRefused("the file has a header but no rows", file=name, line=2)
    return rows


def _read_harm(path: Path, name: str) -> tuple[list[tuple], list[str]]:
    """Offences with their CCHI score. Rows without a numeric score or group (the workbook has a
    few whose cells are shifted: a URL in GROUP) are left out and counted in the result's notes."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same to the operator
            raise ImportRefused(f"not a readable Excel workbook ({type(exc).__name__})", file=name) from None
        try:
            if HARM_SHEET not in book.sheetnames:
                raise ImportRefused(f"no sheet {HARM_SHEET!r} (sheets: {', '.join(book.sheetnames)})", file=name)
            table = [list(r) for r in book[HARM_SHEET].iter_rows(values_only=True, max_col=30)]
        finally:
            book.close()
        where = f"{name}!{HARM_SHEET}"
    else:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
        where = name
    if not table:
        raise ImportRefused("empty", file=where, line=1)
    header = [str(h).strip() if h is not None else "" for h in table[0]]
    missing = [c for c in HARM_COLUMNS if c not in header]
    if missing:
        raise ImportRefused(f"no column {', '.join(repr(m) for m in missing)} in the header", file=where, line=1)
    col = {c: header.index(c) for c in HARM_COLUMNS}
    offences, skipped = [], 0
    for number, row in enumerate(table[1:], start=2):
        cell = lambda c: row[col[c]] if col[c] < len(row) else None  # noqa: E731
        score, group = cell("CCHI Score"), cell("GROUP")
        if isinstance(score, str):
            try:
                score = float(score)
            except ValueError:
                score = None
        if all(v in (None, "") for v in row):
            continue
        if not isinstance(score, (int, float)) or not isinstance(group, str) or not group.strip() \
                or group.strip().lower().startswith("http"):
            skipped += 1
            continue
        if score < 0:
            raise ImportRefused(f"a harm score of {score} days is negative", file=where, line=number,
                                field="CCHI Score")
        offences.append((len(offences) + 1, str(cell("FULL_OFFENCE_TITLE") or "").strip(), float(score),
                         group.strip(), str(cell("SUB_GROUP") or "").strip()))
    if not offences:
        raise ImportRefused("no offence has a numeric CCHI Score and a GROUP", file=where)
    notes = [f"{skipped} rows without a numeric score and group left out"] if skipped else []
    return offences, notes


def _read_geojson(path: Path, name: str, level: str, lookup: dict[str, str], authority: str | None,
                  lsoa_frame=lambda: None):
    """(code, name, authority, geometry JSON) per feature, checked. ``lsoa_frame`` gives the
    loaded LSOA boundaries that place wards whose file does not name their authority."""
    from shapely.geometry import shape

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportRefused("not UTF-8 text", file=name) from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"not valid GeoJSON ({exc.msg}, column {exc.colno})", file=name, line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ImportRefused("not a GeoJSON FeatureCollection", file=name, field="type")
    crs = json.dumps(data.get("crs") or {})
    if "27700" in crs:
        raise ImportRefused("the coordinates are British National Grid (EPSG:27700): download the GeoJSON "
                            "in WGS84 longitude and latitude (the portal's GeoJSON download is)", file=name,
                            field="crs")
    rows, seen = [], {}
    for number, feature in enumerate(data["features"], start=1):
        here = f"feature {number}"
        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        if level == "lsoa":
            code_key, name_key = "LSOA21CD", "LSOA21NM"
        else:
            code_key = next((k for k in props if re.fullmatch(r"WD\d\dCD", k)), "WDnnCD")
            name_key = code_key[:-2] + "NM"
        code = str(props.get(code_key) or "").strip()
        pattern = LSOA_CODE if level == "lsoa" else WARD_CODE
        if not pattern.match(code):
            raise ImportRefused(f"{here}: {code!r} is not a {'2021 LSOA' if level == 'lsoa' else 'ward'} code",
                                file=name, field=code_key)
        label = str(props.get(name_key) or "").strip()
        if not label:
            raise ImportRefused(f"{here} ({code}): no name", file=name, field=name_key)
        if level == "lsoa":
            lad = lookup.get(code)
            if lad is None:
                raise ImportRefused(f"{here}: {code} is not in the loaded LSOA 2021 lookup (load the lookup "
                                    "first, or check the file is of 2021 LSOAs)", file=name, field=code_key)
        else:
            lad_key = next((k for k in props if re.fullmatch(r"LAD\d\dCD|LADCD_ACTIVE", k) and props[k]), None)
            # No authority in the file (the ONS national ward boundaries have none): placed below,
            # by the loaded LSOA boundary holding the ward's inner point.
            lad = str(props[lad_key]).strip() if lad_key else authority
            if lad and not LAD_CODE.match(lad):
                raise ImportRefused(f"{here} ({code}): {lad!r} is not a local authority code", file=name,
                                    field=lad_key or "--authority")
        if code in seen:
            raise ImportRefused(f"{here}: {code} is also feature {seen[code]}", file=name, field=code_key)
        seen[code] = number
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ImportRefused(f"{here} ({code}): the geometry is not a Polygon or MultiPolygon", file=name,
                                field="geometry")
        try:
            shp = shape(geometry)
        except Exception as exc:  # noqa: BLE001 - shapely raises several kinds for bad coordinates
            raise ImportRefused(f"{here} ({code}): unreadable coordinates ({type(exc).__name__})", file=name,
                                field="geometry") from None
        minx, miny, maxx, maxy = shp.bounds
        if shp.is_empty or minx < LON_RANGE[0] or maxx > LON_RANGE[1] or miny < LAT_RANGE[0] or maxy > LAT_RANGE[1]:
            raise ImportRefused(f"{here} ({code}): the coordinates are not WGS84 longitude and latitude in "
                                "England and Wales (British National Grid metres? download the GeoJSON in WGS84)",
                                file=name, field="geometry")
        rows.append((code, label, lad, json.dumps(geometry, separators=(",", ":"))))
    if not rows:
        raise ImportRefused("the file holds no features", file=name, field="features")
    unplaced = [i for i, r in enumerate(rows) if not r[2]]
    if unplaced:
        rows = _place_wards(rows, unplaced, name, seen, lsoa_frame)
    return rows


def _place_wards(rows: list[tuple], unplaced: list[int], name: str, seen: dict, lsoa_frame) -> list[tuple]:
    """Give each ward without an authority the authority of the loaded LSOA boundary that holds
    its inner point (a point inside the polygon, not its centroid, which may fall outside)."""
    import geopandas
    from shapely.geometry import shape

    lsoas = lsoa_frame()
    if lsoas is None:
        code = rows[unplaced[0]][0]
        raise ImportRefused(f"feature {seen[code]} ({code}): the file does not say which local authority each "
                            "ward is in (no LADnnCD property): load the LSOA 2021 boundaries first, so that "
                            "wards are placed by them, or give --authority CODE for one authority's wards",
                            file=name, field="LADnnCD")
    points = geopandas.GeoDataFrame(
        {"i": unplaced}, geometry=[shape(json.loads(rows[i][3])).representative_point() for i in unplaced], crs=4326)
    found = geopandas.sjoin(points, lsoas, predicate="within", how="left").drop_duplicates("i")
    placed = dict(zip(found["i"], found["LAD"]))
    rows = list(rows)
    for i in unplaced:
        lad = placed.get(i)
        if not isinstance(lad, str):
            code = rows[i][0]
            raise ImportRefused(f"feature {seen[code]} ({code}): no loaded LSOA boundary holds this ward and the "
                                "file does not say its local authority: load the LSOA boundaries of its "
                                "authority first", file=name, field="geometry")
        rows[i] = (rows[i][0], rows[i][1], lad, rows[i][3])
    return rows


def _lsoa_frame(conn):
    """Every loaded LSOA boundary with its authority (for placing wards), or None."""
    import geopandas

    rows = conn.execute("select lad_code, geometry from lsoa_boundary").fetchall()
    if not rows:
        return None
    return geopandas.GeoDataFrame.from_features(
        [{"type": "Feature", "geometry": json.loads(g), "properties": {"LAD": lad}} for lad, g in rows], crs=4326)


def _record(conn, dataset: str, name: str, rows: int, lad: str | None = None) -> None:
    conn.execute("delete from reference_load where dataset = ? and lad_code is not distinct from ?", [dataset, lad])
    conn.execute("insert into reference_load values (?, ?, ?, ?, ?)", [dataset, lad, name, rows, datetime.now()])


def _insert(conn, table: str, rows: list[tuple], width: int) -> None:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=[f"c{i}" for i in range(width)])
    conn.register("reference_rows", frame)
    try:
        conn.execute(f"insert into {table} select * from reference_rows")
    finally:
        conn.unregister("reference_rows")


def load_file(conn, path: str | Path, name: str | None = None, *, authority: str | None = None,
              only: list[str] | None = None) -> LoadResult:
    """Check one file and load it, all or nothing. ``only`` limits boundaries to those authorities
    (a manager's upload for the partnership's own area): any other feature is refused."""
    path = Path(path)
    name = name or str(path)
    if not path.is_file():
        raise ImportRefused("no such file", file=name)
    dataset = recognise(path, name)
    notes: list[str] = []
    lads: list[str] = []
    if dataset == LOOKUP:
        rows = _read_lookup(path, name)
    elif dataset == POPULATION:
        rows = _read_population(path, name)
    elif dataset == HARM:
        rows, notes = _read_harm(path, name)
    else:
        lookup = dict(conn.execute("select lsoa_code, lad_code from lsoa").fetchall())
        if dataset == LSOA_BOUNDARIES and not lookup:
            raise ImportRefused("load the LSOA 2021 lookup before LSOA boundaries (it places each LSOA in its "
                                "authority)", file=name)
        rows = _read_geojson(path, name, "lsoa" if dataset == LSOA_BOUNDARIES else "ward", lookup, authority,
                             lambda: _lsoa_frame(conn))
        lads = sorted({r[2] for r in rows})
        if only is not None:
            outside = [r for r in rows if r[2] not in only]
            if outside:
                raise ImportRefused(f"{outside[0][0]} ({outside[0][1]}) is in {outside[0][2]}, not in the "
                                    f"partnership's area ({', '.join(only)})", file=name)
    conn.execute("begin transaction")
    try:
        if dataset == LOOKUP:
            conn.execute("delete from lsoa")
            _insert(conn, "lsoa", rows, 4)
            _authority_names(conn)
            _record(conn, dataset, name, len(rows))
            lads = []
            notes.append(f"{conn.execute('select count(distinct lad_code) from lsoa').fetchone()[0]} authorities")
        elif dataset == POPULATION:
            conn.execute("delete from lsoa_population")
            _insert(conn, "lsoa_population", rows, 3)
            _record(conn, dataset, name, len(rows))
        elif dataset == HARM:
            conn.execute("delete from harm_offence")
            _insert(conn, "harm_offence", rows, 5)
            _record(conn, dataset, name, len(rows))
        else:
            table = "lsoa_boundary" if dataset == LSOA_BOUNDARIES else "ward_boundary"
            key = "lsoa_code" if dataset == LSOA_BOUNDARIES else "ward_code"
            # Per authority: a file replaces the boundaries of the authorities it holds, and only
            # those (and any feature it holds that was filed under another authority before).
            conn.execute(f"delete from {table} where lad_code in (select unnest(?))", [lads])
            conn.execute(f"delete from {table} where {key} in (select unnest(?))", [[r[0] for r in rows]])
            _insert(conn, table, rows, 4)
            for lad in lads:
                _record(conn, dataset, name, sum(1 for r in rows if r[2] == lad), lad)
            if dataset == LSOA_BOUNDARIES:
                work_out_neighbours(conn, [r[0] for r in rows])
            wards = work_out_wards(conn, lads)
            if wards:
                notes.append(f"LSOAs placed in wards for {len(wards)} "
                             f"{'authority' if len(wards) == 1 else 'authorities'}")
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return LoadResult(file=name, dataset=dataset, rows=len(rows), authorities=lads, notes=notes)


ORDER = [LOOKUP, POPULATION, HARM, LSOA_BOUNDARIES, WARD_BOUNDARIES]


def load_files(conn, paths: list, *, authority: str | None = None, progress: Progress | None = None,
               only: list[str] | None = None) -> list[LoadResult]:
    """Load several files, the lookup first (boundaries are placed by it); each file all or
    nothing. ``paths`` are paths or (path, name) pairs. Folders are read for .csv, .xlsx and
    .geojson files."""
    named = []
    for item in paths:
        path, name = (Path(item[0]), item[1]) if isinstance(item, tuple) else (Path(item), str(item))
        if path.is_dir():
            named += [(p, f"{name.rstrip('/')}/{p.relative_to(path)}") for p in sorted(path.rglob("*"))
                      if p.suffix.lower() in (".csv", ".xlsx", ".geojson") and p.is_file()]
        else:
            named.append((path, name))
    kinds = {str(p): recognise(p, n) if p.is_file() else LOOKUP for p, n in named}
    named.sort(key=lambda pn: ORDER.index(kinds[str(pn[0])]))
    results = []
    for done, (path, name) in enumerate(named, start=1):
        results.append(load_file(conn, path, name, authority=authority, only=only))
        if progress:
            progress(done, len(named), results[-1].describe())
    return results


def _authority_names(conn) -> None:
    """The names a pre-2021 LSOA name may carry, each pointing at one current authority."""
    conn.execute("delete from authority_name")
    conn.execute("create or replace temp table former_name(name varchar, current_name varchar)")
    conn.executemany("insert into former_name values (?, ?)", list(FORMER_AUTHORITY_NAMES.items()))
    # A name that would point at two authorities is left out: such records stay unmatched
    # rather than being guessed into the wrong area.
    conn.execute(
        f"""
        insert into authority_name
        with candidate as (
            select regexp_replace(lsoa_name, '{LSOA_NAME_SUFFIX}', '') as name, lad_code, 'lsoa name' as source
            from lsoa
            union
            select lad_name, lad_code, 'authority name' from lsoa
            union
            select f.name, l.lad_code, 'former authority'
            from former_name f join (select distinct lad_code, lad_name from lsoa) l
              on l.lad_name = f.current_name
        )
        select name, any_value(lad_code), string_agg(distinct source, ', ')
        from candidate
        group by name
        having count(distinct lad_code) = 1
        """
    )
    conn.execute("drop table former_name")


def work_out_wards(conn, lad_codes: list[str]) -> list[str]:
    """Place each LSOA of the authorities in a ward; returns the authorities done (those with
    both LSOA and ward boundaries loaded).

    Each LSOA goes to the ward that holds the largest share of its area (a best fit, as the
    ONS best-fit lookups do). 2021 LSOAs do not nest in wards, so some LSOA must be split or
    assigned; assigning whole LSOAs keeps crime counts and Census population on the same
    footprint, so ward rates are consistent. Areas are compared in British National Grid
    (EPSG:27700) because WGS84 degrees are not equal-area.
    """
    from . import boundaries_missing, boundary_features

    done = []
    for lad in lad_codes:
        conn.execute("delete from lsoa_ward where ward_code in (select ward_code from ward where lad_code = ?)", [lad])
        conn.execute("delete from ward where lad_code = ?", [lad])
        if boundaries_missing(conn, "lsoa", [lad]) or boundaries_missing(conn, "ward", [lad]):
            continue
        import geopandas

        lsoas = geopandas.GeoDataFrame.from_features(boundary_features(conn, "lsoa", [lad]), crs=4326)
        wards = geopandas.GeoDataFrame.from_features(boundary_features(conn, "ward", [lad]), crs=4326)
        lsoas_bng = lsoas[["LSOA21CD", "geometry"]].to_crs(27700)
        wards_bng = wards[["WD25CD", "geometry"]].to_crs(27700)
        pieces = geopandas.overlay(lsoas_bng, wards_bng, how="intersection", keep_geom_type=True)
        pieces["share"] = pieces.geometry.area
        best = (pieces.sort_values("share", ascending=False).drop_duplicates("LSOA21CD")
                .merge(lsoas_bng.assign(total=lsoas_bng.geometry.area)[["LSOA21CD", "total"]]))
        conn.executemany("insert into ward values (?, ?, ?)",
                         [(r.WD25CD, r.WD25NM, lad) for r in wards.itertuples()])
        conn.execute("delete from lsoa_ward where lsoa_code in (select unnest(?))", [list(best["LSOA21CD"])])
        conn.executemany("insert into lsoa_ward values (?, ?, ?)",
                         [(r.LSOA21CD, r.WD25CD, round(float(r.share / r.total), 4)) for r in best.itertuples()])
        done.append(lad)
    return done


# Every boundary point of an LSOA (all rings of all parts), as the (longitude, latitude) pair.
_VERTICES = """
    select lsoa_code, unnest(flatten(flatten(cast(geometry->'$.coordinates' as double[][][][])))) as xy
    from lsoa_boundary where geometry->>'$.type' = 'MultiPolygon'
    union all
    select lsoa_code, unnest(flatten(cast(geometry->'$.coordinates' as double[][][]))) as xy
    from lsoa_boundary where geometry->>'$.type' = 'Polygon'
"""


def work_out_neighbours(conn, lsoa_codes: list[str] | None) -> None:
    """Record which loaded LSOAs touch ``lsoa_codes`` (None: every loaded LSOA), both ways, in
    ``lsoa_neighbour``; pairs of LSOAs no longer loaded go.

    Queen contiguity as libpysal's ``Queen`` works it out: two LSOAs are neighbours when their
    boundaries share a point (the same coordinates exactly; the ONS boundaries are one topology,
    so neighbours share their vertices). Done here, once per load, so that no assessment needs
    geometry, shapely or libpysal to find the neighbours (docs/adr/0005-hotspots-getis-ord.md).
    Neighbours across authorities are kept: a partnership of several authorities joins them.
    """
    codes = lsoa_codes if lsoa_codes is not None else [
        r[0] for r in conn.execute("select lsoa_code from lsoa_boundary").fetchall()]
    conn.execute(
        """delete from lsoa_neighbour
           where lsoa_code in (select unnest($c)) or neighbour_code in (select unnest($c))
              or lsoa_code not in (select lsoa_code from lsoa_boundary)
              or neighbour_code not in (select lsoa_code from lsoa_boundary)""", {"c": codes})
    conn.execute(
        f"""insert into lsoa_neighbour
            with vertex as ({_VERTICES}),
                 new as (select * from vertex where lsoa_code in (select unnest($c))),
                 pair as (select distinct a.lsoa_code as a, b.lsoa_code as b
                          from new a join vertex b on a.xy = b.xy and a.lsoa_code <> b.lsoa_code)
            select a, b from pair union select b, a from pair""", {"c": codes})


def copy_reference(conn, source: str | Path) -> bool:
    """Fill an empty store's reference tables from another store (a published snapshot of the
    site's store, or a test session's). Returns False when the source holds none."""
    conn.execute(f"attach '{str(source).replace(chr(39), chr(39) * 2)}' as reference_source (read_only)")
    try:
        tables = {r[0] for r in conn.execute(
            "select table_name from duckdb_tables() where database_name = 'reference_source'").fetchall()}
        if "reference_load" not in tables or not conn.execute(
                "select count(*) from reference_source.reference_load").fetchone()[0]:
            return False
        conn.execute("begin transaction")
        for table in REFERENCE_TABLES:
            conn.execute(f"delete from {table}")
            if table in tables:
                conn.execute(f"insert into {table} select * from reference_source.{table}")
        if "lsoa_neighbour" not in tables:  # a store from before neighbours were kept
            work_out_neighbours(conn, None)
        conn.execute("commit")
        return True
    finally:
        conn.execute("detach reference_source")


def status(conn, lad_codes: list[str] | None = None) -> dict:
    """What is loaded, and for ``lad_codes`` (a partnership's area) what is missing and where
    to get it."""
    from . import PER_AUTHORITY, authorities

    held = conn.execute(
        """select dataset, count(lad_code), sum(rows), string_agg(distinct source, '; '), max(loaded_at)
           from reference_load group by dataset""").fetchall()
    datasets = []
    by_name = {d: (n, rows, src, at) for d, n, rows, src, at in held}
    for key in ORDER:
        n, rows, src, at = by_name.get(key, (0, None, None, None))
        datasets.append({"dataset": key, "title": DATASETS[key]["title"], "loaded": key in by_name,
                         "rows": rows, "authorities": n if key in PER_AUTHORITY else None,
                         "sources": src, "loaded_at": at, "where": DATASETS[key]["where"]})
    out = {"datasets": datasets}
    if lad_codes is not None:
        names = authorities(conn)
        missing = []
        for key in ORDER:
            if key in PER_AUTHORITY:
                have = {r[0] for r in conn.execute(
                    "select lad_code from reference_load where dataset = ? and lad_code in (select unnest(?))",
                    [key, lad_codes]).fetchall()}
                for lad in lad_codes:
                    if lad not in have:
                        missing.append({"dataset": key, "title": DATASETS[key]["title"], "authority": lad,
                                        "authority_name": names.get(lad), "where": DATASETS[key]["where"]})
            elif key not in by_name:
                missing.append({"dataset": key, "title": DATASETS[key]["title"], "authority": None,
                                "authority_name": None, "where": DATASETS[key]["where"]})
        unknown = [c for c in lad_codes if names and c not in names]
        out["area"] = [{"code": c, "name": names.get(c)} for c in lad_codes]
        out["unknown_authorities"] = unknown
        out["missing"] = missing
    return out


def shared_data_files(data_dir: Path) -> list[Path]:
    """The reference files of the project's shared data folder (``../shared/data``): what the
    demo, the test session and the benchmarks load, as an operator would, with :func:`load_files`."""
    return [folder for folder in (Path(data_dir) / "geography", Path(data_dir) / "population",
                                  Path(data_dir) / "harm") if folder.is_dir()]
