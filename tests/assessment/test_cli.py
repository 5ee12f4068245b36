import csv
import json

import docx
import pytest
from pypdf import PdfReader

from saferplan.cli import main
from saferplan.core.disclosure import CRIME_COUNTS, SUPPRESSED_DERIVED
from saferplan.documents.tables import Column, Table

from .conftest import LEICS, MELTON, independent_counts, police_file


def run(*args):
    return main(["assess", "--police-data", str(LEICS), "--area", MELTON, "--quiet", *args])


def test_json(tmp_path):
    out = tmp_path / "melton.json"
    assert run("--period", "2024-01:2024-12", "--format", "json", "--out", str(out)) == 0
    data = json.loads(out.read_text())
    assert data["area"] == MELTON and data["period"] == "2024-01:2024-12"
    assert data["previous_period"] == "2023-01:2023-12"
    assert (data["total"], data["total_previous"]) == (3_608, 3_732)
    assert (data["unmatched_lsoa_records"], data["no_location_records"]) == (4_897, 6_726)
    for row in data["categories"]:
        assert {"category", "count", "previous_count", "change_pct", "significant"} <= set(row)
    assert sum(r["count"] for r in data["categories"]) == data["total"]


def test_input_counts_are_of_the_input_given(tmp_path, copy_month):
    """Two months given: the data-quality counts cover those files, independently counted."""
    folder = tmp_path / "two"
    copy_month("2023-02", folder), copy_month("2024-02", folder)
    no_location = sum(1 for m in ("2023-02", "2024-02")
                      for r in csv.DictReader(open(police_file(m), encoding="utf-8")) if not r["LSOA code"])
    out = tmp_path / "feb.json"
    assert main(["assess", "--police-data", str(folder / "2023-02-leicestershire-street.csv"),
                 "--police-data", str(folder / "2024-02-leicestershire-street.csv"),
                 "--area", MELTON, "--period", "2024-02:2024-02", "--out", str(out), "--quiet",
                 "--no-hotspots"]) == 0
    data = json.loads(out.read_text())
    assert data["no_location_records"] == no_location
    assert data["previous_period"] == "2023-02:2023-02"


def test_csv_and_publication_suppression(tmp_path, lsoa_lad):
    out = tmp_path / "dec.csv"
    assert run("--period", "2024-12:2024-12", "--format", "csv", "--out", str(out), "--publish") == 0
    rows = {r["category"]: r for r in csv.DictReader(open(out, encoding="utf-8"))}
    expected = independent_counts(lsoa_lad, MELTON, ["2024-12"])
    small = [c for c, n in expected.items() if n < 5]
    large = [c for c, n in expected.items() if n >= 5]
    assert small and large
    for category in small:
        assert rows[category]["count"] == CRIME_COUNTS.marker
        assert rows[category]["change_pct"] == SUPPRESSED_DERIVED
    for category in large:
        if int(rows[category]["previous_count"]) >= 5:
            assert rows[category]["count"] == str(expected[category])
    assert (tmp_path / "dec-lsoas.csv").exists() and (tmp_path / "dec-hotspots.csv").exists()

    unpublished = tmp_path / "dec-internal.csv"
    assert run("--period", "2024-12:2024-12", "--format", "csv", "--out", str(unpublished)) == 0
    rows = {r["category"]: r for r in csv.DictReader(open(unpublished, encoding="utf-8"))}
    assert rows[small[0]]["count"] == str(expected[small[0]])


def test_table_suppression_rules():
    table = Table("t", "T", [Column("category", "Category"), Column("count", "N", "count"),
                             Column("rate", "Rate", "rate", ("count",))],
                  [{"category": "a", "count": 4, "rate": 1.5}, {"category": "b", "count": 5, "rate": 2.0}])
    assert table.text_rows(publish=True) == [["a", "<5", "[c]"], ["b", "5", "2.0"]]
    assert table.text_rows(publish=False)[0] == ["a", "4", "1.5"]


def test_pdf(tmp_path):
    out = tmp_path / "melton.pdf"
    assert run("--period", "2024-01:2024-12", "--format", "pdf", "--out", str(out), "--publish") == 0
    assert out.read_bytes().startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Strategic assessment: Melton" in text
    assert "Shoplifting rose from 173 to 244 (+41%)" in " ".join(text.split())
    assert "Getis-Ord Gi*" in text and "Counts under 5" in text


def test_docx(tmp_path):
    out = tmp_path / "melton.docx"
    assert run("--period", "2024-01:2024-12", "--format", "docx", "--out", str(out)) == 0
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Strategic assessment: Melton" in text
    assert "Shoplifting rose from 173 to 244 (+41%), a statistically significant rise." in text
    assert len(document.inline_shapes) >= 3  # charts
    first = document.tables[0]
    header = [c.text for c in first.rows[0].cells]
    assert header[:3] == ["Type", "This period", "The same months a year earlier"]
    assert any(row.cells[0].text == "Shoplifting" and row.cells[1].text == "244" for row in first.rows)


def test_broken_file_is_reported_with_file_and_line(tmp_path, head_of, capsys):
    path = head_of("2024-02")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[30] = lines[30].replace(",2024-02,", ",2024/02,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    code = main(["assess", "--police-data", str(path), "--area", MELTON, "--period", "2024-02:2024-02",
                 "--out", str(tmp_path / "x.json")])
    assert code == 1
    err = capsys.readouterr().err
    assert str(path) in err and "line 31" in err and "Month" in err
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("args, message", [
    (["--area", "E99999999", "--period", "2024"], "E99999999"),
    (["--area", MELTON, "--period", "2024-13:2024-12"], "YYYY-MM"),
])
def test_user_errors(args, message, capsys):
    assert main(["assess", "--police-data", str(LEICS), *args, "--quiet"]) == 1
    assert message in capsys.readouterr().err


def _one_line(err: str) -> str:
    """A refusal on the command line is one line, without a traceback."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_header_only_or_huge_line_file_is_refused_not_an_empty_assessment(tmp_path, head_of, capsys):
    path = head_of("2024-02", n=0)
    out = tmp_path / "x.json"
    assert main(["assess", "--police-data", str(path), "--area", MELTON, "--period", "2024-02:2024-02",
                 "--out", str(out), "--quiet"]) == 1
    assert "no records" in _one_line(capsys.readouterr().err) and not out.exists()
    huge = head_of("2024-03", n=20, folder=tmp_path / "huge")
    with open(huge, "ab") as handle:
        handle.write(b"x" * (33 * 1024 * 1024) + b"\n")
    assert main(["assess", "--police-data", str(huge), "--area", MELTON, "--period", "2024-03:2024-03",
                 "--out", str(out), "--quiet"]) == 1
    assert "line 22" in _one_line(capsys.readouterr().err) and not out.exists()


def test_a_png_given_as_partner_data_is_refused_in_one_line(tmp_path, head_of, capsys):
    png = tmp_path / "fires.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code = main(["assess", "--police-data", str(head_of("2024-02")), "--area", MELTON, "--period",
                 "2024-02:2024-02", "--partner-data", str(png), "--out", str(tmp_path / "x.json"), "--quiet"])
    assert code == 1
    assert "PNG" in _one_line(capsys.readouterr().err)


def test_an_unwritable_out_is_refused_before_the_work(tmp_path, head_of, capsys):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code = main(["assess", "--police-data", str(head_of("2024-02")), "--area", MELTON, "--period",
                 "2024-02:2024-02", "--out", str(blocked / "x.json"), "--quiet"])
    assert code == 1
    assert "--out" in _one_line(capsys.readouterr().err)


def test_a_store_locked_by_another_program_is_reported_in_one_line(tmp_path, head_of, capsys):
    import subprocess
    import sys

    db = tmp_path / "store.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); "
                               "sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert main(["import-police", str(head_of("2024-02")), "--db", str(db), "--quiet"]) == 1
        assert "in use by another program" in _one_line(capsys.readouterr().err)
        assert main(["assess", "--db", str(db), "--area", MELTON, "--period", "2024", "--quiet"]) == 1
        assert "in use by another program" in _one_line(capsys.readouterr().err)
    finally:
        holder.communicate("")


def test_a_shrinking_import_needs_confirm_shrink(tmp_path, copy_month, head_of, capsys):
    db = tmp_path / "store.duckdb"
    assert main(["import-police", str(copy_month("2024-02", tmp_path / "whole")), "--db", str(db), "--quiet"]) == 0
    capsys.readouterr()
    subset = head_of("2024-02", n=49, folder=tmp_path / "subset")
    assert main(["import-police", str(subset), "--db", str(db), "--quiet"]) == 1
    line = _one_line(capsys.readouterr().err)
    whole = sum(1 for _ in open(police_file("2024-02"), encoding="utf-8")) - 1
    assert f"{whole:,} records now, 49 in the new file" in line and "--confirm-shrink" in line
    assert main(["import-police", str(subset), "--db", str(db), "--quiet", "--confirm-shrink"]) == 0
    assert f"{whole:,} earlier records replaced" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_operator_changes_a_partnership_s_area_with_a_reason_kept_in_its_history(capsys):
    from saferplan.partnership.testing import make_partnership

    melton = make_partnership()
    assert main(["partnership-area", "melton", "E07000133,E07000131", "--reason", "boundary review"]) == 0
    melton.refresh_from_db()
    assert melton.area_codes == ["E07000133", "E07000131"] and melton.area_names == ["Melton", "Harborough"]
    latest = melton.history.latest()
    assert "boundary review" in latest.history_change_reason
    assert main(["partnership-area", "melton", "X123", "--reason", "typo"]) == 1
    assert "X123" in _one_line(capsys.readouterr().err)


@pytest.mark.django_db
def test_an_import_for_a_partnership_is_its_own_and_shared_data_is_not_replaced(tmp_path, copy_month, head_of,
                                                                                 capsys):
    from saferplan.assessment.store import connect
    from saferplan.partnership.testing import make_partnership

    melton = make_partnership()
    db = tmp_path / "store.duckdb"
    whole = copy_month("2024-02", tmp_path / "whole")
    assert main(["import-police", str(whole), "--db", str(db), "--quiet"]) == 0
    part = head_of("2024-02", n=30, folder=tmp_path / "part")
    assert main(["import-police", str(part), "--db", str(db), "--quiet", "--partnership", "melton",
                 "--confirm-shrink"]) == 0
    assert "0 earlier records replaced" in capsys.readouterr().out
    conn = connect(db)
    owners = dict(conn.execute("select coalesce(owner, 0), count(*) from police_record group by 1").fetchall())
    conn.close()
    rows = sum(1 for _ in open(whole, encoding="utf-8")) - 1
    assert owners == {0: rows, melton.pk: 30}
    assert main(["import-police", str(part), "--db", str(db), "--quiet", "--partnership", "nowhere"]) == 1
    assert "no such partnership" in _one_line(capsys.readouterr().err)
