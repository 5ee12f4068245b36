"""The job worker and the crime store's one writer: imports run as tasks, a killed worker's job
shows as interrupted within seconds and can be retried or abandoned, and any number of web
processes read published snapshots of the store while the worker writes it."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.urls import reverse

from saferplan.assessment import services
from saferplan.assessment.models import STALLED_AFTER, ImportJob
from tests.conftest import DATA_DIR
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

from .conftest import ROOT

LEICS = DATA_DIR / "police-uk" / "leicestershire"
MELTON = "E07000133"


def month_files(*months: str) -> list[Path]:
    return [LEICS / f"{m}-leicestershire-street.csv" for m in months]


@pytest.fixture
def store(settings, tmp_path):
    settings.DUCKDB_PATH = tmp_path / "store" / "saferplan.duckdb"
    settings.ASSESSMENT_UPLOAD_DIR = tmp_path / "uploads"
    services.close_store()
    yield settings.DUCKDB_PATH
    services.close_store()


def _environment(store: Path, **extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SAFERPLAN_ENV": "test", "SAFERPLAN_DUCKDB": str(store),
            "DJANGO_SETTINGS_MODULE": "saferplan.settings", **extra}


READER = textwrap.dedent("""
    import json, sys, time
    import django
    django.setup()
    from saferplan.assessment import engine, services
    from saferplan.core.periods import Period

    until, seen, errors = time.monotonic() + 90, [], []
    while time.monotonic() < until:
        try:
            with services.reading(None) as conn:
                months = conn.execute("select count(distinct month) from import_file_seen").fetchone()[0]
                total = engine.assess(conn, ["E07000133"], Period.parse("2024-01:2024-01")).to_dict()["total"]
            seen.append([months, total])
            if months == 3:
                break
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.05)
    print(json.dumps({"seen": seen, "errors": errors}))
""")

WRITER = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from saferplan.assessment import services
    from saferplan.assessment.police import import_police

    with services.writing() as conn:
        import_police(conn, sys.argv[1:])
""")


@pytest.mark.django_db
def test_two_web_processes_read_the_assessment_while_a_third_writes_an_import(store):
    with services.writing() as conn:
        from saferplan.assessment.police import import_police

        import_police(conn, month_files("2024-01"))
    with services.reading(None) as conn:
        january = services.engine.assess(conn, [MELTON], services.Period.parse("2024-01:2024-01")).to_dict()["total"]
    assert january > 0
    services.close_store()

    readers = [subprocess.Popen([sys.executable, "-c", READER], cwd=ROOT, env=_environment(store),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(3)  # both readers are reading before the writer starts
    writer = subprocess.run([sys.executable, "-c", WRITER, *map(str, month_files("2024-02", "2024-03"))], cwd=ROOT,
                            env=_environment(store), capture_output=True, text=True, timeout=120)
    assert writer.returncode == 0, writer.stderr
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])
        assert report["errors"] == []
        # Each read saw one published state or the next, never a lock error or a half-written one.
        assert report["seen"][0] == [1, january] and report["seen"][-1] == [3, january]
        assert {months for months, _ in report["seen"]} <= {1, 3}
    # Web processes never opened the writer's file: only snapshots, the current one and the one before.
    numbers = sorted(int(p.stem.split("-")[1]) for p in services.snapshot_dir().glob("snapshot-*.duckdb"))
    current = int(services.current_snapshot().stem.split("-")[1])
    assert numbers == [current - 1, current]


@pytest.mark.django_db
def test_a_store_written_but_never_published_is_not_shown_as_empty(store, client):
    from saferplan.assessment.store import connect

    connect(store).close()  # a store from before snapshots (or restored from a backup)
    with pytest.raises(services.StoreNotPublished):
        with services.reading(None):
            pass
    assert client.get("/readyz").json()["failed"] == ["crime_store"]
    services.ensure_snapshot()
    with services.reading(None) as conn:
        assert conn.execute("select count(*) from import_log").fetchone()[0] == 0
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_fails_on_a_broken_snapshot_without_naming_its_path(store, client):
    services.ensure_snapshot()  # nothing yet: the empty store
    folder = services.snapshot_dir()
    folder.mkdir(parents=True)
    (folder / "snapshot-7.duckdb").write_bytes(b"this is not a DuckDB file " * 100)
    (folder / "current").write_text("snapshot-7.duckdb")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["crime_store"]
    assert str(store.parent) not in response.content.decode()


@pytest.mark.django_db
def test_a_command_line_import_into_the_served_store_is_published_for_the_web(store):
    from saferplan.cli import main

    with services.writing():
        pass  # the site's store, published (empty)
    services.close_store()
    assert main(["import-police", "--db", str(store), "--quiet", str(month_files("2024-01")[0])]) == 0
    with services.reading(None) as conn:
        assert conn.execute("select count(distinct month) from import_file_seen").fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_restored_store_is_what_the_web_then_reads(store, tmp_path):
    from saferplan.cli import main
    from saferplan.assessment.police import import_police

    with services.writing() as conn:
        import_police(conn, month_files("2024-01"))
    services.close_store()
    backup = tmp_path / "backup.tar.gz"
    assert main(["backup", str(backup)]) == 0
    with services.writing() as conn:
        import_police(conn, month_files("2024-02"))
    services.close_store()
    assert main(["restore", str(backup), "--yes"]) == 0
    with services.reading(None) as conn:
        assert conn.execute("select count(distinct month) from import_file_seen").fetchone()[0] == 1


# --- A killed worker -------------------------------------------------------------------------

# The worker's side of an import, as `saferplan worker` runs it, made long: the real import of
# the real files starts only after a minute, so that the test can kill the worker mid-import.
KILLED_WORKER = textwrap.dedent("""
    import sys, time
    import django
    django.setup()
    from saferplan.assessment import police, services

    real = police.import_police
    def slow(*args, **kwargs):
        kwargs["progress"](1, 3, "Reading the files")
        time.sleep(60)
        return real(*args, **kwargs)
    police.import_police = slow
    services.run_import(int(sys.argv[1]))
""")


def _upload_job(partnership, user, tmp_path) -> ImportJob:
    folder = tmp_path / "uploads" / "a1b2c3"
    folder.mkdir(parents=True)
    for f in month_files("2024-01", "2024-02"):
        shutil.copy(f, folder / f.name)
    return ImportJob.objects.create(partnership=partnership, kind=ImportJob.Kind.POLICE, created_by=user,
                                    sources=[f.name for f in month_files("2024-01", "2024-02")],
                                    upload_dir=str(folder))


def _kill_mid_import(job: ImportJob, store: Path, database_url: str) -> None:
    worker = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, str(job.pk)], cwd=ROOT,
                              env=_environment(store, DATABASE_URL=database_url),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        until = time.monotonic() + 60
        while time.monotonic() < until:
            job.refresh_from_db()
            if job.status == ImportJob.Status.RUNNING and job.progress_done:
                break
            time.sleep(0.2)
        assert job.status == ImportJob.Status.RUNNING, worker.stderr.read() if worker.poll() else job.status
        # Still beating: a step longer than STALLED_AFTER is not mistaken for a dead worker.
        time.sleep(STALLED_AFTER.total_seconds() + 3)
        job.refresh_from_db()
        assert not job.stalled and job.status_dict()["status"] == "running"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_shows_interrupted_within_seconds_and_can_be_retried(
        store, client, tmp_path, database_url):
    melton = make_partnership()
    analyst = make_member(melton, RoleKind.ANALYST)
    sign_in_verified(client, analyst)
    job = _upload_job(melton, analyst, tmp_path)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    _kill_mid_import(job, store, database_url)

    page = reverse("assessment:import", kwargs={"slug": melton.slug, "pk": job.pk})
    status = reverse("assessment:import-status", kwargs={"slug": melton.slug, "pk": job.pk})
    time.sleep(STALLED_AFTER.total_seconds() + 1)
    assert client.get(status).json()["status"] == "interrupted"
    html = client.get(page).content.decode()
    assert "Import interrupted" in html and "Retry the import" in html
    assert Path(job.upload_dir).is_dir()  # kept for the retry

    response = client.post(reverse("assessment:import-retry", kwargs={"slug": melton.slug, "pk": job.pk}),
                           {"retry": "1"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.result["months"] == ["2024-01", "2024-02"]
    assert not Path(job.upload_dir).exists()
    with services.reading(melton) as conn:
        assert conn.execute("select count(distinct month) from police_seen").fetchone()[0] == 2


@pytest.mark.django_db(transaction=True)
def test_an_abandoned_import_removes_its_files_and_keeps_nothing(store, client, tmp_path, database_url):
    melton = make_partnership()
    analyst = make_member(melton, RoleKind.ANALYST)
    sign_in_verified(client, analyst)
    job = _upload_job(melton, analyst, tmp_path)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    _kill_mid_import(job, store, database_url)
    time.sleep(STALLED_AFTER.total_seconds() + 1)

    client.post(reverse("assessment:import-retry", kwargs={"slug": melton.slug, "pk": job.pk}), {"abandon": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "interrupted" in job.error["message"]
    assert not Path(job.upload_dir).exists()
    services.ensure_snapshot()  # as the restarted worker does first
    with services.reading(melton) as conn:
        assert conn.execute("select count(*) from police_seen").fetchone()[0] == 0


@pytest.mark.django_db
def test_interrupted_imports_nobody_retried_and_orphaned_upload_folders_are_removed(store, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    melton = make_partnership()
    job = _upload_job(melton, None, tmp_path)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    orphan = tmp_path / "uploads" / "d4e5f6"
    orphan.mkdir()
    assert services.remove_abandoned_uploads() == 0  # both still young enough to be retried
    day_ago = timezone.now() - timedelta(seconds=services.ABANDONED_AFTER + 60)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=day_ago)
    os.utime(orphan, (day_ago.timestamp(), day_ago.timestamp()))
    assert services.remove_abandoned_uploads() == 2
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not Path(job.upload_dir).exists() and not orphan.exists()


def test_the_test_profile_runs_tasks_at_once_and_others_queue_them_for_the_worker(settings):
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    code = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    env = _environment(Path("/nonexistent"), SAFERPLAN_ENV="demo")
    result = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "django_tasks_db.DatabaseBackend", result.stderr


# --- The production stack: web processes and the worker ---------------------------------------

from .test_serving import _sign_in, stack  # noqa: E402,F401 - the fixture that runs scripts/serve.sh

START_IMPORT = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from pathlib import Path
    from saferplan.assessment import services
    from saferplan.partnership.models import Partnership

    job = services.start_police_server(Partnership.objects.get(slug="melton"), Path(sys.argv[1]), None)
    print(job.pk)
""")


def test_the_stack_s_worker_runs_an_import_that_every_web_process_then_reads(stack, database_url):
    import requests
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from saferplan.partnership.testing import PASSWORD, add_totp

    from .conftest import production_environment

    base, var_dir, log = stack
    melton = make_partnership()
    user = make_member(melton, RoleKind.ANALYST)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    device = add_totp(user)

    # Queued by a web-side call with production settings: the stack's worker picks it up.
    env = production_environment(database_url, var_dir, SAFERPLAN_ALLOW_HTTP="1",
                                 DJANGO_SETTINGS_MODULE="saferplan.settings")
    started = subprocess.run([sys.executable, "-c", START_IMPORT, str(LEICS)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    job = ImportJob.objects.get(pk=int(started.stdout.strip().splitlines()[-1]))
    until = time.monotonic() + 180
    while job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING) and time.monotonic() < until:
        time.sleep(0.5)
        job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, (job.status, job.error, log.read_text()[-3000:])
    assert len(job.result["months"]) == 24

    session = requests.Session()
    assert _sign_in(session, base, user, device).status_code == 200
    # Each request may reach either web process: all answer, from the snapshot the worker published.
    for _ in range(8):
        ready = requests.get(base + "/readyz")
        assert ready.status_code == 200 and ready.json()["failed"] == [], ready.text
        page = session.get(base + f"/p/{melton.slug}/assessment/")
        assert page.status_code == 200, page.text[:500]
        assert "There is no police data" not in page.text and "12 months with data in the period" in page.text
    imported = session.get(base + job.get_absolute_url())
    assert "Import finished" in imported.text
    assert (var_dir / "saferplan-snapshots" / "current").exists()
