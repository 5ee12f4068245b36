from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAFERPLAN = Path(sys.executable).parent / "saferplan"
SECRET = "Zq9xT4pL2vB7mN5cR8wK3jH6gF1dS0aQ-" * 2


def bare_environment(**variables) -> dict:
    """What a fresh shell on a server has: a PATH and nothing of Saferplan's (the worktree's code
    on PYTHONPATH so that this checkout is the one run)."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": os.environ.get("HOME", "/root"), **variables}


def production_environment(database_url: str, var_dir: Path, **variables) -> dict:
    return bare_environment(
        SAFERPLAN_ENV="production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        SAFERPLAN_VAR_DIR=str(var_dir),
        SAFERPLAN_DATA_DIR=os.environ.get("SAFERPLAN_DATA_DIR", str(ROOT.parent / "shared" / "data")),
        # A new store takes its reference data from the test session's (tests/conftest.py).
        SAFERPLAN_REFERENCE_FROM=os.environ.get("SAFERPLAN_REFERENCE_FROM", ""),
        **variables,
    )


@pytest.fixture
def database_url(django_db_setup, django_db_blocker):
    """The test database as an address another process can use."""
    from django.db import connection

    settings = connection.settings_dict
    return (f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}")
