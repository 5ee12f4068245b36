import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir():
    assert DATA_DIR.is_dir(), f"the shared reference data is missing at {DATA_DIR}"
    return DATA_DIR


@pytest.fixture(scope="session", autouse=True)
def reference_store(tmp_path_factory):
    """The national reference data, loaded once per session from the shared data folder through
    the operator's loader (``saferplan reference load``); every store a test creates starts
    with a copy of it (``SAFERPLAN_REFERENCE_FROM``, read by ``store.connect``)."""
    from saferplan.assessment.reference.load import load_files, shared_data_files
    from saferplan.assessment.store import connect

    path = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    conn = connect(path, reference_from="")
    load_files(conn, shared_data_files(DATA_DIR))
    conn.close()
    previous = os.environ.get("SAFERPLAN_REFERENCE_FROM")
    os.environ["SAFERPLAN_REFERENCE_FROM"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("SAFERPLAN_REFERENCE_FROM", None)
    else:
        os.environ["SAFERPLAN_REFERENCE_FROM"] = previous


@pytest.fixture(autouse=True)
def _clear_cache(request):
    # Lockout counters and rate limits live in the cache, a database table: no test inherits
    # another's. Only tests that use the database can reach it.
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("db")  # transactional or not, as the test asked
        from django.core.cache import cache

        cache.clear()
        # Nor this process's copies of survey definitions, keyed by the survey's id and version:
        # on SQLite a rolled-back test's ids are given out again, so the next test's survey would
        # find the last one's questions (a real database never reuses an id; ADR 0014).
        from saferplan.consultation import definition

        definition.forget_local()


# A partnership with a signed-in manager: the starting point of most page tests. A folder's own
# conftest may define another (Melton with its real area, say); the nearer one wins.
@pytest.fixture
def partnership(db):
    from saferplan.partnership.testing import make_partnership

    return make_partnership()


@pytest.fixture
def manager(partnership):
    from saferplan.partnership.models import RoleKind
    from saferplan.partnership.testing import make_member

    return make_member(partnership, RoleKind.MANAGER)


@pytest.fixture
def manager_client(client, manager):
    from saferplan.partnership.testing import sign_in_verified

    sign_in_verified(client, manager)
    return client
