"""`saferplan backup FILE` and `saferplan restore FILE`: the database, the crime store and uploads."""
from __future__ import annotations

import subprocess
import sys
import tarfile

import duckdb
import pytest
from django.conf import settings as django_settings

from saferplan.assessment.services import close_store
from saferplan.assessment.store import connect
from saferplan.cli import main
from saferplan.partnership.models import Partnership, RoleKind, User
from saferplan.partnership.testing import make_member, make_partnership

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_STORE = "import sys, time, duckdb; c = duckdb.connect(sys.argv[1]); print('open', flush=True); time.sleep(120)"


@pytest.fixture
def site(settings, tmp_path):
    """A site with a partnership and a person, a crime store with one accepted import, and an upload."""
    settings.DUCKDB_PATH = tmp_path / "var" / "saferplan.duckdb"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    partnership = make_partnership()
    make_member(partnership, RoleKind.MANAGER, email="manager@melton.example")
    store = connect(settings.DUCKDB_PATH)
    store.execute("insert into import_log (import_id, kind, started_at, sources, message)"
                  " values (1, 'police', now(), ['2024-01-leicestershire-street.csv'], 'accepted')")
    store.close()
    upload = settings.MEDIA_ROOT / "consultation" / "letter-from-resident.txt"
    upload.parent.mkdir(parents=True)
    upload.write_text("Speeding on Nottingham Road, every evening.")
    yield settings
    close_store()


def _imports(path):
    with duckdb.connect(str(path), read_only=True) as store:
        return store.execute("select import_id, message from import_log order by import_id").fetchall()


@pytest.mark.skipif(django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
                    reason="PostgreSQL's dump and restore; a SQLite site's round trip is the test below")
def test_a_backup_restores_what_was_deleted_and_undoes_what_was_changed(site, tmp_path, capsys):
    backup = tmp_path / "saferplan-backup.tar.gz"
    assert main(["backup", str(backup)]) == 0
    assert "Backed up the postgresql database, the crime data store and 1 uploaded files" in capsys.readouterr().out
    with tarfile.open(backup) as archive:
        assert {"manifest.json", "database.pgdump", "crime-store.duckdb", "media/consultation/letter-from-resident.txt"} <= set(archive.getnames())

    # Then things go wrong: the partnership renamed, its manager deleted, the store overwritten,
    # an upload lost, another added.
    Partnership.objects.update(name="Renamed by mistake")
    User.objects.filter(email="manager@melton.example").delete()
    with duckdb.connect(str(site.DUCKDB_PATH)) as store:
        store.execute("delete from import_log")
        store.execute("insert into import_log (import_id, kind, started_at, sources) values (7, 'partner', now(), [])")
    (site.MEDIA_ROOT / "consultation" / "letter-from-resident.txt").unlink()
    (site.MEDIA_ROOT / "stray.txt").write_text("added after the backup")

    assert main(["restore", str(backup), "--yes"]) == 0
    assert Partnership.objects.get().name == "Melton Community Safety Partnership"
    assert User.objects.filter(email="manager@melton.example").exists()
    assert _imports(site.DUCKDB_PATH) == [(1, "accepted")]
    assert (site.MEDIA_ROOT / "consultation" / "letter-from-resident.txt").read_text().startswith("Speeding")
    assert not (site.MEDIA_ROOT / "stray.txt").exists()


def test_restore_asks_for_confirmation(site, tmp_path, capsys):
    backup = tmp_path / "b.tar.gz"
    main(["backup", str(backup)])
    Partnership.objects.update(name="Changed since")
    assert main(["restore", str(backup)]) == 1
    assert "add --yes" in capsys.readouterr().err
    assert Partnership.objects.get().name == "Changed since"


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(site, tmp_path, capsys, data_dir):
    not_a_backup = tmp_path / "2024-01-leicestershire-street.csv"
    not_a_backup.write_text((data_dir / "police-uk" / "leicestershire" / "2024-01-leicestershire-street.csv").read_text()[:2000])
    assert main(["restore", str(not_a_backup), "--yes"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "saferplan restore: 2024-01-leicestershire-street.csv is not a Saferplan backup (not a gzipped tar file)"
    assert Partnership.objects.get().slug == "melton"
    assert _imports(site.DUCKDB_PATH) == [(1, "accepted")]


def test_restore_refuses_while_the_crime_store_is_in_use(site, tmp_path, capsys):
    backup = tmp_path / "b.tar.gz"
    main(["backup", str(backup)])
    Partnership.objects.update(name="Changed since")
    # Another process holds the store open for writing, as a web process or an import does.
    writer = subprocess.Popen([sys.executable, "-c", HOLD_STORE, str(site.DUCKDB_PATH)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "open"
        assert main(["restore", str(backup), "--yes"]) == 1
    finally:
        writer.kill()
        writer.wait()
    err = capsys.readouterr().err
    assert "the crime data store is open in another program" in err
    assert str(tmp_path) not in err
    assert Partnership.objects.get().name == "Changed since"  # refused before the database was touched


def test_a_sqlite_site_round_trips_through_dumpdata(tmp_path):
    # The demo profile on SQLite: the database goes into the backup as Django's dumpdata.
    from .conftest import ROOT, SAFERPLAN, bare_environment

    env = bare_environment(SAFERPLAN_ENV="demo", SAFERPLAN_VAR_DIR=str(tmp_path / "var"),
                           DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}")

    def run(*command):
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""

    def shell(code):
        return run(sys.executable, "manage.py", "shell", "--no-imports", "-c", code)

    run(sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0")
    # migrate alone makes the shared cache table (rate limits and lockouts need it at once).
    assert shell("from django.db import connection; print('saferplan_cache' in connection.introspection.table_names())") == "True"
    shell("from saferplan.partnership.testing import make_partnership, make_member; "
          "make_member(make_partnership(), email='manager@melton.example')")
    backup = tmp_path / "site.tar.gz"
    assert "json database" in run(str(SAFERPLAN), "backup", str(backup))
    shell("from saferplan.partnership.models import Partnership, User; "
          "Partnership.objects.update(name='Renamed'); User.objects.all().delete()")
    run(str(SAFERPLAN), "restore", str(backup), "--yes")
    assert shell("from saferplan.partnership.models import Partnership, User; "
                 "print(Partnership.objects.get().name, '|', list(User.objects.values_list('email', flat=True)))") \
        == "Melton Community Safety Partnership | ['manager@melton.example']"
