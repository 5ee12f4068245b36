"""The annual report to the Crime and Disorder scrutiny committee: the seeds' committee report
shape, its figures from the system, its narrative stored with history, PDF and Word, and the CLI."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document as Docx
from pypdf import PdfReader

from saferplan.delivery.models import ScrutinyReport
from saferplan.delivery.services import scrutiny
from saferplan.cli import main
from saferplan.core.periods import FinancialYear

pytestmark = pytest.mark.django_db

HEADINGS = ["1 Purpose of the report", "2 Recommendations", "3 Background", "4 Main considerations", "5 Consultation",
            "6 Financial implications", "7 Legal implications", "8 Equality implications", "9 Risk implications",
            "10 Background papers", "11 Appendices", "Report author"]


def docx_text(content: bytes) -> str:
    doc = Docx(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_report_has_the_committee_shape_and_the_systems_figures(delivered):
    doc = scrutiny.document(delivered["plan"].partnership, FinancialYear(2022))
    assert [s.heading for s in doc.sections if s.heading[0].isdigit() or s.heading == "Report author"] == HEADINGS
    text = docx_text(scrutiny.scrutiny_file(delivered["plan"].partnership, "2022-23", "docx"))
    # The round of 2022-23 Q2: one return (the patrols), the other action without one.
    assert "of 2 actions, 0 red, 0 amber and 1 green; 1 without a return" in text
    assert "£106,460.00" in text and "£2,500.50" in text and "£103,959.50" in text
    assert "Low Risk" in text  # Melton's matrix, as the register rates the risk
    assert "Not yet written." in text  # nothing is made up for the narrative


def test_the_narrative_is_kept_with_its_history_and_shown(manager_client, delivered):
    partnership = delivered["plan"].partnership
    path = reverse("delivery:scrutiny-edit", kwargs={"slug": partnership.slug, "year": "2022-23"})
    page = manager_client.get(path).content.decode()
    assert "Police and Justice Act 2006" in page  # the law's wording is offered
    answer = manager_client.post(path, {"committee": "Crime and Disorder Scrutiny Committee",
                                        "purpose": "To report the year.", "recommendations": "Notes the report\nComments",
                                        "author": "Community Safety Manager", "contact": "01664 502502"})
    assert answer.status_code == 302
    report = ScrutinyReport.objects.get()
    assert report.recommendation_lines == ["Notes the report", "Comments"]
    assert report.history.count() == 1
    content = scrutiny.scrutiny_file(partnership, "2022-23", "pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "To report the year." in text and "Notes the report" in text
    manager_client.post(path, {"committee": "Crime and Disorder Scrutiny Committee", "purpose": "Changed.",
                               "author": "", "contact": ""})
    assert ScrutinyReport.objects.get().history.count() == 2


def test_a_year_outside_the_plan_is_refused(delivered):
    with pytest.raises(scrutiny.ScrutinyRefused, match="not a year of the plan"):
        scrutiny.scrutiny_file(delivered["plan"].partnership, "2030-31", "pdf")


def test_cli_writes_the_report(delivered, tmp_path, capsys):
    out = tmp_path / "scrutiny.docx"
    assert main(["delivery", "scrutiny-report", "--year", "2022-23", "--format", "docx", "--out", str(out)]) == 0
    assert "4 Main considerations" in docx_text(out.read_bytes())
    assert main(["delivery", "scrutiny-report", "--year", "2022", "--format", "pdf", "--out", str(out)]) == 1
    assert "--year" in capsys.readouterr().err
