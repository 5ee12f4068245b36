"""The plan's documents, read as a councillor would: the words they need are there."""
from __future__ import annotations

import io
import json

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from saferplan.cli import main
from saferplan.planning import documents, services
from saferplan.planning.models import Action, Priority

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def normalise(text: str) -> str:
    return " ".join(text.split())


def test_the_full_plan_in_pdf_and_word(plan, manager):
    services.send_to(plan, "board", manager)
    services.record_step(plan, stage="scrutiny", committee="Scrutiny Committee", meeting_on=plan.starts_on.replace(month=3),
                         comments="Members asked for more targets.", decision="commented", user=manager)
    _, text = pdf_text(documents.plan_file(plan, "pdf"))
    text = normalise(text)
    for words in ["Melton Community Safety Plan 2025 to 2028", "1 April 2025 to 31 March 2028",
                  "Theme: Place", "Priority: Reduce anti-social behaviour", "Anti-social behaviour rose by 20%",
                  "Joint patrols in the town centre", "31 March 2026", "PCC Crime Reduction Grant: £10,000",
                  "Anti-social behaviour records per quarter", "Scrutiny Committee", "Members asked for more targets.",
                  "You said, we did", "41% of you said anti-social behaviour"]:
        assert words in text, words
    word = WordDocument(io.BytesIO(documents.plan_file(plan, "docx")))
    body = "\n".join(p.text for p in word.paragraphs) + "\n".join(
        c.text for t in word.tables for r in t.rows for c in r.cells)
    assert "Priority: Reduce anti-social behaviour" in body and "Joint patrols in the town centre" in body


def test_the_plan_on_a_page_is_one_landscape_page(plan):
    for n in range(6):  # a fuller plan must still fit
        Action.objects.create(priority=Priority.objects.get(theme__plan=plan), title=f"Extra action {n}",
                              owner=plan.partnership.organisations.first(), due_on=plan.ends_on)
    reader, text = pdf_text(documents.plan_on_a_page_pdf(plan))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    text = normalise(text)
    assert "plan on a page" in text and "Reduce anti-social behaviour" in text
    assert "and 4 more actions" in text


def test_the_equality_impact_assessment_document(plan):
    row = services.ensure_eia(plan).rows.get(characteristic="age_0_18")
    row.impact, row.narrative = "positive", "Young people are victims and offenders."
    row.save()
    _, text = pdf_text(documents.eia_file(plan, "pdf"))
    text = normalise(text)
    for words in ["Equality Impact Assessment", "Age 0-18", "Age 65+", "Marriage and civil partnership",
                  "Sexual orientation", "Positive impact", "Impact not known", "Health inequalities",
                  "Digital inequalities", "Paper copies of the plan", "Draft"]:
        assert words in text, words


def test_command_line_export_nests_the_plan_and_its_evidence(plan, tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["plan", "export", "--partnership", "melton", "--format", "json", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    theme = data["themes"][0]
    priority = theme["priorities"][0]
    assert priority["title"] == "Reduce anti-social behaviour"
    assert {"kind": "assessment_finding", "title": "Anti-social behaviour rose by 20%",
            "url": "/assessment/finding/1/"} in priority["evidence"]
    assert {e["kind"] for e in priority["evidence"]} == {"assessment_finding", "workshop_point"}
    action = priority["actions"][0]
    assert (action["owner_organisation"], action["due_date"]) == ("Melton Community Safety Partnership police", "2026-03-31")
    kpi = action["kpis"][0]
    assert {k: kpi[k] for k in ("title", "baseline", "target", "direction", "frequency", "source")} == {
        "title": "Anti-social behaviour records per quarter", "baseline": 300, "target": 270, "direction": "down",
        "frequency": "quarterly", "source": "police.uk"}
    assert kpi["measure"]["category"] == "Anti-social behaviour" and kpi["values"] == []
    assert data["plan"]["start"] == "2025-04-01" and data["plan"]["end"] == "2028-03-31"

    page = tmp_path / "page.pdf"
    assert main(["plan", "export", "--format", "pdf", "--page", "plan-on-a-page", "--out", str(page)]) == 0
    assert len(PdfReader(page).pages) == 1
    assert main(["plan", "export", "--partnership", "nowhere", "--format", "json"]) == 1
    assert "no such partnership" in capsys.readouterr().err
    assert main(["plan", "export", "--format", "docx"]) == 1
    assert main(["plan", "export", "--adopted", "--format", "json"]) == 1
    assert "has no adopted plan yet" in capsys.readouterr().err
