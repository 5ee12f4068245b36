"""Reference data: where it lives and how it is loaded into DuckDB.

The reference files (LSOA -> local authority lookup, Census 2021 population, boundaries, the
Cambridge Crime Harm Index) are read from ``SAFERPLAN_DATA_DIR`` or, by default, from
``<repo>/../shared/data``. They are read-only inputs: nothing here writes to that folder.
"""
from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]

# LSOA names are "<authority name> <3 digits><letter>"; the authority part is what a non-2021
# LSOA code can still be placed by.
LSOA_NAME_SUFFIX = r" [0-9]{3}[A-Z]$"

# Authority names found in pre-2021 LSOA names whose district has since been merged or renamed.
# Names still in use come from the lookup itself; these are only the ones it no longer contains.
FORMER_AUTHORITY_NAMES = {
    "Taunton Deane": "Somerset",
    "West Somerset": "Somerset",
    "Somerset West and Taunton": "Somerset",
    "Forest Heath": "West Suffolk",
    "St Edmundsbury": "West Suffolk",
    "Suffolk Coastal": "East Suffolk",
    "Waveney": "East Suffolk",
    "Bournemouth": "Bournemouth, Christchurch and Poole",
    "Christchurch": "Bournemouth, Christchurch and Poole",
    "Poole": "Bournemouth, Christchurch and Poole",
    "East Dorset": "Dorset",
    "North Dorset": "Dorset",
    "Purbeck": "Dorset",
    "West Dorset": "Dorset",
    "Weymouth and Portland": "Dorset",
    "Aylesbury Vale": "Buckinghamshire",
    "Chiltern": "Buckinghamshire",
    "South Bucks": "Buckinghamshire",
    "Wycombe": "Buckinghamshire",
    "Corby": "North Northamptonshire",
    "East Northamptonshire": "North Northamptonshire",
    "Kettering": "North Northamptonshire",
    "Wellingborough": "North Northamptonshire",
    "Daventry": "West Northamptonshire",
    "Northampton": "West Northamptonshire",
    "South Northamptonshire": "West Northamptonshire",
    "Shepway": "Folkestone and Hythe",
}


def data_dir() -> Path:
    configured = os.environ.get("SAFERPLAN_DATA_DIR")
    return Path(configured) if configured else REPO_DIR.parent / "shared" / "data"


def lookup_path() -> Path:
    return data_dir() / "geography" / "lsoa21_to_lad.csv"


def population_path() -> Path:
    return data_dir() / "population" / "census2021_lsoa21_age6.csv"


def harm_index_path() -> Path:
    return data_dir() / "harm" / "cambridge-crime-harm-index-2020.xlsx"


def lsoa_boundary_path(lad_code: str) -> Path:
    return data_dir() / "geography" / "boundaries" / f"lsoa21-{lad_code}.geojson"


def ward_boundary_path(lad_code: str) -> Path:
    return data_dir() / "geography" / "boundaries" / f"ward-{lad_code}.geojson"


class ReferenceDataMissing(Exception):
    pass


def _require(path: Path) -> str:
    if not path.exists():
        raise ReferenceDataMissing(
            f"Reference file {path} not found; set SAFERPLAN_DATA_DIR to the shared data folder."
        )
    return str(path)


def load_reference(conn) -> None:
    """Load the LSOA lookup, authority name index and population, if not already loaded."""
    if conn.execute("select count(*) from lsoa").fetchone()[0]:
        return
    conn.execute(
        """
        insert into lsoa
        select lsoa21_code, lsoa21_name, lad_code, lad_name
        from read_csv(?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
        """,
        [_require(lookup_path())],
    )
    aliases = [(old, new) for old, new in FORMER_AUTHORITY_NAMES.items()]
    conn.execute("create temp table former_name(name varchar, current_name varchar)")
    conn.executemany("insert into former_name values (?, ?)", aliases)
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
    conn.execute(
        """
        insert into lsoa_population
        select lsoa21_code, age_group, cast(round(cast(usual_residents as double)) as integer)
        from read_csv(?, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
        """,
        [_require(population_path())],
    )


def authority_for_lsoa_name(name: str, names: dict[str, str]) -> str | None:
    """Python twin of the SQL name rule, for callers outside DuckDB (partner validation)."""
    return names.get(re.sub(LSOA_NAME_SUFFIX, "", name.strip()))


@cache
def _read_geojson(path: Path):
    import geopandas

    return geopandas.read_file(path)


def lsoa_boundaries(lad_code: str):
    """GeoDataFrame of the authority's 2021 LSOAs, or None when no boundary file exists."""
    path = lsoa_boundary_path(lad_code)
    return _read_geojson(path) if path.exists() else None


def ward_boundaries(lad_code: str):
    path = ward_boundary_path(lad_code)
    return _read_geojson(path) if path.exists() else None


def ensure_ward_lookup(conn, lad_codes: list[str]) -> list[str]:
    """Fill lsoa_ward for the authorities that have both boundary files; return those lacking them.

    Each LSOA goes to the ward that holds the largest share of its area (a best fit, as the
    ONS best-fit lookups do). 2021 LSOAs do not nest in 2025 wards, so some LSOA must be split
    or assigned; assigning whole LSOAs keeps crime counts and Census population on the same
    footprint, so ward rates are consistent. Assigning each crime by its own point would be
    sharper for counts but would leave the population denominator on a different footprint.
    Areas are compared in British National Grid (EPSG:27700) because WGS84 degrees are not
    equal-area.
    """
    missing = []
    # A web process reads a read-only snapshot: the job worker fills the lookup for it
    # (services._ensure_wards), and until then the authority has no wards here.
    read_only = conn.execute(
        "select readonly from duckdb_databases() where database_name = current_database()").fetchone()[0]
    for lad_code in lad_codes:
        if conn.execute("select count(*) from ward where lad_code = ?", [lad_code]).fetchone()[0]:
            continue
        lsoas, wards = (None, None) if read_only else (lsoa_boundaries(lad_code), ward_boundaries(lad_code))
        if lsoas is None or wards is None:
            missing.append(lad_code)
            continue
        import geopandas

        lsoas_bng = lsoas[["LSOA21CD", "geometry"]].to_crs(27700)
        wards_bng = wards[["WD25CD", "geometry"]].to_crs(27700)
        pieces = geopandas.overlay(lsoas_bng, wards_bng, how="intersection", keep_geom_type=True)
        pieces["share"] = pieces.geometry.area
        best = (
            pieces.sort_values("share", ascending=False)
            .drop_duplicates("LSOA21CD")
            .merge(lsoas_bng.assign(total=lsoas_bng.geometry.area)[["LSOA21CD", "total"]])
        )
        conn.executemany(
            "insert into ward values (?, ?, ?)",
            [(r.WD25CD, r.WD25NM, lad_code) for r in wards.itertuples()],
        )
        conn.executemany(
            "insert into lsoa_ward values (?, ?, ?)",
            [
                (r.LSOA21CD, r.WD25CD, round(float(r.share / r.total), 4))
                for r in best.itertuples()
            ],
        )
    return missing


# --- Local authorities, for choosing a partnership's area ------------------------------------


@cache
def _authorities_from(path: Path) -> tuple[tuple[str, str], ...]:
    import csv

    found: dict[str, str] = {}
    with open(_require(path), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found.setdefault(row["lad_code"], row["lad_name"])
    return tuple(sorted(found.items()))


def authorities(conn=None) -> dict[str, str]:
    """Local authority code -> name: every current district of England and Wales, from the ONS
    LSOA lookup. (``conn`` is unused here: the reference-data work reads the same answer from
    the loaded lookup in the store, through this same signature.)"""
    return dict(_authorities_from(lookup_path()))
