"""Every job kind shares one lifecycle: a real `saferplan worker` killed with SIGKILL mid-import
shows its job interrupted at once (its host and process id say so), the next worker cleans up
after it, and the job can be retried; the worker's schedule runs each periodic task once however
many workers look; documents are served as the worker stored them."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from saferplan.assessment import services
from saferplan.assessment.models import ImportJob
from tests.conftest import DATA_DIR
from saferplan.ops import jobs, schedule
from saferplan.ops.models import Notice, Schedule, StoredDocument
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

from .conftest import ROOT

LEICS = DATA_DIR / "police-uk" / "leicestershire"
MONTHS = ["2024-01", "2024-02"]


@pytest.fixture
def store(settings, tmp_path):
    settings.DUCKDB_PATH = tmp_path / "store" / "saferplan.duckdb"
    settings.ASSESSMENT_UPLOAD_DIR = tmp_path / "uploads"
    settings.JOB_SCRATCH_DIR = tmp_path / "scratch"
    services.close_store()
    yield settings.DUCKDB_PATH
    services.close_store()


# The real worker loop (saferplan.ops.worker.run, as `saferplan worker` runs it) on the database
# queue, with the police import made slow: it unpacks a file into its temporary folder, reports
# progress, then waits a minute before the real import, so that the test can kill it mid-import.
WORKER = textwrap.dedent("""
    import sys, tempfile, time
    from pathlib import Path
    import django
    django.setup()
    from django.test.utils import override_settings
    override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
                      JOB_SCRATCH_DIR=sys.argv[2]).enable()
    from saferplan.assessment import police, tasks
    from saferplan.ops import worker

    real = police.import_police
    def slow(*args, **kwargs):
        Path(tempfile.mkdtemp(prefix="unpacked-"), "street.csv").write_text("part of an archive")
        kwargs["progress"](1, 3, "Reading the files")
        time.sleep(60)
        return real(*args, **kwargs)
    police.import_police = slow
    tasks.import_data.enqueue(int(sys.argv[1]))
    worker.run(interval=0.2)
""")


def _queued_upload(partnership, user, tmp_path) -> ImportJob:
    folder = tmp_path / "uploads" / "a1b2c3"
    folder.mkdir(parents=True)
    names = [f"{m}-leicestershire-street.csv" for m in MONTHS]
    for name in names:
        shutil.copy(LEICS / name, folder / name)
    return ImportJob.objects.create(partnership=partnership, kind=ImportJob.Kind.POLICE, created_by=user,
                                    sources=names, upload_dir=str(folder), status=ImportJob.Status.QUEUED)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_interrupted_at_once_and_the_next_worker_cleans_up(
        store, client, tmp_path, database_url, settings):
    melton = make_partnership()
    analyst = make_member(melton, RoleKind.ANALYST)
    sign_in_verified(client, analyst)
    job = _queued_upload(melton, analyst, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SAFERPLAN_ENV": "test", "SAFERPLAN_DUCKDB": str(store),
           "DJANGO_SETTINGS_MODULE": "saferplan.settings", "DATABASE_URL": database_url}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(job.pk), str(settings.JOB_SCRATCH_DIR)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        until = time.monotonic() + 90
        while time.monotonic() < until and worker.poll() is None:
            job.refresh_from_db()
            if job.status == ImportJob.Status.RUNNING and job.progress_done:
                break
            time.sleep(0.2)
        assert job.status == ImportJob.Status.RUNNING, worker.stderr.read() if worker.poll() is not None else job
        assert job.worker_pid == worker.pid and job.worker_host == jobs.this_host()
        assert any(job.scratch_dir.rglob("street.csv"))  # the archive was unpacked into the job's folder
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    # The page knows at once: no waiting for the heartbeat to go stale.
    killed_at = time.monotonic()
    status = reverse("assessment:import-status", kwargs={"slug": melton.slug, "pk": job.pk})
    assert client.get(status).json()["status"] == "interrupted"
    assert time.monotonic() - killed_at < jobs.STALLED_AFTER.total_seconds() / 3
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INTERRUPTED
    assert not job.scratch_dir.exists()  # its temporary files went with it
    assert Path(job.upload_dir).is_dir()  # the upload is kept for the retry
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Import interrupted" in html and "Retry the import" in html

    client.post(reverse("assessment:import-retry", kwargs={"slug": melton.slug, "pk": job.pk}), {"retry": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.result["months"] == MONTHS


@pytest.mark.django_db
def test_a_starting_worker_interrupts_the_jobs_of_dead_workers_on_its_host_and_removes_their_files(store, tmp_path):
    melton = make_partnership()
    dead = _queued_upload(melton, None, tmp_path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no longer exists
    ImportJob.objects.filter(pk=dead.pk).update(status=ImportJob.Status.RUNNING, worker_host=jobs.this_host(),
                                                worker_pid=gone.pid, updated_at=timezone.now())
    dead.refresh_from_db()
    dead.scratch_dir.mkdir(parents=True)
    (dead.scratch_dir / "unpacked.csv").write_text("x")
    elsewhere = ImportJob.objects.create(partnership=melton, kind=ImportJob.Kind.POLICE, sources=["x"],
                                         status=ImportJob.Status.RUNNING, worker_host="another-host",
                                         worker_pid=gone.pid)
    alive = ImportJob.objects.create(partnership=melton, kind=ImportJob.Kind.POLICE, sources=["y"],
                                     status=ImportJob.Status.RUNNING, worker_host=jobs.this_host(),
                                     worker_pid=os.getpid())
    alive.scratch_dir.mkdir(parents=True)
    leftover = jobs.scratch_root() / "assessment.importjob-999999"
    leftover.mkdir()

    from saferplan.ops import worker

    assert worker.start_up() == 1
    dead.refresh_from_db(), elsewhere.refresh_from_db(), alive.refresh_from_db()
    assert dead.status == "interrupted" and not dead.scratch_dir.exists() and not leftover.exists()
    # Another host's process cannot be asked about: its heartbeat decides. A live worker's job runs on.
    assert elsewhere.status == "running" and not elsewhere.stalled
    assert alive.status == "running" and alive.scratch_dir.exists()


# --- The schedule ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_each_periodic_task_is_enqueued_once_however_many_workers_look():
    now = timezone.now()
    names = sorted(p.name for p in schedule.PERIODIC)
    assert schedule.enqueue_due(now) == names  # each ran at once (the test profile's backend)
    assert all(row.last_finished_at and row.last_outcome for row in Schedule.objects.all())
    assert schedule.enqueue_due(now) == []
    # Two workers read the same due row; the second one's claim matches nothing.
    later = now + timedelta(hours=1, minutes=1)
    seen_by_both = Schedule.objects.get(name="expired-sessions")
    assert schedule.enqueue_due(later) == ["expired-sessions", "import-housekeeping", "published-documents"]
    assert not Schedule.objects.filter(pk=seen_by_both.pk, next_run_at=seen_by_both.next_run_at).update(
        next_run_at=later)
    assert Schedule.objects.get(name="kpi-reminders").next_run_at == now + timedelta(hours=24)


@pytest.mark.django_db
def test_the_retention_purge_runs_by_hand_as_the_worker_runs_it(capsys):
    from saferplan.cli import main
    from saferplan.consultation.models import Response
    from saferplan.consultation.testing import make_survey, respond

    survey = make_survey(make_partnership())
    response = respond(survey, q1="Yes")
    Response.objects.filter(pk=response.pk).update(contact_email="jo@example.org")
    survey.purge_on = timezone.localdate() - timedelta(days=1)
    survey.save()
    assert main(["jobs", "run", "retention-purge"]) == 0
    assert f"personal data of 1 survey deleted: {survey.slug}" in capsys.readouterr().out
    assert Response.objects.get(pk=response.pk).contact_email == ""
    assert main(["jobs", "list"]) == 0
    assert "retention-purge: every 6 hours" in capsys.readouterr().out
    assert main(["jobs", "run", "purge"]) != 0
    assert "no scheduled task called “purge”; the names are: retention-purge" in capsys.readouterr().err


@pytest.mark.django_db
def test_owners_are_reminded_once_of_a_kpi_value_that_is_due():
    from saferplan.planning.models import KPI
    from saferplan.planning.tasks import send_reminders
    from saferplan.planning.testing import make_plan

    melton = make_partnership()
    plan = make_plan(melton)
    police = plan.themes.get().priorities.get().actions.get().owner
    officer = make_member(melton, RoleKind.PARTNER_OFFICER, organisation=police, email="pc.officer@example.org")
    type(plan).objects.filter(pk=plan.pk).update(status="adopted")
    kpi = KPI.objects.get(action__priority__theme__plan=plan)
    KPI.objects.filter(pk=kpi.pk).update(measure_kind="")  # entered by a person, not read from the store
    today = plan.starts_on + timedelta(days=100)  # the first quarter (April to June 2025) has ended
    assert send_reminders(today) == 1
    assert mail.outbox[0].to == [officer.email] and "Q1" in mail.outbox[0].subject
    assert Notice.objects.get().key == f"{kpi.pk}:{plan.starts_on.isoformat()}"
    assert send_reminders(today) == 0 and len(mail.outbox) == 1


# --- Documents served as stored ----------------------------------------------------------------

@pytest.mark.django_db
def test_the_published_plan_pdf_is_rendered_by_the_worker_and_served_as_stored(client, settings, tmp_path,
                                                                              monkeypatch):
    from saferplan.planning import documents, services as planning
    from saferplan.planning.testing import make_plan

    settings.DOCUMENT_STORE_DIR = tmp_path / "documents"
    melton = make_partnership()
    plan = make_plan(melton, published=True)  # publishing queues its documents (run at once in tests)
    stored = StoredDocument.objects.get(key=f"plan:{plan.pk}:pdf")
    assert stored.status == "ready" and (settings.DOCUMENT_STORE_DIR / stored.path).read_bytes().startswith(b"%PDF")

    def no_rendering(*args, **kwargs):
        raise AssertionError("a web request rendered the document")

    monkeypatch.setattr(documents, "plan_file", no_rendering)
    url = reverse("public-plan:plan-document", kwargs={"partnership": melton.slug, "fmt": "pdf"})
    served = client.get(url)
    assert served.status_code == 200 and served.content == (settings.DOCUMENT_STORE_DIR / stored.path).read_bytes()
    assert served["Content-Disposition"].startswith('attachment; filename="melton-community-safety-plan')

    # New inputs, a new version: until the worker has rendered it, the reader is told to wait.
    monkeypatch.undo()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a worker elsewhere
    type(plan).objects.filter(pk=plan.pk).update(title="Melton Community Safety Plan 2025 to 2028 (revised)")
    waiting = client.get(url)
    assert waiting.status_code == 202 and waiting["Retry-After"] == "5"
    assert "is being prepared" in waiting.content.decode()
    fresh = StoredDocument.objects.get(key=f"plan:{plan.pk}:pdf", status="queued")
    assert fresh.version != stored.version
    from saferplan.documents import stored as store

    store.render(fresh.pk)  # what the worker does
    assert client.get(url).content.startswith(b"%PDF")
    assert not (settings.DOCUMENT_STORE_DIR / stored.path).exists()  # the old version went
    assert planning.public_plan(melton) == plan


@pytest.mark.django_db
def test_a_finished_import_refreshes_the_kpis_bound_to_the_data_of_the_partnerships_reading_it(store, tmp_path):
    from saferplan.assessment.tasks import import_data
    from saferplan.planning.models import KPIValue
    from saferplan.planning.testing import make_plan

    melton = make_partnership()
    plan = make_plan(melton)  # its KPI counts police.uk anti-social behaviour per quarter
    other = make_partnership(name="Elsewhere Community Safety Partnership", slug="elsewhere", codes=("E07000134",))
    folder = tmp_path / "uploads" / "q4"
    folder.mkdir(parents=True)
    for month in ("2024-01", "2024-02", "2024-03"):
        shutil.copy(LEICS / f"{month}-leicestershire-street.csv", folder)
    job = ImportJob.objects.create(partnership=melton, kind=ImportJob.Kind.POLICE, upload_dir=str(folder),
                                   sources=sorted(p.name for p in folder.iterdir()))
    assert services.partnerships_reading_import(job.pk) == []  # not finished yet
    import_data.enqueue(job.pk)  # the worker's task; the refresh it queues runs at once in tests
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and "E07000133" in job.result["areas"]
    assert services.partnerships_reading_import(job.pk) == [melton.pk]
    value = KPIValue.objects.get(kpi__action__priority__theme__plan=plan)
    assert value.source == KPIValue.Source.IMPORTED and value.period_start.isoformat() == "2024-01-01"  # Q4 of 2023-24
    with services.reading(melton) as conn:
        asb = conn.execute("select count(*) from police_seen where lad_code = 'E07000133' and month >= '2024-01-01' "
                           "and month < '2024-04-01' and category = 'Anti-social behaviour'").fetchone()[0]
    assert value.value == asb
    # Shared data changes what every partnership with an area in it reads.
    ImportJob.objects.filter(pk=job.pk).update(shared=True)
    assert "E07000134" in job.result["areas"]  # North West Leicestershire, in the same force's files
    assert set(services.partnerships_reading_import(job.pk)) == {melton.pk, other.pk}
