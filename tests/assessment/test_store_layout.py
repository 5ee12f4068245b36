"""The store's layout (docs/adr/0011-store-layout.md): rows stored in (authority, month) order,
each file's placement counts kept at import and read by data quality instead of the records,
and the fast record count agreeing with the line-by-line one."""
from __future__ import annotations

import csv

import pytest

from saferplan.assessment import analysis, police
from saferplan.core.periods import Period
from saferplan.assessment.police import ImportRefused, Limits, count_records, import_police
from saferplan.assessment.store import connect, scope

from .conftest import MELTON, police_file

PERIOD = Period.parse("2024-08:2024-08")


def record_scan_quality(cursor, forces: list[str]) -> dict:
    """Data quality's input counts the slow way: every record of the forces, read again."""
    row = cursor.execute(
        """
        select count(*), count(*) filter (where lsoa_status = 'none'),
               count(*) filter (where lon is null or lat is null),
               count(*) filter (where lsoa_status in ('name-assigned', 'unmatched')),
               count(*) filter (where lsoa_status = 'name-assigned'),
               count(*) filter (where lsoa_status = 'name-assigned' and lad_code = ?),
               count(*) filter (where lsoa_status = 'unmatched'),
               count(*) filter (where lad_code = ?)
        from police_seen where force in (select unnest(?))
        """, [MELTON, MELTON, forces]).fetchone()
    keys = ["records", "no_location", "no_coordinates", "non_2021_lsoa", "name_assigned",
            "name_assigned_to_area", "unmatched_unplaced", "area_records"]
    return dict(zip(keys, row))


def test_rows_are_stored_in_authority_and_month_order(copy_month):
    conn = connect()
    import_police(conn, [copy_month("2024-08"), copy_month("2024-07")])
    rows = conn.execute("select lad_code, month from police_record order by rowid").fetchall()
    placed = [r for r in rows if r[0] is not None]
    assert placed == sorted(placed)
    # Records without an authority come after every placed one.
    assert all(r[0] is None for r in rows[len(placed):]) and len(placed) < len(rows)


def test_file_counts_match_the_files(copy_month):
    conn = connect()
    import_police(conn, [copy_month("2024-08")])
    row = conn.execute("select rows, no_location, no_coordinates from import_file").fetchone()
    with open(police_file("2024-08"), encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert row == (len(records), sum(1 for r in records if not r["LSOA code"].strip()),
                   sum(1 for r in records if not r["Longitude"] or not r["Latitude"]))


def test_data_quality_reads_file_counts_as_the_records_say(copy_month, tmp_path):
    conn = connect()
    import_police(conn, [copy_month("2024-08"), copy_month("2023-08")])
    # A shared re-import of one month: only the latest file of a force-month counts.
    import_police(conn, [copy_month("2024-08", tmp_path / "again")])
    # An owner with its own copy of a month reads it instead of the shared one (not both).
    import_police(conn, [copy_month("2023-08", tmp_path / "own")], owner=1)
    for owner in (None, 1):
        cursor = scope(conn.cursor(), owner)
        quality = analysis.data_quality(cursor, [MELTON], PERIOD)
        slow = record_scan_quality(cursor, quality["forces"])
        assert quality["input"] == slow and slow["records"] > 0
        assert quality["input"]["records"] == sum(
            n for (n,) in conn.execute("select rows from import_file where import_id in (2, 3)").fetchall())


def test_a_store_from_before_file_counts_gets_them_when_opened(copy_month, tmp_path):
    path = tmp_path / "old.duckdb"
    conn = connect(path)
    import_police(conn, [copy_month("2024-08")])
    before = conn.execute("select no_location, no_coordinates, name_assigned, unmatched "
                          "from import_file").fetchall()
    for column in ("no_location", "no_coordinates", "name_assigned", "unmatched"):
        conn.execute(f"alter table import_file drop column {column}")
    conn.close()
    conn = connect(path)
    assert conn.execute("select no_location, no_coordinates, name_assigned, unmatched "
                        "from import_file").fetchall() == before
    assert before[0][0] > 0


@pytest.mark.parametrize("chunk", [1, 5, 64, 1 << 20])
def test_fast_record_count_agrees_with_the_line_walk(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(police, "SCAN_CHUNK_BYTES", chunk)
    head = police_file("2024-08").read_bytes()[:20_000]
    head = head[:head.rindex(b"\n") + 1]
    quoted = head + b'x,"a\nb",c\n\n' + b'y,"z""",w\r\n' + head.split(b"\n", 1)[1]
    path = tmp_path / "f.csv"
    path.write_bytes(quoted)
    records = len(head.splitlines()) - 1 + 2 + len(head.splitlines()) - 1
    assert count_records(path, "f.csv") == records
    path.write_bytes(head + b"a" * 300 + b"\n" + head)
    with pytest.raises(ImportRefused) as refused:
        count_records(path, "f.csv", Limits(max_line_bytes=299))
    assert refused.value.line == len(head.splitlines()) + 1
