"""The board's quarterly report: the JSON export is consistent with itself and with the rules it
states, and the same figures come out as an A4 PDF and Word document."""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from saferplan.cli import main
from saferplan.delivery import risk_matrix
from saferplan.delivery.services import kpis, reports
from saferplan.core.periods import Quarter

pytestmark = pytest.mark.django_db


def _check_consistent(data: dict) -> None:
    """What a reader checks: RAG against values and targets, ratings against the matrix, funding arithmetic."""
    for kpi in data["kpis"]:
        if kpi["rag"] is None:
            continue
        latest, baseline, target = kpi["values"][-1]["value"], kpi["baseline"], kpi["target"]
        expected, margin = kpi["expected"], abs(target - baseline) * 0.1
        worse = latest - expected if kpi["direction"] == "down" else expected - latest
        assert kpi["rag"] == ("green" if worse <= 0 else "amber" if worse <= margin + 1e-9 else "red"), kpi
        # The trajectory lies between the baseline and the target.
        assert min(baseline, target) <= expected <= max(baseline, target), kpi
    m = data["risk_matrix"]
    likelihood = {lv["code"]: lv["score"] for lv in m["likelihoods"]}
    impact = {lv["code"]: lv["score"] for lv in m["impacts"]}
    bands = m["bands"]
    for risk in data["risks"]:
        score = likelihood[risk["likelihood"]] * impact[risk["impact"]]
        band = [b["name"] for b in bands if score >= b["lowest_score"]][-1]
        assert risk["score"] == score and risk["band"] == band
        assert risk["rating"] == (f"{risk['likelihood']}{risk['impact']}" if m["rating_style"] == "cell" else band)
        names = [b["name"] for b in bands]
        assert risk["above_tolerance"] == (names.index(band) > names.index(risk["tolerance"]))
        assert risk["overdue"] == (date.fromisoformat(risk["review_due"]) < date.fromisoformat(data["as_at"]))
    for stream in data["funding"]:
        amount, spent, remaining = (Decimal(stream[k]) for k in ("amount", "spent", "remaining"))
        assert remaining == amount - spent
        assert all(Decimal(stream[k]).as_tuple().exponent == -2 for k in ("amount", "allocated", "spent", "remaining"))
    for action in data["actions"]:
        assert (action["return"] is None) == (action["rag"] is None)
        if action["return"]:
            assert Decimal(action["return"]["spend"]) >= 0 and action["return"]["quarter"] == data["quarter"]


def test_meltons_board_report_is_consistent_and_leads_with_its_exceptions(melton, tmp_path, capsys):
    assert main(["delivery", "report", "--partnership", "melton", "--quarter", "2025-26-Q2", "--format", "json",
                 "--out", str(tmp_path / "q2.json")]) == 0
    data = json.loads((tmp_path / "q2.json").read_text())
    assert data["partnership"] == "Melton Community Safety Partnership" and data["quarter"] == "2025-26-Q2"
    assert data["example_data"] is True
    _check_consistent(data)
    assert data["risk_matrix"]["key"] == risk_matrix.MELTON.key
    by_title = {a["title"]: a for a in data["actions"]}
    speed = next(a for t, a in by_title.items() if t.startswith("Community Speed Watch"))
    assert speed["rag"] == "red" and speed["status"] == "Off track"  # the corrected return, not the first
    assert {k["rag"] for k in data["kpis"]} >= {"green", "amber", None}
    # Q2's report has only values for periods ended by 30 September 2025.
    staff = next(k for k in data["kpis"] if k["title"] == "Frontline staff trained")
    assert [v["quarter"] for v in staff["values"]] == ["2025-26-Q1", "2025-26-Q2"] and staff["unit"] == "Count"
    # Spend sums: the funding stream's spend is what the returns say, to the penny.
    pcc = next(f for f in data["funding"] if f["source"] == "PCC Crime Reduction Grant")
    assert Decimal(pcc["amount"]) == Decimal("106460.00")
    # Q4: one return never came in; it has no RAG and no return.
    assert main(["delivery", "report", "--partnership", "melton", "--quarter", "2025-26-Q4"]) == 0
    q4 = json.loads(capsys.readouterr().out)
    _check_consistent(q4)
    assert sum(1 for a in q4["actions"] if a["return"] is None) == 1
    annual = next(k for k in q4["kpis"] if k["title"] == "Residents reached at community engagement events")
    assert annual["values"] == [{"quarter": "2025-26", "value": 520}] and annual["rag"] == "red"

    report = reports.gather(melton, Quarter(2025, 2))
    doc = reports.document(report)
    headings = [s.heading for s in doc.sections]
    assert headings[0] == "Example data" and headings[1] == "Summary"
    assert headings[2] == "Exceptions: red and amber actions"
    assert headings[3].startswith("Red: ")  # red exceptions come first, with their narratives
    assert "Risks above tolerance" in headings and "Funding summary" in headings and "KPIs against target" in headings
    pdf = reports.board_file(melton, Quarter(2025, 2), "pdf")
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    pdf_text = "".join(page.extract_text() for page in reader.pages)
    assert "Exceptions: red and amber actions" in pdf_text and "Heat map" in pdf_text
    import docx

    word = docx.Document(io.BytesIO(reports.board_file(melton, Quarter(2025, 2), "docx")))
    assert round(word.sections[0].page_width.mm) == 210
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Exceptions: red and amber actions" in text and reports.EXAMPLE_NOTE in text


def test_a_quarter_outside_the_plan_or_badly_written_is_refused_with_the_form_expected(melton, capsys):
    assert main(["delivery", "report", "--partnership", "melton", "--quarter", "2025-Q2"]) == 1
    assert "2025-26-Q2" in capsys.readouterr().err
    assert main(["delivery", "report", "--partnership", "melton", "--quarter", "2024-25-Q4"]) == 1
    assert "not a quarter of the plan" in capsys.readouterr().err
    assert main(["delivery", "report", "--partnership", "melton", "--quarter", "2025-26-Q1", "--format", "pdf"]) == 1
    assert "needs --out FILE" in capsys.readouterr().err


def test_a_kpi_rag_follows_the_trajectory_from_baseline_to_target(delivered):
    kpi = delivered["kpi"]  # 300 -> 240 over 36 months, lower is better; amber allows 6
    assert kpis.trajectory(kpi, date(2022, 6, 30)) == Decimal("295.00")
    assert kpis.rag_for(kpi, Decimal("295"), date(2022, 6, 30))[0] == "green"
    assert kpis.rag_for(kpi, Decimal("301"), date(2022, 6, 30))[0] == "amber"
    assert kpis.rag_for(kpi, Decimal("301.01"), date(2022, 6, 30))[0] == "red"
    # Its values: 298 (Q1, trajectory 295: amber), 290 (Q2, 290: green), 299 (Q3, 285: red), 330 (Q4, 280: red).
    assert [kpis.standing(kpi, Quarter(2022, n)).rag for n in (1, 2, 3, 4)] == ["amber", "green", "red", "red"]
    kpi.direction, kpi.target = "up", Decimal("360")
    assert kpis.rag_for(kpi, Decimal("300"), date(2025, 3, 31))[0] == "red"
    kpi.direction = "maintain"
    assert [kpis.rag_for(kpi, Decimal(v), date(2023, 3, 31))[0] for v in (315, 330, 331)] == ["green", "amber", "red"]
    kpi.direction, kpi.target, kpi.target_text = "down", None, "A reduction"
    rag, _, reason = kpis.rag_for(kpi, Decimal("200"), date(2023, 3, 31))
    assert rag is None and "not a number" in reason


@pytest.mark.django_db
def test_the_board_report_is_rendered_by_the_worker_and_its_version_is_what_it_says(
        client, partnership, delivered, settings, tmp_path):
    """PDF and Word are one to two seconds of CPU: the job worker's work. The version is the digest
    of the document as data: the same report twice is one document, an edited return a new one."""
    from django.urls import reverse

    from saferplan.documents import stored
    from saferplan.ops.models import StoredDocument
    from saferplan.partnership.models import RoleKind
    from saferplan.partnership.testing import make_member, sign_in_verified

    settings.DOCUMENT_STORE_DIR = tmp_path / "documents"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a worker elsewhere
    sign_in_verified(client, make_member(partnership, RoleKind.BOARD_MEMBER))
    quarter = delivered["round"].quarter
    url = reverse("delivery:report", kwargs={"slug": partnership.slug, "quarter": quarter, "fmt": "pdf"})
    waiting = client.get(url)
    assert waiting.status_code == 202 and "is being prepared" in waiting.content.decode()
    assert client.get(url).status_code == 202  # asked again: still the one document, not a second
    queued = StoredDocument.objects.get()
    assert queued.key == f"board-report:{partnership.pk}:{quarter}:pdf" and queued.status == "queued"
    stored.render(queued.pk)  # what the worker does
    served = client.get(url)
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    assert served["Content-Disposition"] == f'attachment; filename="melton-community-safety-partnership-board-report-{quarter}.pdf"'
    assert StoredDocument.objects.count() == 1
    # Only what the report says makes its version: an on-track return's words are not in it...
    returned = delivered["return"].__class__.objects.filter(pk=delivered["return"].pk)
    returned.update(narrative="Patrols every night.")
    assert client.get(url).status_code == 200
    # ...but an action turning red is, with its words: a new version to render.
    returned.update(rag="red", rag_reason="Officers moved to the city")
    assert client.get(url).status_code == 202
    assert StoredDocument.objects.filter(status="queued").count() == 1
    # JSON is cheap, and answered at once.
    data = client.get(reverse("delivery:report", kwargs={"slug": partnership.slug, "quarter": quarter, "fmt": "json"}))
    assert data.status_code == 200 and json.loads(data.content)["quarter"]


def test_a_document_is_digested_by_what_it_says_never_by_an_address_in_memory():
    from saferplan.documents import stored
    from saferplan.documents.document import Document, Paragraph

    def made(text):
        doc = Document(title="Report", meta=[("Prepared", date(2026, 11, 30))])
        doc.section("Summary").add(Paragraph(text))
        return doc

    assert stored.content_digest(made("Patrols")) == stored.content_digest(made("Patrols"))
    assert stored.content_digest(made("Patrols")) != stored.content_digest(made("Patrols every night"))
    odd = made("Patrols")
    odd.meta.append(("Owner", object()))
    with pytest.raises(TypeError, match="cannot be digested"):
        stored.content_digest(odd)
