"""Hostile and broken files: every importer either imports a file whole or refuses it with a
message naming the file (as the person gave it, never a server path) and, where there is one,
its line and field; a refused import leaves the store exactly as it was. Built from slices of
the real police.uk files and partner-style tables aggregated from them."""
from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from saferplan.assessment.partner import ColumnMapping, check_csv, import_partner, inspect_csv
from saferplan.assessment.police import ImportNeedsConfirmation, ImportRefused, Limits, import_police
from saferplan.assessment.store import connect

from .conftest import MELTON, police_file

AUGUST = "2024-08"
NAME = f"{AUGUST}-leicestershire-street.csv"


def real_lines(month: str = AUGUST, n: int | None = None) -> list[bytes]:
    with open(police_file(month), "rb") as handle:
        lines = handle.read().splitlines(keepends=True)
    return lines if n is None else lines[: n + 1]


def snapshot(conn) -> tuple:
    """Everything an import could change."""
    return tuple(conn.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {table} t").fetchone()
                 for table in ("police_record", "partner_record", "import_log", "import_file"))


@pytest.fixture(scope="module")
def august_store():
    conn = connect()
    import_police(conn, [police_file(AUGUST)])
    yield conn
    conn.close()


def refused(conn, path: Path, name: str, **kwargs) -> ImportRefused:
    """Import ``path`` under the name the person gave it; it must be refused and change nothing."""
    before = snapshot(conn)
    with pytest.raises(ImportRefused) as caught:
        import_police(conn, [(path, name)], **kwargs)
    assert snapshot(conn) == before
    message = str(caught.value)
    assert name.split("!")[0] in message, message
    assert str(path.parent) not in message and "/tmp" not in message, message
    return caught.value


# --- police.uk files -------------------------------------------------------------------------------


def test_an_empty_file_and_a_header_alone_are_refused(august_store, tmp_path):
    empty = tmp_path / "a" / NAME
    empty.parent.mkdir()
    empty.write_bytes(b"")
    assert refused(august_store, empty, NAME).line == 1
    header_only = tmp_path / "b" / NAME
    header_only.parent.mkdir()
    header_only.write_bytes(real_lines(n=0)[0])
    error = refused(august_store, header_only, NAME)
    assert "header but no records" in error.reason and error.line == 2


@pytest.mark.parametrize("megabytes", [3, 33])
def test_a_huge_line_is_refused_not_read_as_nothing(august_store, tmp_path, megabytes):
    """DuckDB reads a line of 32 MB or more as no rows, without an error."""
    lines = real_lines(n=20)
    path = tmp_path / NAME
    with open(path, "wb") as handle:
        handle.writelines(lines[:5])
        handle.write(b'"' + b"x" * (megabytes * 1024 * 1024) + b'"\n')
        handle.writelines(lines[5:])
    error = refused(august_store, path, NAME)
    assert error.line == 6 and "longer than" in error.reason


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_file_the_count_refuses_stops_the_store_reading_the_others(august_store, tmp_path, where):
    """DuckDB stores the files while they are counted: a file the count refuses (here a line of
    3 MB, counted first or last) rolls back what DuckDB read of every file, names the line, and
    leaves no thread behind."""
    import threading

    lines = real_lines(n=20)
    bad = tmp_path / "bad" / "2025-01-leicestershire-street.csv"
    bad.parent.mkdir()
    with open(bad, "wb") as handle:
        handle.writelines(lines[:5])
        handle.write(b'"' + b"x" * (3 * 1024 * 1024) + b'"\n')
        handle.writelines(lines[5:])
    good = sorted(police_file(AUGUST).parent.glob("*-street.csv"))
    sources = [(bad, "bad.csv")] + good if where == "first" else good + [(bad, "bad.csv")]
    threads = threading.active_count()
    before = snapshot(august_store)
    with pytest.raises(ImportRefused) as caught:
        import_police(august_store, sources)
    assert caught.value.file == "bad.csv" and caught.value.line == 6 and "longer than" in caught.value.reason
    assert snapshot(august_store) == before
    assert threading.active_count() == threads


def test_a_line_just_under_the_limit_is_checked_as_a_row(august_store, tmp_path):
    lines = real_lines(n=3)
    path = tmp_path / NAME
    path.write_bytes(b"".join(lines) + b"x" * 60_000 + b"\n")
    error = refused(august_store, path, NAME)
    assert error.line == 5


def test_a_subset_of_a_month_needs_confirmation_naming_both_counts(tmp_path):
    conn = connect()
    import_police(conn, [police_file(AUGUST)])
    whole = len(real_lines()) - 1
    path = tmp_path / NAME
    path.write_bytes(b"".join(real_lines(n=49)))
    before = snapshot(conn)
    with pytest.raises(ImportNeedsConfirmation) as caught:
        import_police(conn, [(path, NAME)])
    assert snapshot(conn) == before
    assert caught.value.shrinks == [("leicestershire", AUGUST, whole, 49)]
    assert f"{whole:,} records now, 49 in the new file" in str(caught.value)
    # A confirmation is of the counts shown: other counts (the data changed since) ask again.
    with pytest.raises(ImportNeedsConfirmation):
        import_police(conn, [(path, NAME)], confirm_shrink=[("leicestershire", AUGUST, whole + 1, 49)])
    result = import_police(conn, [(path, NAME)], confirm_shrink=caught.value.shrinks)
    assert (result.rows_read, result.rows_replaced) == (49, whole)
    # Growing, or shrinking a little, needs no confirmation.
    import_police(conn, [police_file(AUGUST)])
    path.write_bytes(b"".join(real_lines(n=whole * 6 // 10)))
    import_police(conn, [(path, NAME)])


def test_a_file_not_named_the_police_uk_way_is_checked_in_full(august_store, tmp_path):
    lines = real_lines(n=30)
    text = b"".join(lines).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    rows[12][4] = "west"  # Longitude
    path = tmp_path / "melton crimes.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    error = refused(august_store, path, "melton crimes.csv")
    assert (error.file, error.line, error.field) == ("melton crimes.csv", 13, "Longitude")


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_before_anything_is_extracted(august_store, tmp_path):
    bomb = zipped(tmp_path / "police.zip", {f"{AUGUST}/{NAME}": b"\n" * (64 * 1024 * 1024)})
    assert bomb.stat().st_size < 1024 * 1024
    error = refused(august_store, bomb, "police.zip")
    assert error.file == f"police.zip!{AUGUST}/{NAME}" and "expands" in error.reason
    assert not list(tmp_path.glob("saferplan-import-*"))


def test_an_archive_too_big_once_expanded_is_refused(august_store, tmp_path):
    archive = zipped(tmp_path / "police.zip", {f"{AUGUST}/{NAME}": police_file(AUGUST).read_bytes()})
    error = refused(august_store, archive, "police.zip", limits=Limits(max_unzipped_bytes=1024 * 1024))
    assert "expand to" in error.reason and error.file == "police.zip"


def test_an_archive_of_too_many_files_is_refused(august_store, tmp_path):
    lines = b"".join(real_lines(n=3))
    members = {f"{AUGUST}/{AUGUST}-force{n}-street.csv": lines for n in range(12)}
    error = refused(august_store, zipped(tmp_path / "many.zip", members), "many.zip",
                    limits=Limits(max_members=10))
    assert "12 street-level files" in error.reason


def test_a_damaged_archive_member_names_the_member_not_the_server_path(august_store, tmp_path):
    data = bytearray(zipped(tmp_path / "ok.zip", {f"{AUGUST}/{NAME}": b"".join(real_lines(n=40))}).read_bytes())
    start = data.index(b"PK\x03\x04") + 30 + len(f"{AUGUST}/{NAME}") + 10
    data[start:start + 50] = b"\x00" * 50
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    error = refused(august_store, damaged, "damaged.zip")
    assert error.file.startswith("damaged.zip")


# --- partner files ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def partner_rows(lsoa_lad) -> list[list[str]]:
    """Deliberate fires per Melton LSOA in August 2024, counted from the real police file."""
    counts: Counter = Counter()
    with open(police_file(AUGUST), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if lsoa_lad.get(row["LSOA code"]) == MELTON and row["Crime type"] == "Criminal damage and arson":
                counts[row["LSOA code"]] += 1
    return [[code, AUGUST, "Deliberate fires", str(n)] for code, n in sorted(counts.items())]


HEADER = ["LSOA21CD", "Month", "Incident type", "Incidents"]
MAPPING = ColumnMapping(area="LSOA21CD", month="Month", count="Incidents", measure="Incident type")


def partner_text(rows, header=HEADER) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def partner_refused(conn, path: Path, name: str) -> ImportRefused:
    before = snapshot(conn)
    with pytest.raises(ImportRefused) as caught:
        import_partner(conn, path, MAPPING, "Fire service incidents", owner=1, name=name)
    assert snapshot(conn) == before
    assert name in str(caught.value) and str(path.parent) not in str(caught.value)
    # The mapping page reads the file too: it refuses in the same words, it does not fail.
    with pytest.raises(ImportRefused):
        inspect_csv(path, name=name)
    return caught.value


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_partner_files_are_refused_asking_for_csv_utf8(august_store, tmp_path, partner_rows, encoding):
    path = tmp_path / "fires.csv"
    path.write_bytes(("\ufeff" if encoding != "utf-16" else "").encode(encoding) + partner_text(partner_rows).encode(encoding))
    assert "save it as CSV UTF-8" in partner_refused(august_store, path, "fires.csv").reason


def test_cp1252_and_binary_partner_files_are_refused(august_store, tmp_path, partner_rows):
    rows = [list(r) for r in partner_rows]
    rows[3][2] = "Fires – café"
    path = tmp_path / "fires.csv"
    path.write_bytes(partner_text(rows).encode("cp1252"))
    error = partner_refused(august_store, path, "fires.csv")
    assert "save it as CSV UTF-8" in error.reason and error.line == 5
    png = tmp_path / "fires.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "PNG" in partner_refused(august_store, png, "fires.png").reason
    xlsx = tmp_path / "fires.xlsx"
    xlsx.write_bytes(zipped(tmp_path / "x.zip", {"xl/workbook.xml": b"<workbook/>"}).read_bytes())
    assert "Excel" in partner_refused(august_store, xlsx, "fires.xlsx").reason


def test_a_column_that_appears_twice_is_named(august_store, tmp_path, partner_rows):
    path = tmp_path / "fires.csv"
    path.write_text(partner_text([r + ["1"] for r in partner_rows], HEADER + ["Month"]), encoding="utf-8")
    error = partner_refused(august_store, path, "fires.csv")
    assert "column 'Month' appears twice" in error.reason and error.line == 1


def test_partner_header_alone_and_huge_lines_are_refused(august_store, tmp_path, partner_rows):
    path = tmp_path / "fires.csv"
    path.write_text(partner_text([]), encoding="utf-8")
    assert "no records" in partner_refused(august_store, path, "fires.csv").reason
    path.write_text(partner_text(partner_rows) + "x" * (33 * 1024 * 1024) + "\r\n", encoding="utf-8")
    assert "longer than" in partner_refused(august_store, path, "fires.csv").reason


def test_check_csv_reads_a_good_partner_file(tmp_path, partner_rows):
    path = tmp_path / "fires.csv"
    path.write_text(partner_text(partner_rows), encoding="utf-8-sig")
    assert check_csv(path) == (HEADER, len(partner_rows))


def test_exception_texts_lose_server_paths_but_keep_archive_member_folders():
    from saferplan.assessment.police import _plain

    assert _plain(Exception('CSV Error in file "/tmp/saferplan-import-x/00001-a.csv" on line 3')) == \
        'CSV Error in file "a file" on line 3'
    member = f"Bad CRC-32 for file '{AUGUST}/{NAME}'"
    assert _plain(Exception(member)) == member


def test_lines_ending_in_a_carriage_return_alone_are_refused_in_words(august_store, tmp_path, partner_rows):
    path = tmp_path / "fires.csv"
    path.write_text(partner_text(partner_rows).replace("\r\n", "\r"), encoding="utf-8")
    assert "carriage return alone" in partner_refused(august_store, path, "fires.csv").reason
    police = tmp_path / NAME
    police.write_bytes(b"".join(real_lines(n=10)).replace(b"\n", b"\r"))
    assert "carriage return alone" in refused(august_store, police, NAME).reason
