"""Set-up shared by the consultation benchmarks: a fresh database, migrated, with the demo survey."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def fresh_database(postgres_url: str | None) -> tuple[str, callable]:
    """A database URL for the benchmark and a function that removes it afterwards."""
    if postgres_url:
        import psycopg

        name = f"saferplan_bench_consultation_{os.getpid()}"
        base = postgres_url.rsplit("/", 1)[0]
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"{base}/{name}", drop
    folder = tempfile.mkdtemp(prefix="saferplan-bench-")
    return f"sqlite:///{folder}/bench.sqlite3", lambda: None


def setup(url: str):
    os.environ["BENCH_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "consultation_settings"
    os.environ.setdefault("SAFERPLAN_VAR_DIR", tempfile.mkdtemp(prefix="saferplan-bench-var-"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from saferplan.consultation import demo
    from saferplan.partnership.models import Partnership

    partnership, _ = Partnership.objects.get_or_create(
        slug="melton", defaults={"name": "Melton Community Safety Partnership", "area_codes": ["E07000133"],
                                 "area_names": ["Melton"]})
    return demo.load(partnership)
