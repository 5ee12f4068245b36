"""Partner data. There is no real partner file in the shared data, so the fixtures are partner-style
tables aggregated from the real police files (LSOA x month x measure x count)."""
import csv
from collections import Counter

import pytest

from saferplan.assessment.partner import (
    ColumnMapping, PartnerImportRefused, import_partner, inspect_csv, partner_summary)
from saferplan.core.periods import Period
from saferplan.assessment.police import ImportRefused
from saferplan.assessment.store import connect

from .conftest import MELTON, police_file

MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]
MEASURES = {"Criminal damage and arson": "Deliberate fires", "Public order": "Hate incidents"}


@pytest.fixture(scope="module")
def melton_counts(lsoa_lad):
    counts = Counter()
    for month in MONTHS:
        with open(police_file(month), encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if lsoa_lad.get(row["LSOA code"]) == MELTON and row["Crime type"] in MEASURES:
                    counts[(row["LSOA code"], month, MEASURES[row["Crime type"]])] += 1
    return counts


@pytest.fixture
def partner_csv(tmp_path, melton_counts):
    path = tmp_path / "fire-and-hate.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["LSOA21CD", "Month", "Incident type", "Incidents"])
        for (lsoa, month, measure), n in sorted(melton_counts.items()):
            writer.writerow([lsoa, month, measure, n])
    return path


MAPPING = ColumnMapping(area="LSOA21CD", month="Month", measure="Incident type", count="Incidents")


def test_inspect_suggests_a_mapping(partner_csv):
    info = inspect_csv(partner_csv)
    assert info["columns"] == ["LSOA21CD", "Month", "Incident type", "Incidents"]
    assert info["suggested"] == {"area": "LSOA21CD", "month": "Month", "measure": "Incident type",
                                 "count": "Incidents"}


def test_import_and_summary(partner_csv, melton_counts):
    conn = connect()
    result = import_partner(conn, partner_csv, MAPPING, "Fire and police")
    assert result.rows == len(melton_counts) and result.area_levels == ["lsoa"]
    summary = {r["measure"]: r for r in partner_summary(conn, [MELTON], Period.parse("2024-01:2024-12"))}
    fires_2024 = sum(n for (l, m, me), n in melton_counts.items() if me == "Deliberate fires" and m >= "2024")
    fires_2023 = sum(n for (l, m, me), n in melton_counts.items() if me == "Deliberate fires" and m < "2024")
    assert (summary["Deliberate fires"]["count"], summary["Deliberate fires"]["previous_count"]) == (fires_2024, fires_2023)
    assert partner_summary(conn, ["E07000130"], Period.parse("2024")) == []
    again = import_partner(conn, partner_csv, MAPPING, "Fire and police")
    assert again.rows_replaced == result.rows
    assert conn.execute("select count(*) from partner_record").fetchone()[0] == result.rows


def test_authority_level_with_a_fixed_measure(tmp_path, melton_counts):
    path = tmp_path / "fires-by-authority.csv"
    by_month = Counter()
    for (lsoa, month, measure), n in melton_counts.items():
        if measure == "Deliberate fires":
            by_month[month] += n
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Authority", "Period", "Value"])
        writer.writerows([MELTON, m, n] for m, n in sorted(by_month.items()))
    conn = connect()
    import_partner(conn, path, ColumnMapping(area="Authority", month="Period", count="Value",
                                             fixed_measure="Deliberate fires"), "Fire service")
    (row,) = partner_summary(conn, [MELTON], Period.parse("2024"))
    assert row["measure"] == "Deliberate fires"
    assert row["count"] == sum(n for m, n in by_month.items() if m >= "2024")


def test_errors_name_line_and_column_and_nothing_is_kept(partner_csv):
    rows = list(csv.reader(open(partner_csv, encoding="utf-8")))
    rows[4][0] = "E01999999"
    rows[9][1] = "March 2024"
    rows[12][3] = "-3"
    with open(partner_csv, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    conn = connect()
    with pytest.raises(PartnerImportRefused) as caught:
        import_partner(conn, partner_csv, MAPPING, "Fire and police")
    errors = [(e["line"], e["column"]) for e in caught.value.errors]
    assert errors == [(5, "LSOA21CD"), (10, "Month"), (13, "Incidents")]
    assert str(partner_csv) in str(caught.value) and "line 5" in str(caught.value)
    assert conn.execute("select count(*) from partner_record").fetchone()[0] == 0


def test_mapping_must_name_header_columns(partner_csv):
    with pytest.raises(ImportRefused, match="not in the header"):
        import_partner(connect(), partner_csv,
                       ColumnMapping(area="LSOA", month="Month", count="Incidents", fixed_measure="x"), "x")
