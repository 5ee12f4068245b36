"""Fixtures built from the real police.uk, lookup and Census files (never invented formats)."""
from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from saferplan.assessment.police import import_police
from tests.conftest import DATA_DIR
from saferplan.assessment.store import connect

MELTON = "E07000133"
LEICS = DATA_DIR / "police-uk" / "leicestershire"
LOOKUP = DATA_DIR / "geography" / "lsoa21_to_lad.csv"

if not LEICS.is_dir():  # pragma: no cover - the shared data folder is part of the project set-up
    pytest.skip(f"reference data not found at {LEICS}", allow_module_level=True)


def police_file(month: str) -> Path:
    return LEICS / f"{month}-leicestershire-street.csv"


@pytest.fixture(scope="session")
def lsoa_lad() -> dict[str, str]:
    with open(LOOKUP, newline="", encoding="utf-8") as handle:
        return {r["lsoa21_code"]: r["lad_code"] for r in csv.DictReader(handle)}


def independent_counts(lsoa_lad: dict[str, str], lad: str, months: list[str]) -> Counter:
    """Records per category in ``lad`` for ``months``, counted with the csv module alone."""
    counts: Counter = Counter()
    for month in months:
        with open(police_file(month), newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if lsoa_lad.get(row["LSOA code"]) == lad:
                    counts[row["Crime type"]] += 1
    return counts


@pytest.fixture(scope="session")
def store():
    """All 24 Leicestershire months, imported once for the analysis tests (read only)."""
    conn = connect()
    import_police(conn, [LEICS])
    yield conn
    conn.close()


@pytest.fixture
def head_of(tmp_path):
    """Write the header and the first ``n`` rows of a real month to tmp_path, keeping its name."""

    def make(month: str, n: int = 200, folder: Path | None = None) -> Path:
        folder = folder or tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / police_file(month).name
        with open(police_file(month), encoding="utf-8", newline="") as src, \
                open(target, "w", encoding="utf-8", newline="") as dst:
            for i, line in enumerate(src):
                if i > n:
                    break
                dst.write(line)
        return target

    return make


@pytest.fixture
def copy_month(tmp_path):
    def make(month: str, folder: Path | None = None) -> Path:
        folder = folder or tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(police_file(month), folder / police_file(month).name))

    return make
