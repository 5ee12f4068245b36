"""Reference data installed once (``saferplan reference load|status``), police data for any force
(``saferplan police import``), and ``saferplan assess --partnership``: partnerships made from
scratch for authorities other than Melton, their stores loaded from the publishers' files (or
slices of them), with counts checked against an independent count made with the csv module."""
from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from saferplan.assessment.police import ImportRefused
from saferplan.assessment.reference.load import load_files, status
from saferplan.assessment.store import connect
from saferplan.cli import main

from .conftest import LOOKUP, police_file
from tests.conftest import DATA_DIR

COVENTRY, MEDWAY, MELTON, CHARNWOOD = "E08000026", "E06000035", "E07000133", "E07000130"
BOUNDARIES = DATA_DIR / "geography" / "boundaries"
POPULATION = DATA_DIR / "population" / "census2021_lsoa21_age6.csv"
HARM = DATA_DIR / "harm" / "cambridge-crime-harm-index-2020.xlsx"
MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]


def _err(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())


@pytest.fixture(scope="module")
def lookup() -> dict[str, str]:
    with open(LOOKUP, newline="", encoding="utf-8") as handle:
        return {r["lsoa21_code"]: r["lad_code"] for r in csv.DictReader(handle)}


def count_in(lookup: dict[str, str], lads: set[str], months: list[str]) -> int:
    """Records placed in ``lads`` by their 2021 LSOA, counted with the csv module alone."""
    total = 0
    for month in months:
        with open(police_file(month), newline="", encoding="utf-8-sig") as handle:
            total += sum(1 for r in csv.DictReader(handle) if lookup.get(r["LSOA code"]) in lads)
    return total


@pytest.fixture
def fresh(monkeypatch, tmp_path, settings):
    """A site whose store starts with no reference data at all (as on a new server)."""
    from saferplan.assessment import services

    monkeypatch.delenv("SAFERPLAN_REFERENCE_FROM", raising=False)
    settings.DUCKDB_PATH = tmp_path / "site" / "saferplan.duckdb"
    services.close_store()
    yield settings.DUCKDB_PATH
    services.close_store()


def population_slice(tmp_path: Path, lads: set[str], lookup: dict[str, str]) -> Path:
    """The Census file's header and its rows for ``lads``: the publisher's format, one area's rows."""
    out = tmp_path / "census2021-slice.csv"
    with open(POPULATION, newline="", encoding="utf-8") as src, open(out, "w", newline="", encoding="utf-8") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        writer.writerow(next(reader))
        writer.writerows(r for r in reader if lookup.get(r[0]) in lads)
    return out


def monthly_archive(tmp_path: Path, months: list[str]) -> Path:
    """A police.uk monthly archive (YYYY-MM/YYYY-MM-<force>-street.csv) of the real files."""
    path = tmp_path / "police-uk-archive.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for month in months:
            zf.write(police_file(month), f"{month}/{police_file(month).name}")
    return path


# --- the loader -------------------------------------------------------------------------------


def test_each_publisher_file_is_recognised_loaded_and_loading_again_replaces_it(tmp_path, lookup, monkeypatch):
    monkeypatch.delenv("SAFERPLAN_REFERENCE_FROM", raising=False)
    conn = connect(tmp_path / "store.duckdb")
    paths = [HARM, BOUNDARIES / f"ward-{COVENTRY}.geojson", population_slice(tmp_path, {COVENTRY}, lookup),
             BOUNDARIES / f"lsoa21-{COVENTRY}.geojson", LOOKUP]
    results = load_files(conn, paths)
    # The lookup goes first whatever the order given: LSOA boundaries are placed by it.
    assert [r.dataset for r in results] == ["lsoa-lookup", "population", "harm-index", "lsoa-boundaries",
                                            "ward-boundaries"]
    coventry_lsoas = sum(1 for lad in lookup.values() if lad == COVENTRY)
    assert results[0].rows == len(lookup) and results[3].rows == coventry_lsoas
    again = load_files(conn, paths)
    assert [r.rows for r in again] == [r.rows for r in results]
    counts = dict(conn.execute("select dataset, sum(rows) from reference_load group by 1").fetchall())
    assert counts["lsoa-lookup"] == len(lookup)
    assert conn.execute("select count(*) from lsoa_boundary").fetchone()[0] == coventry_lsoas
    # Every Coventry LSOA is placed in one of Coventry's wards.
    assert conn.execute("select count(*) from lsoa_ward w join lsoa l using (lsoa_code) "
                        "where l.lad_code = ?", [COVENTRY]).fetchone()[0] == coventry_lsoas
    # Another authority's boundaries are added beside Coventry's, not in their place.
    load_files(conn, [BOUNDARIES / f"lsoa21-{MELTON}.geojson"])
    assert dict(conn.execute("select lad_code, count(*) from lsoa_boundary group by 1").fetchall()) == {
        COVENTRY: coventry_lsoas, MELTON: 30}
    state = status(conn, [COVENTRY, MELTON])
    missing = [(m["dataset"], m["authority"]) for m in state["missing"]]
    assert missing == [("ward-boundaries", MELTON)]
    assert "Open Geography" in state["missing"][0]["where"]


def test_a_bad_lookup_row_is_refused_with_file_line_and_field_and_nothing_changes(tmp_path, monkeypatch):
    monkeypatch.delenv("SAFERPLAN_REFERENCE_FROM", raising=False)
    conn = connect(tmp_path / "store.duckdb")
    lines = LOOKUP.read_text(encoding="utf-8").splitlines()[:40]
    good = tmp_path / "lookup.csv"
    good.write_text("\n".join(lines) + "\n", encoding="utf-8")
    load_files(conn, [good])
    lines[17] = lines[17].replace(",E09", ",X09", 1)
    bad = tmp_path / "lookup-bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        load_files(conn, [bad])
    assert (refused.value.file, refused.value.line, refused.value.field) == (str(bad), 18, "lad_code")
    assert "X09" in str(refused.value)
    # All or nothing: the good load is still what the store holds.
    assert conn.execute("select count(*) from lsoa").fetchone()[0] == 39


def test_boundaries_in_british_national_grid_or_of_2011_lsoas_are_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("SAFERPLAN_REFERENCE_FROM", raising=False)
    conn = connect(tmp_path / "store.duckdb")
    load_files(conn, [LOOKUP])
    data = json.loads((BOUNDARIES / f"lsoa21-{MELTON}.geojson").read_text(encoding="utf-8"))
    # The seventh feature's coordinates in metres, as a BNG download would give them.
    ring = data["features"][6]["geometry"]["coordinates"][0]
    data["features"][6]["geometry"]["coordinates"][0] = [[x * 100000, y * 10000] for x, y in ring]
    bng = tmp_path / "melton-bng.geojson"
    bng.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        load_files(conn, [bng])
    assert "feature 7" in str(refused.value) and refused.value.field == "geometry"
    assert "WGS84" in str(refused.value)
    old = tmp_path / "lsoa2011.geojson"
    old.write_text((BOUNDARIES / f"lsoa21-{MELTON}.geojson").read_text(encoding="utf-8").replace("LSOA21CD", "LSOA11CD"))
    with pytest.raises(ImportRefused, match="2011 LSOA"):
        load_files(conn, [old])
    assert conn.execute("select count(*) from lsoa_boundary").fetchone()[0] == 0


def test_reference_status_says_what_a_partnership_lacks_and_where_to_get_it(fresh, capsys, db):
    from saferplan.partnership.testing import make_partnership

    make_partnership("Charnwood Community Safety Partnership", "charnwood", (CHARNWOOD,))
    assert main(["reference", "status", "--partnership", "charnwood"]) == 0
    out = capsys.readouterr().out
    assert "LSOA 2021 to local authority lookup: not loaded" in out
    assert "missing: LSOA 2021 boundaries for E07000130; get it from the ONS Open Geography Portal" in out
    assert main(["assess", "--partnership", "charnwood", "--period", "2024", "--quiet"]) == 1
    assert "saferplan reference load" in _err(capsys)
    assert main(["reference", "load", "--quiet", str(LOOKUP), str(BOUNDARIES / f"lsoa21-{MELTON}.geojson")]) == 0
    assert capsys.readouterr().out == "Loaded 2 files.\n"
    assert main(["reference", "status", "--partnership", "charnwood", "--format", "json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert {(m["dataset"], m["authority_name"]) for m in state["missing"]} == {
        ("population", None), ("harm-index", None), ("lsoa-boundaries", "Charnwood"), ("ward-boundaries", "Charnwood")}
    assert main(["reference", "load", "--quiet", str(POPULATION.parent / "nothing.csv")]) == 1
    assert "no such file" in _err(capsys)


# --- partnerships from scratch, for forces and authorities other than Melton's -------------


@pytest.mark.django_db
def test_a_coventry_partnership_from_scratch_imports_assesses_and_finds_hotspots(fresh, tmp_path, lookup, capsys):
    """Coventry (West Midlands Police) with its own slice of reference data: the Leicestershire
    archive is kept because its files hold crimes located in Coventry, and the assessment counts
    exactly the records a csv-module count places there."""
    from saferplan.partnership.testing import make_partnership

    coventry = make_partnership("Coventry Community Safety Partnership", "coventry", (COVENTRY,))
    coventry.police_forces = ["West Midlands Police"]
    coventry.save()
    assert main(["reference", "load", "--quiet", str(LOOKUP), str(HARM), str(BOUNDARIES / f"lsoa21-{COVENTRY}.geojson"),
                 str(BOUNDARIES / f"ward-{COVENTRY}.geojson"), str(population_slice(tmp_path, {COVENTRY}, lookup))]) == 0
    archive = monthly_archive(tmp_path, MONTHS)
    assert main(["police", "import", "--partnership", "coventry", "--quiet", str(archive)]) == 0
    assert "Imported" in capsys.readouterr().out
    assert main(["assess", "--partnership", "coventry", "--period", "2024-01:2024-12", "--format", "json",
                 "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["area"] == COVENTRY and data["area_name"] == "Coventry"
    assert data["total"] == count_in(lookup, {COVENTRY}, MONTHS[12:]) > 0
    assert data["total_previous"] == count_in(lookup, {COVENTRY}, MONTHS[:12])
    assert isinstance(data["hotspots"], int) and data["hotspots_unavailable"] is None
    assert data["hotspots"] == sum(1 for r in data["hotspot_analysis"]["lsoas"] if r["classification"] == "hotspot")
    assert len(data["hotspot_analysis"]["lsoas"]) == sum(1 for lad in lookup.values() if lad == COVENTRY)
    assert data["wards"]["available"] and len(data["wards"]["rows"]) == 18
    population = sum(round(float(r["usual_residents"])) for r in csv.DictReader(open(POPULATION, encoding="utf-8"))
                     if lookup.get(r["lsoa21_code"]) == COVENTRY)
    assert data["rates"]["population"] == population


@pytest.mark.django_db
def test_a_force_with_no_records_in_the_area_is_skipped_and_said_so(fresh, tmp_path, lookup, capsys):
    """Medway (Kent Police): the archive holds only Leicestershire, which has no record in Medway."""
    from saferplan.partnership.testing import make_partnership

    assert count_in(lookup, {MEDWAY}, ["2024-01", "2024-02"]) == 0
    medway = make_partnership("Medway Community Safety Partnership", "medway", (MEDWAY,))
    medway.police_forces = ["Kent Police"]
    medway.save()
    assert main(["reference", "load", "--quiet", str(LOOKUP)]) == 0
    archive = monthly_archive(tmp_path, ["2024-01", "2024-02"])
    assert main(["police", "import", "--partnership", "medway", "--quiet", str(archive)]) == 1
    err = _err(capsys)
    assert "skipped: leicestershire (2 files, 2024-01 to 2024-02)" in err and "nothing was kept" in err
    # The site operator's import keeps every force, for every partnership, and runs on the job
    # worker (the test profile's task backend runs it at once).
    from saferplan.assessment import services
    from saferplan.assessment.models import ImportJob

    assert main(["police", "import", "--on-worker", "--wait", "--quiet", str(archive)]) == 0
    assert "Imported" in capsys.readouterr().out
    job = ImportJob.objects.get()
    assert job.partnership is None and job.shared and job.status == ImportJob.Status.SUCCEEDED
    assert job.result["forces"] == ["leicestershire"] and not job.result["skipped_forces"]
    rows = sum(sum(1 for _ in open(police_file(m), encoding="utf-8")) - 1 for m in ("2024-01", "2024-02"))
    with services.reading(medway) as conn:
        assert conn.execute("select count(*) from police_seen").fetchone()[0] == rows
        assert conn.execute("select made_by from import_log").fetchone()[0].startswith("the site operator")


@pytest.mark.django_db
def test_a_partnership_of_two_authorities_with_boundaries_for_one_says_what_is_missing(fresh, tmp_path, lookup,
                                                                                       capsys):
    from saferplan.partnership.testing import make_partnership

    make_partnership("Melton and Charnwood", "melton-charnwood", (MELTON, CHARNWOOD))
    assert main(["reference", "load", "--quiet", str(LOOKUP), str(BOUNDARIES / f"lsoa21-{MELTON}.geojson")]) == 0
    months = ["2024-01", "2024-02", "2024-03"]
    assert main(["police", "import", "--partnership", "melton-charnwood", "--quiet",
                 *[str(police_file(m)) for m in months]]) == 0
    capsys.readouterr()
    assert main(["assess", "--partnership", "melton-charnwood", "--period", "2024-01:2024-03", "--format", "json",
                 "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == count_in(lookup, {MELTON, CHARNWOOD}, months)
    assert data["hotspots"] is None
    assert "LSOA 2021 boundaries for Charnwood (E07000130) are not loaded" in data["hotspots_unavailable"]
    assert "saferplan reference load" in data["hotspots_unavailable"]
    assert not data["wards"]["available"] and "not loaded" in data["wards"]["reason"]


def test_wards_whose_file_names_no_authority_are_placed_by_the_loaded_lsoa_boundaries(tmp_path, monkeypatch):
    """The ONS national ward boundaries carry no authority code: each ward is placed by the LSOA
    boundary holding its inner point, or refused when none is loaded."""
    monkeypatch.delenv("SAFERPLAN_REFERENCE_FROM", raising=False)
    conn = connect(tmp_path / "store.duckdb")
    load_files(conn, [LOOKUP])
    national = {"type": "FeatureCollection", "features": []}
    for lad in (MELTON, COVENTRY):
        data = json.loads((BOUNDARIES / f"ward-{lad}.geojson").read_text(encoding="utf-8"))
        for feature in data["features"]:
            feature["properties"] = {k: v for k, v in feature["properties"].items()
                                     if k in ("WD25CD", "WD25NM", "LONG", "LAT", "GlobalID")}
        national["features"] += data["features"]
    wards = tmp_path / "Wards_December_2025_Boundaries_UK_BGC.geojson"
    wards.write_text(json.dumps(national), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        load_files(conn, [wards])
    assert "feature 1" in str(refused.value) and refused.value.field == "LADnnCD"
    assert "load the LSOA 2021 boundaries first" in str(refused.value)
    load_files(conn, [BOUNDARIES / f"lsoa21-{MELTON}.geojson", BOUNDARIES / f"lsoa21-{COVENTRY}.geojson"])
    [result] = load_files(conn, [wards])
    assert result.authorities == sorted([MELTON, COVENTRY])
    assert dict(conn.execute("select lad_code, count(*) from ward_boundary group by 1").fetchall()) == {
        MELTON: 16, COVENTRY: 18}
    # The same wards as the authority's own file places them in.
    assert dict(conn.execute("select lad_code, count(*) from ward group by 1").fetchall()) == {MELTON: 16, COVENTRY: 18}
