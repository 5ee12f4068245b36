"""The assessment's pages, driven through Django's test client against a real DuckDB store built
from slices of the real police.uk files."""
from __future__ import annotations

import csv
import io
import zipfile

import docx
import pytest
from django.urls import reverse
from pypdf import PdfReader

from saferplan.assessment import services
from saferplan.assessment.models import Finding, HarmWeight, ImportJob, accepted_findings
from saferplan.core.periods import Period
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

from .web import melton_slice, records, store  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
PERIOD = "2024-01:2024-12"


@pytest.fixture
def melton(db):
    return make_partnership()


@pytest.fixture
def analyst(client, melton):
    user = make_member(melton, RoleKind.ANALYST)
    sign_in_verified(client, user)
    return user


def url(name, **kwargs):
    return reverse(f"assessment:{name}", kwargs={"slug": "melton", **kwargs})


def upload(client, *paths):
    handles = [open(p, "rb") for p in paths]
    try:
        return client.post(url("import-police"), {"files": handles})
    finally:
        for h in handles:
            h.close()


@pytest.fixture
def imported(client, analyst, store, tmp_path):
    """December 2023 and December 2024, Melton rows and a few others, uploaded through the form."""
    a = melton_slice("2023-12", tmp_path / "files")
    b = melton_slice("2024-12", tmp_path / "files")
    response = upload(client, a["path"], b["path"])
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    return {"2023-12": a, "2024-12": b, "job": job}


def test_upload_imports_and_shows_the_counts(client, imported):
    job = imported["job"]
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    a, b = imported["2023-12"], imported["2024-12"]
    assert job.result["rows_read"] == a["rows"] + b["rows"]
    assert job.result["rows_in_area"] >= a["melton"] + b["melton"]
    assert job.result["rows_no_location"] == a["no_location"] + b["no_location"]
    assert job.result["rows_name_assigned"] + job.result["rows_unmatched"] == a["non_2021"] + b["non_2021"]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Import finished" in page
    assert f"{a['no_location'] + b['no_location']:,}" in page and "With no location" in page
    assert "With an older, non-2021 LSOA code" in page
    assert "2023-12, 2024-12" in page
    # The uploaded copies are removed: the records are in the store now.
    assert not list((services.upload_root()).glob("*/*.csv"))
    # The status endpoint the progress script polls.
    status = client.get(url("import-status", pk=job.pk)).json()
    assert status["finished"] and status["percent"] == 100 and status["status"] == "succeeded"


def test_reimporting_a_month_replaces_it(client, imported):
    before = records()
    upload(client, imported["2024-12"]["path"])
    job = ImportJob.objects.order_by("-pk").first()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.result["rows_replaced"] == imported["2024-12"]["rows"]
    assert records() == before
    assert "Earlier records replaced" in client.get(job.get_absolute_url()).content.decode()


def test_monthly_archive_zip(client, analyst, store, tmp_path):
    a = melton_slice("2024-11", tmp_path / "files")
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(a["path"], "2024-11/2024-11-leicestershire-street.csv")
        z.writestr("2024-11/2024-11-leicestershire-outcomes.csv", "Crime ID,Month\n")
    upload(client, archive)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.result["months"] == ["2024-11"] and job.result["rows_read"] == a["rows"]
    assert "1 archive file that" in client.get(job.get_absolute_url()).content.decode()


def test_a_wrong_header_refuses_everything_and_names_the_file_and_line(client, analyst, store, tmp_path):
    good = melton_slice("2024-10", tmp_path / "files")["path"]
    bad = melton_slice("2024-09", tmp_path / "files")["path"]
    text = bad.read_text(encoding="utf-8").replace("Month", "Date", 1)
    bad.write_text(text, encoding="utf-8")
    upload(client, good, bad)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.error["file"] == "2024-09-leicestershire-street.csv" and job.error["line"] == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert "govuk-error-summary" in page and "The import was refused" in page
    assert "2024-09-leicestershire-street.csv, line 1" in page
    assert "Nothing from this import was kept" in page
    assert str(services.upload_root()) not in page  # the server's folders are not shown
    assert records() == 0


def test_a_bad_row_is_named_by_line_and_field(client, analyst, store, tmp_path):
    path = melton_slice("2024-08", tmp_path / "files")["path"]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(csv.reader([lines[6]]))
    row[4] = "west-ish"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    lines[6] = buffer.getvalue()
    path.write_text("".join(lines), encoding="utf-8")
    upload(client, path)
    job = ImportJob.objects.get()
    assert (job.error["line"], job.error["field"]) == (7, "Longitude")
    page = client.get(job.get_absolute_url()).content.decode()
    assert "line 7, field “Longitude”" in page


def test_upload_form_errors(client, analyst, store, tmp_path):
    response = client.post(url("import-police"), {})
    assert "Choose the police.uk files to import" in response.content.decode()
    note = tmp_path / "notes.txt"
    note.write_text("hello")
    with open(note, "rb") as handle:
        response = client.post(url("import-police"), {"files": [handle]})
    assert "must be a CSV file or a zip archive" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_server_folder_import_is_limited_to_the_configured_folders(client, analyst, store, tmp_path):
    response = client.post(url("import-server"), {"folder": "/etc"})
    assert "The folder must be inside" in response.content.decode()
    folder = tmp_path / "server" / "leics"
    melton_slice("2024-07", folder)
    response = client.post(url("import-server"), {"folder": str(folder)})
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.SUCCEEDED and job.from_server


def test_board_member_cannot_import(client, melton, store, tmp_path):
    sign_in_verified(client, make_member(melton, RoleKind.BOARD_MEMBER))
    path = melton_slice("2024-06", tmp_path / "files")["path"]
    with open(path, "rb") as handle:
        assert client.post(url("import-police"), {"files": [handle]}).status_code == 403
    assert client.post(url("import-server"), {"folder": str(tmp_path)}).status_code == 403
    assert not ImportJob.objects.exists()


# --- Partner data ---------------------------------------------------------------------------------


def partner_csv(path, months=("2024-11", "2024-12"), bad_line=None):
    """Deliberate fires (police.uk criminal damage and arson) per Melton LSOA and month, as a
    partner would send them."""
    from .conftest import police_file
    from .web import lsoa21

    counts = {}
    for month in months:
        with open(police_file(month), encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["LSOA code"] in lsoa21() and row["Crime type"] == "Criminal damage and arson":
                    counts[(row["LSOA code"], month)] = counts.get((row["LSOA code"], month), 0) + 1
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["LSOA21CD", "Month", "Incident type", "Incidents"])
        for i, ((lsoa, month), n) in enumerate(sorted(counts.items()), start=2):
            writer.writerow([lsoa, "Dec 2024" if i == bad_line else month, "Deliberate fires", n])
    return counts


def test_partner_upload_mapping_and_import(client, analyst, store, tmp_path):
    counts = partner_csv(tmp_path / "fires.csv")
    with open(tmp_path / "fires.csv", "rb") as handle:
        response = client.post(url("import-partner"), {"file": handle, "dataset": "Fire service incidents"})
    job = ImportJob.objects.get()
    assert response["Location"] == url("partner-mapping", pk=job.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Match the columns" in page and "LSOA21CD" in page
    assert '<option value="Incidents" selected>' in page  # the suggested mapping
    response = client.post(response["Location"], {"dataset": "Fire service incidents", "area": "LSOA21CD",
                                                  "month": "Month", "count": "Incidents", "measure": "Incident type"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.result["rows"] == len(counts) and job.result["measures"] == ["Deliberate fires"]
    assert "Fire service incidents" in client.get(url("imports")).content.decode()


def test_partner_errors_are_listed_with_line_and_column(client, analyst, store, tmp_path):
    partner_csv(tmp_path / "fires.csv", bad_line=3)
    with open(tmp_path / "fires.csv", "rb") as handle:
        client.post(url("import-partner"), {"file": handle, "dataset": "Fires"})
    job = ImportJob.objects.get()
    response = client.post(url("partner-mapping", pk=job.pk), {
        "dataset": "Fires", "area": "LSOA21CD", "month": "Month", "count": "Incidents", "measure": "",
        "fixed_measure": ""})
    assert "Say what the file counts" in response.content.decode()
    client.post(url("partner-mapping", pk=job.pk), {
        "dataset": "Fires", "area": "LSOA21CD", "month": "Month", "count": "Incidents", "measure": "Incident type"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error["errors"][0]["line"] == 3 and job.error["errors"][0]["column"] == "Month"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "fires.csv, line 3, column “Month”" in page
    # The file is kept so the mapping can be changed without uploading it again.
    assert client.get(url("partner-mapping", pk=job.pk)).status_code == 200


# --- The assessment page, findings, weights and downloads -----------------------------------------


def test_assessment_page(client, imported):
    page = client.get(url("index")).content.decode()
    assert "January 2024 to December 2024" in page
    assert "Source: police.uk street-level crime and anti-social behaviour data (1 month with data in the period)" in page
    assert "conditional test for comparing two Poisson counts" in page
    assert 'id="table-categories"' in page and "Violence and sexual offences" in page
    assert url("chart", period=PERIOD, key="categories") in page
    assert "Getis-Ord Gi*" in page and "p &lt; 0.05" in page
    for internal in ("scipy", "binomtest", "esda", "G_Local", "seed", "unmatched_lsoa", "permutations"):
        assert internal not in page, internal
    assert "Some months have no police data" in page  # only December of each year was imported
    assert 'id="harm-method"' in page and "Cambridge Crime Harm Index" in page
    svg = client.get(url("chart", period=PERIOD, key="categories"))
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    geo = client.get(url("map-data", period=PERIOD, level="lsoa")).json()
    assert len(geo["features"]) == 30 and {"crimes", "crime_rate", "hotspot"} <= set(geo["features"][0]["properties"])
    # Another period, and the publication preview.
    page = client.get(url("index"), {"end": "2024-12", "months": "1"}).content.decode()
    assert "<strong>December 2024</strong>, compared with December 2023" in page
    assert "December 2024 to December 2024" not in page
    assert "for publication" in client.get(url("index"), {"end": "2024-12", "months": "12", "publish": "1"}).content.decode()


def test_empty_store_invites_an_import(client, analyst, store):
    page = client.get(url("index")).content.decode()
    assert "There is no police data" in page and url("import-police") in page


def test_findings_are_drafted_reviewed_and_kept(client, imported, analyst):
    response = client.post(url("findings-draft"), {"period": PERIOD})
    assert response.status_code == 302
    findings = Finding.objects.filter(period=PERIOD)
    assert findings.exists() and not findings.exclude(status="drafted").exists()
    overall = findings.get(key="overall")
    edited = "Recorded crime in Melton fell between December 2023 and December 2024."
    response = client.post(url("finding-review", pk=overall.pk), {"text": edited, "status": "accepted", "note": "Checked"})
    assert response.status_code == 302
    overall.refresh_from_db()
    assert (overall.status, overall.final_text, overall.reviewed_by) == ("accepted", edited, analyst)
    assert list(accepted_findings(imported["job"].partnership)) == [overall]
    # Drafting again never overwrites what a person reviewed.
    client.post(url("findings-draft"), {"period": PERIOD})
    overall.refresh_from_db()
    assert overall.final_text == edited and overall.status == "accepted"
    # The stable page of the finding, with its audit history.
    page = client.get(overall.get_absolute_url()).content.decode()
    assert edited in page and "History of changes" in page and "Accepted" in page and analyst.full_name in page
    assert edited in client.get(url("index")).content.decode()
    # The report carries the finding in the words the analyst accepted.
    word = client.get(url("report", period=PERIOD, fmt="docx"))
    assert edited in "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    # A rejection needs no more than a decision.
    other = findings.exclude(pk=overall.pk).first()
    client.post(url("finding-review", pk=other.pk), {"text": other.text, "status": "rejected", "note": ""})
    other.refresh_from_db()
    assert other.status == "rejected" and other.edited_text == ""


def test_review_needs_a_decision(client, imported):
    client.post(url("findings-draft"), {"period": PERIOD})
    finding = Finding.objects.first()
    response = client.post(url("finding-review", pk=finding.pk), {"text": "", "status": ""})
    page = response.content.decode()
    assert "Enter the finding’s text" in page and "Choose whether to accept or reject the finding" in page


def test_harm_weights_are_the_analysts_to_change(client, imported):
    response = client.post(url("harm-weights"), _weights(client, {"Burglary": "200"}) | {"reason": "Local priority"})
    assert response.status_code == 302
    weight = HarmWeight.objects.get()
    assert (weight.category, float(weight.weight), weight.reason) == ("Burglary", 200.0, "Local priority")
    page = client.get(url("index")).content.decode()
    assert "The analyst changed the weights of: Burglary" in page
    # Back to the index's weight by clearing the box.
    client.post(url("harm-weights"), _weights(client, {"Burglary": ""}))
    assert not HarmWeight.objects.exists()
    response = client.post(url("harm-weights"), _weights(client, {"Burglary": "lots"}))
    assert "The weight for Burglary must be a number of days" in response.content.decode()


def _weights(client, changes):
    from saferplan.assessment.harm import harm_weights

    data = {}
    for i, (category, weight) in enumerate(harm_weights().weights.items()):
        data[f"w{i}"] = changes.get(category, str(weight))
    return data


def test_downloads(client, imported):
    pdf = client.get(url("report", period=PERIOD, fmt="pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Melton" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages[:2])
    word = client.get(url("report", period=PERIOD, fmt="docx"), {"publish": "1"})
    assert word["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "for-publication" in word["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "Melton" in text and "Counts under 5" in text
    table = client.get(url("table-csv", period=PERIOD, key="categories"))
    assert table["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.content.decode())))
    assert {"category", "count", "previous_count", "change_pct", "significant"} <= set(rows[0])
    published = list(csv.DictReader(io.StringIO(
        client.get(url("table-csv", period=PERIOD, key="categories"), {"publish": "1"}).content.decode())))
    small = [r for r in rows if int(r["count"]) < 5]
    assert small and all(p["count"] == "<5" for p in published if p["category"] in {r["category"] for r in small})
    archive = zipfile.ZipFile(io.BytesIO(client.get(url("tables-zip", period=PERIOD)).content))
    assert any(n.endswith("-categories.csv") for n in archive.namelist()) and len(archive.namelist()) > 8
    assert client.get(url("report", period=PERIOD, fmt="exe")).status_code == 404
    # The published map shows no count (or rate) the published LSOA table hides.
    month = "2024-12:2024-12"
    lsoas = {r["lsoa_code"]: r for r in csv.DictReader(io.StringIO(
        client.get(url("table-csv", period=month, key="lsoas"), {"publish": "1"}).content.decode()))}
    features = [f["properties"] for f in client.get(url("map-data", period=month, level="lsoa"), {"publish": "1"}).json()["features"]]
    assert any(lsoas[f["code"]]["crimes"] in ("<5", "[c]") for f in features)
    for f in features:
        hidden = lsoas[f["code"]]["crimes"] in ("<5", "[c]")
        assert (f["crimes"] is None and f["crime_rate"] is None) == hidden, f["code"]
    assert client.get(url("table-csv", period="2024-13:2024-12", key="categories")).status_code == 404


def test_a_finding_of_another_partnership_is_not_found(client, analyst, store):
    other = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    theirs = Finding.objects.create(partnership=other, period=PERIOD, key="overall", kind="overall", title="Theirs", text="x")
    assert client.get(url("finding", pk=theirs.pk)).status_code == 404
    assert client.post(url("finding-review", pk=theirs.pk), {"text": "mine", "status": "accepted"}).status_code == 404


def test_demo_load_is_quick_to_run_again(melton, store, capsys):
    from saferplan.assessment import demo
    from saferplan.partnership.models import Stage
    from saferplan.partnership.progress import derived_progress

    make_member(melton, RoleKind.ANALYST)
    demo.load(melton)
    assert accepted_findings(melton, PERIOD).exists()
    assert derived_progress(melton, Stage.ASSESSMENT).status in ("in_progress", "completed")
    drafted = Finding.objects.filter(partnership=melton).count()
    demo.load(melton)
    assert "already imported" in capsys.readouterr().out
    assert Finding.objects.filter(partnership=melton).count() == drafted
    data = services.assessment(melton, Period.parse(PERIOD))
    assert (data["total"], data["total_previous"]) == (3_608, 3_732)
    assert ImportJob.objects.filter(partnership=melton).count() == 1


def test_progress_of_a_running_import(client, melton, analyst, store):
    from datetime import timedelta

    from django.utils import timezone

    job = ImportJob.objects.create(partnership=melton, kind="police", status="running", progress_done=3,
                                   progress_total=12, message="Read and checked 3 of 10 files", sources=["x.zip"])
    status = client.get(url("import-status", pk=job.pk)).json()
    assert (status["percent"], status["finished"], status["status"]) == (25, False, "running")
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-progress"' in page and "Read and checked 3 of 10 files" in page and ">Refresh<" in page
    assert "assessment-progress.js" in page
    # A job whose progress stopped long ago was interrupted (the server restarted).
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert client.get(url("import-status", pk=job.pk)).json()["status"] == "interrupted"
    assert "Import interrupted" in client.get(job.get_absolute_url()).content.decode()


def test_the_report_is_rendered_by_the_worker_never_in_the_request(client, imported, settings, tmp_path, monkeypatch):
    """One to three seconds of CPU: the job worker's work. Until the worker has stored the current
    version the download says it is being prepared (202) and keeps the publication choice."""
    from saferplan.documents import stored
    from saferplan.ops.models import StoredDocument

    settings.DOCUMENT_STORE_DIR = tmp_path / "documents"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a worker elsewhere
    rendered = []
    real = services.document
    monkeypatch.setattr(services, "document", lambda *a, **k: rendered.append(a) or real(*a, **k))
    waiting = client.get(url("report", period=PERIOD, fmt="pdf"), {"publish": "1"})
    assert waiting.status_code == 202 and waiting["Retry-After"] == "5" and not rendered
    page = waiting.content.decode()
    assert "is being prepared" in page and "?publish=1" in page and "for publication" in page
    queued = StoredDocument.objects.get(status="queued")
    assert queued.key.startswith("assessment:") and queued.key.endswith(":pdf:1")
    stored.render(queued.pk)  # what the worker does
    assert len(rendered) == 1
    served = client.get(url("report", period=PERIOD, fmt="pdf"), {"publish": "1"})
    assert served.status_code == 200 and served.content.startswith(b"%PDF") and len(rendered) == 1
    assert "for-publication" in served["Content-Disposition"]
    # The staff version is another document; changed harm weights make a new version of both.
    assert client.get(url("report", period=PERIOD, fmt="pdf")).status_code == 202
    client.post(url("harm-weights"), _weights(client, {"Burglary": "200"}) | {"reason": "Local priority"})
    assert client.get(url("report", period=PERIOD, fmt="pdf"), {"publish": "1"}).status_code == 202


def test_a_period_that_is_malformed_impossible_or_outside_the_data_is_not_found(client, imported):
    for period in ("9999-01:9999-12", "2019-01:2019-12", "2026-01:2026-12", "2024-12:2024-01", "0000-01:0000-12",
                   "nonsense"):
        _not_found(client, period)


def _not_found(client, period):
    for name, extra in (("chart", {"key": "categories"}), ("table-csv", {"key": "categories"}),
                        ("tables-zip", {}), ("report", {"fmt": "pdf"}), ("report", {"fmt": "docx"}),
                        ("map-data", {"level": "lsoa"})):
        response = client.get(url(name, period=period, **extra))
        assert response.status_code == 404, (name, period, response.status_code)
    assert client.post(url("findings-draft"), {"period": period}).status_code == 404
    assert client.get(url("findings"), {"period": period}).status_code == 404
    assert not Finding.objects.exists()


def _sections(document) -> dict[str, list[str]]:
    """The text under each heading of a Word document."""
    sections, current = {}, "(top)"
    for p in document.paragraphs:
        if p.style.name.startswith("Heading") or p.style.name == "Title":
            current = p.text
            sections.setdefault(current, [])
        else:
            sections.setdefault(current, []).append(p.text)
    return {k: "\n".join(v) for k, v in sections.items()}


def test_the_report_summary_lists_only_accepted_findings(client, imported):
    client.post(url("findings-draft"), {"period": PERIOD})
    findings = list(Finding.objects.filter(period=PERIOD).order_by("position"))
    accepted, rejected, draft = findings[0], findings[1], findings[2]
    client.post(url("finding-review", pk=accepted.pk), {"text": accepted.text, "status": "accepted", "note": ""})
    client.post(url("finding-review", pk=rejected.pk), {"text": rejected.text, "status": "rejected", "note": ""})
    for publish in ({}, {"publish": "1"}):
        word = client.get(url("report", period=PERIOD, fmt="docx"), publish)
        sections = _sections(docx.Document(io.BytesIO(word.content)))
        summary, drafts = sections["Summary"], sections["Draft findings, not yet checked"]
        assert "Findings the partnership has agreed" in summary
        assert accepted.text in summary and draft.text not in summary
        assert accepted.text not in drafts and f"Draft: {draft.text}" in drafts
        assert all(rejected.text not in text for text in sections.values())
    # The page too: a rejected finding is not offered again as a draft.
    page = client.get(url("index")).content.decode()
    assert accepted.text in page and rejected.text not in page
