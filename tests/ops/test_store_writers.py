"""The crime store's writers take turns across processes: any number of job workers, the command
line and a backup wait for the writer before them instead of failing on DuckDB's file lock; a
writer killed with SIGKILL frees its turn at once; and a worker does not keep the store open
between jobs, so the command line can import while the worker runs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import duckdb
import pytest

from saferplan.assessment import services
from saferplan.cli import main
from tests.conftest import DATA_DIR

from .conftest import ROOT

MONTH = DATA_DIR / "police-uk" / "leicestershire" / "2024-02-leicestershire-street.csv"

# A writer in another process, as a second job worker is: it writes, then holds its turn until
# its standard input closes (or it is killed).
HOLDER = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from saferplan.assessment import services

    with services.writing() as conn:
        conn.execute("create table if not exists held_by_other (x int)")
        conn.execute("insert into held_by_other values (1)")
        print("holding", flush=True)
        sys.stdin.read()
""")


@pytest.fixture
def store(settings, tmp_path):
    settings.DUCKDB_PATH = tmp_path / "store" / "saferplan.duckdb"
    services.close_store()
    yield settings.DUCKDB_PATH
    services.close_store()


def _holder(store: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SAFERPLAN_ENV": "test", "SAFERPLAN_DUCKDB": str(store),
           "DJANGO_SETTINGS_MODULE": "saferplan.settings"}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def _write_in_thread(on_wait) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def write():
        try:
            with services.writing(on_wait=on_wait) as conn:
                outcome["seen"] = conn.execute("select count(*) from held_by_other").fetchone()[0]
                conn.execute("create table written_here (x int)")
        except Exception as exc:  # noqa: BLE001 - reported to the test
            outcome["error"] = exc

    thread = threading.Thread(target=write)
    thread.start()
    return thread, outcome


def _published_tables(store: Path) -> set[str]:
    snapshot = services.current_snapshot(store)
    with duckdb.connect(str(snapshot), read_only=True) as conn:
        return {r[0] for r in conn.execute("select table_name from duckdb_tables()").fetchall()}


def test_a_second_writer_waits_for_the_first_and_then_writes(store):
    holder = _holder(store)
    waited = threading.Event()
    thread, outcome = _write_in_thread(waited.set)
    try:
        assert waited.wait(10), "the second writer did not see that the first held the store"
        time.sleep(0.5)
        assert thread.is_alive() and not outcome  # still waiting its turn, nothing failed
    finally:
        holder.communicate("")  # the first writer ends
    thread.join(60)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["seen"] == 1  # it wrote after the first writer's write, on top of it
    assert {"held_by_other", "written_here"} <= _published_tables(store)


def test_a_writer_killed_while_holding_its_turn_frees_it(store):
    holder = _holder(store)
    thread, outcome = _write_in_thread(None)
    time.sleep(0.5)
    assert thread.is_alive()
    os.kill(holder.pid, signal.SIGKILL)  # no clean-up runs: the kernel drops its locks
    holder.wait()
    thread.join(60)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["seen"] == 1  # what the killed writer had committed is kept
    assert {"held_by_other", "written_here"} <= _published_tables(store)


def test_the_command_line_imports_while_the_worker_runs(store, capsys):
    """The worker holds no connection between jobs; during a job the command line waits its turn."""
    # A job ran in this process (as in a worker) and ended: the store is not kept open.
    with services.writing() as conn:
        conn.execute("create table held_by_other (x int)")
    with duckdb.connect(str(store)) as other:  # another process could open it now
        other.execute("select 1")

    holder = _holder(store)
    releaser = threading.Timer(2.0, lambda: holder.communicate(""))
    releaser.start()
    try:
        assert main(["police", "import", str(MONTH)]) == 0
    finally:
        releaser.join()
    err = capsys.readouterr().err
    assert "Waiting for another import into the store" in err
    rows = sum(1 for _ in open(MONTH, encoding="utf-8")) - 1
    with services.reading(None) as conn:
        assert conn.execute("select count(*) from police_seen").fetchone()[0] == rows


@pytest.mark.django_db(transaction=True)
def test_a_backup_waits_for_an_import_in_progress(store, tmp_path, settings, capsys):
    from saferplan.ops import backup

    settings.MEDIA_ROOT = tmp_path / "media"
    holder = _holder(store)
    done: dict = {}

    def run_backup():
        try:
            done["summary"] = backup.backup(tmp_path / "b.tar.gz")
        except Exception as exc:  # noqa: BLE001 - reported to the test
            done["error"] = exc

    thread = threading.Thread(target=run_backup)
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive() and not (tmp_path / "b.tar.gz").exists()  # waiting for the import
    holder.communicate("")
    thread.join(120)
    assert "error" not in done, done.get("error")
    assert done["summary"].crime_store
    assert "Waiting for an import" in capsys.readouterr().err
