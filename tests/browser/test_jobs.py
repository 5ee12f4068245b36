"""The pages of work done by the job worker, in a real browser with axe-core on each: a survey
import checked and imported by the worker (its progress, interrupted and imported states), and a
public document still being prepared."""
from __future__ import annotations

import os

import pytest

from saferplan.consultation.models import ImportBatch, Response
from saferplan.consultation.testing import make_survey
from saferplan.ops import jobs
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership

from .pages import Journey, code_for_device

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_survey_import_is_checked_and_imported_by_the_worker(browse, tmp_path):
    partnership = make_partnership()
    survey = make_survey(partnership)
    manager = make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    device = add_totp(manager)
    j = Journey(browse)
    j.sign_in("manager@melton.example", PASSWORD).enter_code(code_for_device(device))
    export = tmp_path / "export.csv"
    export.write_text("q1,Other column\nYes,x\nNo,y\n", encoding="utf-8")
    j.visit(f"/p/{partnership.slug}/consultation/surveys/{survey.pk}/import/")
    page = browse.page
    page.get_by_label("CSV file").set_input_files(str(export))
    j.submit("Upload and match columns")
    j.submit("Check the file")
    assert "All 2 rows are right" in page.content()
    j.submit("Import 2 responses")
    assert Response.objects.filter(survey=survey).count() == 2
    batch = ImportBatch.objects.get()
    j.visit(f"/p/{partnership.slug}/consultation/imports/{batch.pk}/")
    assert j.heading() == "export.csv is imported"

    # A large file on the worker: its progress, then (the worker gone) interrupted with a retry.
    running = ImportBatch.objects.create(survey=survey, filename="big.csv", content="q1\nYes\n",
                                         mapping={"columns": {"0": "q1"}, "separator": ";"},
                                         status=ImportBatch.Status.RUNNING, progress_done=40_000,
                                         progress_total=150_000, message="Checking the rows",
                                         worker_host=jobs.this_host(), worker_pid=os.getpid())
    j.visit(f"/p/{partnership.slug}/consultation/imports/{running.pk}/")
    assert j.heading() == "Importing big.csv"
    assert page.locator("#import-progress-bar").get_attribute("value") == "27"
    ImportBatch.objects.filter(pk=running.pk).update(status=ImportBatch.Status.INTERRUPTED)
    j.visit(f"/p/{partnership.slug}/consultation/imports/{running.pk}/")
    assert j.heading() == "Import of big.csv interrupted"
    j.submit("Retry the import")
    running.refresh_from_db()
    assert running.status == ImportBatch.Status.IMPORTED and running.rows == 1


def test_a_public_document_not_yet_rendered_says_it_is_being_prepared(browse, settings):
    from saferplan.planning.testing import make_plan

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # no worker runs here
    partnership = make_partnership()
    make_plan(partnership, published=True)
    j = Journey(browse)
    j.visit(f"/published/{partnership.slug}/plan.pdf")
    assert j.heading().endswith("is being prepared")
    j.click_link("Back to the plan")
