"""Shared helpers for the assessment's web and browser tests: small slices of the real police.uk
files (every Melton row, plus rows with no location and with older LSOA codes, kept as found)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from saferplan.assessment import services
from tests.conftest import DATA_DIR

from .conftest import MELTON, police_file

_LSOAS: set[str] | None = None


def lsoa21() -> set[str]:
    global _LSOAS
    if _LSOAS is None:
        with open(DATA_DIR / "geography" / "lsoa21_to_lad.csv", newline="", encoding="utf-8") as handle:
            _LSOAS = {r["lsoa21_code"] for r in csv.DictReader(handle) if r["lad_code"] == MELTON}
    return _LSOAS


def melton_slice(month: str, folder: Path, others: int = 40) -> dict:
    """Write the month's Melton rows and ``others`` rows with no location and with a non-2021 LSOA
    code (as they are in the file) under the police.uk file name; return what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / "geography" / "lsoa21_to_lad.csv", newline="", encoding="utf-8") as handle:
        all_2021 = {r["lsoa21_code"] for r in csv.DictReader(handle)}
    melton = lsoa21()
    target = folder / police_file(month).name
    counts = {"melton": 0, "no_location": 0, "non_2021": 0, "rows": 0}
    with open(police_file(month), encoding="utf-8", newline="") as src, \
            open(target, "w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst, lineterminator="\n")
        header = next(reader)
        writer.writerow(header)
        code = header.index("LSOA code")
        for row in reader:
            kind = ("melton" if row[code] in melton else "no_location" if not row[code]
                    else "non_2021" if row[code] not in all_2021 else None)
            if kind is None or (kind != "melton" and counts[kind] >= others):
                continue
            counts[kind] += 1
            counts["rows"] += 1
            writer.writerow(row)
    counts["path"] = target
    return counts


@pytest.fixture
def store(settings, tmp_path):
    """A fresh DuckDB store and upload folder for the test; closed afterwards."""
    settings.DUCKDB_PATH = tmp_path / "store.duckdb"
    settings.ASSESSMENT_UPLOAD_DIR = tmp_path / "uploads"
    settings.ASSESSMENT_SERVER_IMPORT_ROOTS = [tmp_path / "server"]
    services.close_store()
    yield settings.DUCKDB_PATH
    services.close_store()


def records() -> int:
    with services.reading(None) as conn:
        return conn.execute("select count(*) from police_record").fetchone()[0]
