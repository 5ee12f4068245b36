"""The strategic assessment as an analyst and a board member use it, in Chromium, with axe-core on
every page and no Content Security Policy errors."""
from __future__ import annotations

import pytest

from saferplan.assessment.models import Finding, ImportJob
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership
from tests.assessment.web import melton_slice, records, store  # noqa: F401 - fixture

from .pages import (AssessmentPage, FindingPage, FindingReviewPage, HarmWeightsPage, ImportPage, ImportsPage, Journey,
                    PoliceUploadPage, code_for_device)

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(browse, kind, email):
    partnership = make_partnership()
    user = make_member(partnership, kind, email=email)
    device = add_totp(user)
    journey = Journey(browse)
    journey.sign_in(email, PASSWORD)
    if journey.heading() == "Security code":
        journey.enter_code(code_for_device(device))
    return journey, partnership


def test_analyst_imports_police_files_and_a_broken_file_is_refused(browse, store, tmp_path):
    journey, partnership = signed_in(browse, RoleKind.ANALYST, "analyst@melton.example")
    a = melton_slice("2023-12", tmp_path / "files")
    b = melton_slice("2024-12", tmp_path / "files")

    journey.click_link("Assessment")
    assert journey.heading() == "Strategic assessment"
    journey.click_link("Import police data")
    upload, result = PoliceUploadPage(journey), ImportPage(journey)
    upload.upload(a["path"], b["path"])
    assert journey.heading() == "Import finished"
    counts = result.counts.inner_text()
    assert f"{a['no_location'] + b['no_location']:,}" in counts
    assert "With an older, non-2021 LSOA code" in counts
    assert f"{a['rows'] + b['rows']:,}" in counts

    # A file whose header is wrong: refused, named with its line, nothing kept.
    bad = tmp_path / "bad" / "2024-11-leicestershire-street.csv"
    bad.parent.mkdir()
    text = melton_slice("2024-11", tmp_path / "slice")["path"].read_text(encoding="utf-8")
    bad.write_text(text.replace("Crime type", "Offence", 1), encoding="utf-8")
    before = records()
    journey.visit(upload.path(partnership))
    upload.upload(bad)
    assert journey.heading() == "Import refused"
    summary = journey.error_summary()
    assert summary and "2024-11-leicestershire-street.csv, line 1" in summary[0]
    assert records() == before
    assert ImportJob.objects.filter(status="failed").count() == 1

    journey.click_link("Back to data held and imports")
    assert "Refused" in ImportsPage(journey).imports.inner_text()


def test_the_assessment_page_and_reviewing_a_finding(browse, store, tmp_path, settings):
    journey, partnership = signed_in(browse, RoleKind.ANALYST, "analyst@melton.example")
    folder = tmp_path / "server"
    melton_slice("2023-12", folder), melton_slice("2024-12", folder)
    upload = PoliceUploadPage(journey)
    journey.visit(upload.path(partnership))
    upload.import_from_server(folder)
    assert journey.heading() == "Import finished"

    journey.click_link("Go to the assessment")
    page, assessment = journey.page, AssessmentPage(journey)
    assert "January 2024 to December 2024" in assessment.period.inner_text()
    assert "Violence and sexual offences" in assessment.categories.inner_text()
    chart = assessment.charts.first
    chart.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert "Getis-Ord Gi*" in assessment.hotspot_method.inner_text()
    # The map (JavaScript) draws the area's 30 LSOAs from the boundaries the server sends.
    try:
        page.wait_for_function("() => document.querySelectorAll('#assessment-map-canvas path.leaflet-interactive').length === 30", timeout=30_000)
    except Exception:
        print("DEBUG", journey.browse.console_errors, page.evaluate("() => document.querySelectorAll('#assessment-map-canvas path').length"), page.locator("#assessment-map").get_attribute("hidden"))
        raise
    journey.browse.axe()

    journey.submit("Draft findings to review")
    assert journey.heading().startswith("Findings")
    first = Finding.objects.get(partnership=partnership, key="overall")
    journey.click_link(f"Review “{first.title}”")
    review, finding = FindingReviewPage(journey), FindingPage(journey)
    review.finding.fill("Recorded crime in Melton fell in December 2024 compared with a year before.")
    review.accept.check()
    review.save()
    assert "has been accepted" in review.success_banner.inner_text()
    journey.click_link(first.title)
    assert finding.status.inner_text() == "Accepted"
    history = finding.history.inner_text()
    assert "Accepted" in history and "Recorded crime in Melton fell in December 2024" in history

    # The harm weights page, read by the analyst who may change them.
    weights = HarmWeightsPage(journey)
    journey.visit(weights.path(partnership))
    weights.weight_for("Burglary").fill("150")
    weights.save()
    assert "Harm weights saved for: Burglary" in weights.success_banner.inner_text()
    assert "Burglary (126.0 -> 150.0)" in weights.method.inner_text()


def test_a_board_member_reads_the_assessment_in_its_publication_form(browse, store, tmp_path):
    journey, partnership = signed_in(browse, RoleKind.BOARD_MEMBER, "board@melton.example")
    from saferplan.assessment import services

    melton_slice("2024-12", tmp_path / "files")
    with services.writing() as conn:
        from saferplan.assessment.police import import_police

        import_police(conn, [tmp_path / "files"])
    assessment = AssessmentPage(journey)
    journey.visit(f"/p/{partnership.slug}/assessment/")
    assert not assessment.draft_findings.count()
    journey.click_link("Preview this page as published")
    assert "for publication" in assessment.publication_notice.inner_text()
    assert "<5" in assessment.categories.inner_text()


def test_analyst_confirms_an_import_that_shrinks_a_month_and_sees_it_listed(browse, store, tmp_path):
    journey, partnership = signed_in(browse, RoleKind.ANALYST, "analyst@melton.example")
    whole = melton_slice("2024-12", tmp_path / "whole")
    upload, result = PoliceUploadPage(journey), ImportPage(journey)
    journey.visit(upload.path(partnership))
    upload.upload(whole["path"])
    assert journey.heading() == "Import finished"

    # Ten rows of the same month: nothing replaced until the analyst confirms, with both counts.
    lines = whole["path"].read_text(encoding="utf-8").splitlines(keepends=True)
    part = tmp_path / "part" / whole["path"].name
    part.parent.mkdir()
    part.write_text("".join(lines[:11]), encoding="utf-8")
    journey.visit(upload.path(partnership))
    upload.upload(part)
    assert journey.heading() == "Confirm the import"
    shrinks = result.shrinking_months.inner_text()
    assert f"{whole['rows']:,}" in shrinks and "10" in shrinks
    assert records() == whole["rows"]
    result.replace_anyway()
    assert journey.heading() == "Import finished"
    assert records() == 10

    journey.click_link("Back to data held and imports")
    changes = ImportsPage(journey).data_changes.inner_text()
    assert "the partnership’s own" in changes and "2024-12" in changes


def test_analyst_retries_an_import_whose_worker_was_stopped(browse, store, tmp_path):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    journey, partnership = signed_in(browse, RoleKind.ANALYST, "analyst@melton.example")
    folder = settings.ASSESSMENT_UPLOAD_DIR / "f00d"
    month = melton_slice("2024-12", folder)
    # What a worker killed mid-import leaves: the job running, its files, no heartbeat since.
    job = ImportJob.objects.create(partnership=partnership, kind=ImportJob.Kind.POLICE, status="running",
                                   sources=[month["path"].name], upload_dir=str(folder), progress_done=1,
                                   progress_total=3, message="Read and checked 1 of 1 files")
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=1))

    journey.visit(job.get_absolute_url())
    result = ImportPage(journey)
    assert journey.heading() == "Import interrupted"
    result.retry()
    assert journey.heading() == "Import finished"
    assert f"{month['rows']:,}" in result.counts.inner_text()
    assert not folder.exists()
