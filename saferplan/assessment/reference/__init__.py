"""Reference data: the national datasets every assessment joins to, held in the crime store.

The LSOA 2021 -> local authority lookup, Census 2021 population by LSOA and age, LSOA and ward
boundaries and the Cambridge Crime Harm Index are loaded by the site operator from the
publishers' files with ``saferplan reference load`` (:mod:`.load`), into tables of the DuckDB
store, so that they are shared by every partnership, read in the same snapshot as the crime
data, and written only by the command line and the job worker (docs/adr/0013-reference-data.md).
Nothing at run time reads a folder of reference files: this module is the read API.
"""
from __future__ import annotations

import json
import re

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

# The datasets, what each is called in messages, and where its publisher keeps it (in words:
# the operator downloads the file and gives it to ``saferplan reference load``).
LOOKUP, POPULATION, HARM, LSOA_BOUNDARIES, WARD_BOUNDARIES = (
    "lsoa-lookup", "population", "harm-index", "lsoa-boundaries", "ward-boundaries")
DATASETS = {
    LOOKUP: {
        "title": "LSOA 2021 to local authority lookup",
        "where": "ONS Open Geography Portal (geoportal.statistics.gov.uk): 'LSOA (2021) to Electoral "
                 "Ward to LAD' or 'LSOA (2021) to LAD' lookup, CSV download",
    },
    POPULATION: {
        "title": "Census 2021 usual residents by LSOA and age",
        "where": "ONS 'Create a custom dataset' (ons.gov.uk/datasets/create): Census 2021, usual "
                 "residents, area type Lower layer Super Output Areas, Age (6 categories), CSV",
    },
    HARM: {
        "title": "Cambridge Crime Harm Index 2020",
        "where": "Cambridge Centre for Evidence-Based Policing (cambridge-ebp.co.uk): 'Cambridge "
                 "Crime Harm Index' workbook (.xlsx)",
    },
    LSOA_BOUNDARIES: {
        "title": "LSOA 2021 boundaries",
        "where": "ONS Open Geography Portal: 'Lower layer Super Output Areas (December 2021) "
                 "Boundaries EW BGC', GeoJSON download (national, or filtered to the authority)",
    },
    WARD_BOUNDARIES: {
        "title": "Ward boundaries",
        "where": "ONS Open Geography Portal: 'Wards (December 2025) Boundaries UK BGC' (or the "
                 "latest year), GeoJSON download (national, or filtered to the authority)",
    },
}
PER_AUTHORITY = (LSOA_BOUNDARIES, WARD_BOUNDARIES)


class ReferenceDataMissing(Exception):
    pass


def loaded(conn) -> dict[str, dict]:
    """What is loaded: national datasets by name, boundaries by (dataset, authority)."""
    rows = conn.execute(
        "select dataset, lad_code, source, rows, loaded_at from reference_load order by dataset, lad_code"
    ).fetchall()
    return {(d if lad is None else (d, lad)): {"source": s, "rows": n, "loaded_at": at}
            for d, lad, s, n, at in rows}


def has_lookup(conn) -> bool:
    return bool(conn.execute("select count(*) from reference_load where dataset = ?", [LOOKUP]).fetchone()[0])


def authorities(conn=None) -> dict[str, str]:
    """Local authority code -> name, from the loaded lookup (every authority in England and
    Wales once the national lookup is loaded). ``conn`` None reads the web's snapshot."""
    if conn is None:
        from ..services import reading

        with reading(None) as c:
            return authorities(c)
    return dict(conn.execute("select distinct lad_code, lad_name from lsoa order by lad_code").fetchall())


def authority_names(conn, codes: list[str]) -> list[str]:
    """Names of ``codes`` in order; ``ValueError`` names the codes the lookup does not hold."""
    names = authorities(conn)
    missing = [c for c in codes if c not in names]
    if missing:
        why = ("no lookup is loaded: load it with saferplan reference load (" + DATASETS[LOOKUP]["where"] + ")"
               if not names else "not a local authority in the loaded LSOA 2021 lookup")
        raise ValueError(f"{', '.join(missing)}: {why}")
    return [names[c] for c in codes]


def authority_for_lsoa_name(name: str, names: dict[str, str]) -> str | None:
    """Python twin of the SQL name rule, for callers outside DuckDB (partner validation)."""
    return names.get(re.sub(LSOA_NAME_SUFFIX, "", name.strip()))


def census_age(conn, lad_codes: list[str]) -> dict[str, int]:
    """Census 2021 usual residents of the authorities by age group."""
    return dict(conn.execute(
        """select p.age_group, sum(p.residents) from lsoa_population p join lsoa l using (lsoa_code)
           where l.lad_code in (select unnest(?)) group by 1""", [lad_codes]).fetchall())


def harm_offences(conn) -> list[dict]:
    """The Cambridge Crime Harm Index offences with a score (empty when it is not loaded)."""
    return [{"title": t, "score": s, "group": g, "sub_group": sg} for t, s, g, sg in conn.execute(
        "select title, score, offence_group, sub_group from harm_offence order by position").fetchall()]


def boundary_features(conn, level: str, lad_codes: list[str]) -> list[dict]:
    """GeoJSON features (WGS84) of the authorities' LSOAs (``level`` 'lsoa') or wards ('ward'),
    with the properties LSOA21CD/LSOA21NM or WD25CD/WD25NM that maps and hotspots use."""
    table, code, name = (("lsoa_boundary", "LSOA21CD", "LSOA21NM") if level == "lsoa"
                         else ("ward_boundary", "WD25CD", "WD25NM"))
    rows = conn.execute(
        f"select {table.split('_')[0]}_code, {table.split('_')[0]}_name, lad_code, geometry from {table} "
        "where lad_code in (select unnest(?)) order by 1", [lad_codes]).fetchall()
    return [{"type": "Feature", "geometry": json.loads(geometry),
             "properties": {code: c, name: n, "LAD": lad}} for c, n, lad, geometry in rows]


def lsoa_neighbours(conn, lad_codes: list[str]) -> list[dict]:
    """The authorities' LSOAs by code, each with the codes of the LSOAs of the same area that
    touch it (Queen contiguity: a shared boundary point), as worked out when the boundaries were
    loaded (:func:`.load.work_out_neighbours`). Hotspots read this instead of the geometry."""
    rows = conn.execute(
        """with area as (select lsoa_code, lsoa_name from lsoa_boundary where lad_code in (select unnest(?)))
           select a.lsoa_code, a.lsoa_name,
                  list(n.neighbour_code order by n.neighbour_code)
                      filter (where n.neighbour_code in (select lsoa_code from area))
           from area a left join lsoa_neighbour n using (lsoa_code)
           group by all""", [lad_codes]).fetchall()
    return sorted(({"lsoa_code": c, "lsoa_name": n, "neighbours": nb or []} for c, n, nb in rows),
                  key=lambda r: r["lsoa_code"])


def boundaries_missing(conn, level: str, lad_codes: list[str]) -> list[str]:
    """The authorities of ``lad_codes`` with no LSOA (or ward) boundaries loaded."""
    table = "lsoa_boundary" if level == "lsoa" else "ward_boundary"
    have = {r[0] for r in conn.execute(
        f"select distinct lad_code from {table} where lad_code in (select unnest(?))", [lad_codes]).fetchall()}
    return [c for c in lad_codes if c not in have]


def missing_message(conn, level: str, lad_codes: list[str]) -> str:
    """What a page, a document or the command line says when boundaries are not loaded."""
    names = authorities(conn)
    shown = ", ".join(f"{names.get(c, c)} ({c})" for c in lad_codes)
    dataset = LSOA_BOUNDARIES if level == "lsoa" else WARD_BOUNDARIES
    return (f"{DATASETS[dataset]['title']} for {shown} are not loaded. The site operator loads "
            f"them with 'saferplan reference load FILE.geojson' (from the {DATASETS[dataset]['where']}), "
            "or a manager uploads them on the partnership's boundaries page.")


def lsoa_boundaries(conn, lad_codes: list[str]):
    """GeoDataFrame of the authorities' 2021 LSOAs, or None when any of them has none loaded."""
    if boundaries_missing(conn, "lsoa", lad_codes):
        return None
    import geopandas

    return geopandas.GeoDataFrame.from_features(boundary_features(conn, "lsoa", lad_codes), crs=4326)


def ensure_ward_lookup(conn, lad_codes: list[str]) -> list[str]:
    """The authorities of ``lad_codes`` that have no LSOA -> ward lookup: it is worked out when
    their boundaries are loaded (:func:`.load.work_out_wards`), so reading never writes."""
    have = {r[0] for r in conn.execute(
        "select distinct lad_code from ward where lad_code in (select unnest(?))", [lad_codes]).fetchall()}
    return [c for c in lad_codes if c not in have]
