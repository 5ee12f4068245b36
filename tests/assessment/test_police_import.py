import csv
import io
import zipfile

import pytest

from saferplan.assessment.police import POLICE_COLUMNS, ImportRefused, import_police
from saferplan.assessment.store import connect

from .conftest import LEICS, MELTON, independent_counts, police_file


def count(conn, where="true"):
    return conn.execute(f"select count(*) from police_record where {where}").fetchone()[0]


def test_whole_dataset_facts(store):
    assert count(store) == 217_944
    assert count(store, "lsoa_status = 'none'") == 6_726
    assert count(store, "lon is null and lat is null and lsoa_code is null") == 6_726
    assert count(store, "lsoa_status in ('name-assigned', 'unmatched')") == 4_897
    assert store.execute("select count(*) from lsoa where lad_code = ?", [MELTON]).fetchone()[0] == 30
    assert count(store, f"lad_code = '{MELTON}' and year(month) = 2023") == 3_732
    assert count(store, f"lad_code = '{MELTON}' and year(month) = 2024") == 3_608


def test_melton_counts_match_an_independent_csv_count(store, lsoa_lad):
    months = [f"2024-{m:02d}" for m in range(1, 13)]
    expected = independent_counts(lsoa_lad, MELTON, months)
    got = dict(store.execute(
        "select category, count(*) from police_record where lad_code = ? and year(month) = 2024 "
        "group by 1", [MELTON]).fetchall())
    assert got == dict(expected)


def test_records_are_selected_by_lsoa_not_by_force(store):
    # The Leicestershire file holds crimes in neighbouring forces' authorities too.
    outside = store.execute(
        "select count(distinct lad_code) from police_record where lad_code not in "
        "(select lad_code from lsoa where lad_code in ('E06000016','E06000017','E07000129',"
        "'E07000130','E07000131','E07000132','E07000133','E07000134','E07000135'))").fetchone()[0]
    assert outside > 0


def test_old_lsoa_codes_are_placed_by_the_authority_their_name_names(store):
    rows = store.execute(
        "select lsoa_name, lad_code from police_record where lsoa_status = 'name-assigned'").fetchall()
    lad_names = dict(store.execute("select distinct lad_code, lad_name from lsoa").fetchall())
    assert rows
    for name, lad in rows[:500]:
        assert name.startswith(lad_names[lad])


def test_unplaceable_old_codes_are_counted_not_dropped(tmp_path, copy_month):
    conn = connect()
    conn.execute("delete from authority_name where name = 'Leicester'")
    result = import_police(conn, [copy_month("2023-03")])
    unmatched = count(conn, "lsoa_status = 'unmatched'")
    assert unmatched > 0 and result.rows_unmatched == unmatched
    assert count(conn, "lsoa_status = 'unmatched' and lad_code is null") == unmatched
    with open(police_file("2023-03"), encoding="utf-8") as handle:
        assert result.rows_read == sum(1 for _ in handle) - 1


def test_reimporting_a_month_replaces_it(tmp_path, copy_month):
    conn = connect()
    path = copy_month("2024-01")
    first = import_police(conn, [path])
    second = import_police(conn, [path])
    assert count(conn) == first.rows_read
    assert second.rows_replaced == first.rows_read
    assert count(conn, f"import_id = {first.import_id}") == 0


def test_archive_zip_layout_skips_outcomes(tmp_path, head_of):
    archive = tmp_path / "police.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for month in ("2024-01", "2024-02"):
            zf.write(head_of(month, 100, tmp_path / "src"), f"{month}/{month}-leicestershire-street.csv")
        zf.writestr("2024-01/2024-01-leicestershire-outcomes.csv", "Crime ID,Month\n")
        zf.writestr("2024-01/2024-01-leicestershire-stop-and-search.csv", "Type,Date\n")
    conn = connect()
    result = import_police(conn, [archive])
    assert result.rows_read == 200 and result.months == ["2024-01", "2024-02"]
    assert len(result.skipped_members) == 2
    assert conn.execute("select list(file order by file) from import_file").fetchone()[0][0].startswith(
        f"{archive}!2024-01/")


def test_truncated_zip_is_refused(tmp_path, head_of):
    archive = tmp_path / "police.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(head_of("2024-01", 2000, tmp_path / "src"), "2024-01/2024-01-leicestershire-street.csv")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    conn = connect()
    with pytest.raises(ImportRefused) as caught:
        import_police(conn, [archive])
    assert str(archive) in str(caught.value)
    assert count(conn) == 0


def _rewrite(path, change):
    """Apply change(rows) to a real file's rows (header first) and write it back."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _refused(conn, paths):
    before = count(conn)
    with pytest.raises(ImportRefused) as caught:
        import_police(conn, paths)
    assert count(conn) == before, "a refused import must keep nothing"
    assert conn.execute("select count(*) from import_log where kind = 'police'").fetchone()[0] <= 1
    return caught.value


@pytest.fixture
def conn_with_january(copy_month, tmp_path):
    conn = connect()
    import_police(conn, [copy_month("2024-01", tmp_path / "earlier")])
    return conn


def test_wrong_header_is_refused_naming_file_and_line(conn_with_january, head_of):
    path = head_of("2024-02")
    _rewrite(path, lambda rows: rows[0].__setitem__(4, "Lon"))
    error = _refused(conn_with_january, [head_of("2024-03", folder=path.parent / "ok"), path])
    assert error.file == str(path) and error.line == 1
    assert "Longitude" in str(error) and "Lon" in str(error)


def test_bad_month_is_refused_naming_file_line_and_field(conn_with_january, head_of):
    path = head_of("2024-02")
    _rewrite(path, lambda rows: rows[57].__setitem__(1, "2024-13"))
    error = _refused(conn_with_january, [path])
    assert (error.file, error.line, error.field) == (str(path), 58, "Month")
    assert str(path) in str(error) and "line 58" in str(error) and "2024-13" in str(error)


def test_month_not_matching_the_file_name_is_refused(conn_with_january, head_of):
    path = head_of("2024-02")
    _rewrite(path, lambda rows: rows[10].__setitem__(1, "2024-03"))
    error = _refused(conn_with_january, [path])
    assert (error.line, error.field) == (11, "Month") and "file name" in str(error)


def test_unreadable_row_is_refused(conn_with_january, head_of):
    path = head_of("2024-02")
    _rewrite(path, lambda rows: rows[120].append("extra"))
    error = _refused(conn_with_january, [path])
    assert (error.file, error.line) == (str(path), 121)
    assert "13 fields" in str(error)


def test_bad_coordinate_is_refused(conn_with_january, head_of):
    path = head_of("2024-02")
    _rewrite(path, lambda rows: rows[5].__setitem__(5, "52,6x"))
    error = _refused(conn_with_january, [path])
    assert (error.line, error.field) == (6, "Latitude")


def test_refused_reimport_keeps_the_earlier_month(conn_with_january, head_of):
    path = head_of("2024-01")
    _rewrite(path, lambda rows: rows[3].__setitem__(1, "2024-1"))
    before = count(conn_with_january)
    _refused(conn_with_january, [path])
    assert count(conn_with_january) == before > 200


def test_bom_crlf_quoted_commas_and_welsh_lsoas(tmp_path, lsoa_lad):
    """A real month rewritten with a BOM and CRLF endings; two real rows moved to a Welsh LSOA and
    to an LSOA whose name holds a comma (so it is quoted)."""
    with open(police_file("2024-05"), encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[:301]
    welsh = next(code for code in lsoa_lad if code.startswith("W01"))
    bcp = next(code for code, lad in lsoa_lad.items() if lad == "E06000058")
    names = {}
    with open(police_file("2024-05").parents[2] / "geography" / "lsoa21_to_lad.csv", encoding="utf-8") as h:
        for r in csv.DictReader(h):
            if r["lsoa21_code"] in (welsh, bcp):
                names[r["lsoa21_code"]] = r["lsoa21_name"]
    rows[1][7:9] = [welsh, names[welsh]]
    rows[2][7:9] = [bcp, names[bcp]]
    assert "," in names[bcp]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path / "2024-05-leicestershire-street.csv"
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    conn = connect()
    result = import_police(conn, [path])
    assert result.rows_read == 300
    assert conn.execute("select lad_code, lsoa_status, context from police_record where lsoa_code = ?",
                        [welsh]).fetchone() == (lsoa_lad[welsh], "2021", None)
    assert conn.execute("select lsoa_name from police_record where lsoa_code = ?", [bcp]).fetchone()[0] == names[bcp]


def test_progress_is_reported(tmp_path, copy_month):
    calls = []
    import_police(connect(), [copy_month("2024-01"), copy_month("2024-02")],
                  progress=lambda done, total, message: calls.append((done, total, message)))
    assert calls and calls[-1][0] == calls[-1][1]
    assert all(done <= total for done, total, _ in calls)


def test_header_is_the_police_uk_layout():
    with open(police_file("2023-01"), encoding="utf-8-sig") as handle:
        assert next(csv.reader(handle)) == POLICE_COLUMNS
    assert LEICS.is_dir()
