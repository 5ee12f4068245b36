"""Settings for the test suite: the ``test`` profile of saferplan.settings, whatever the shell says."""
import os

os.environ["SAFERPLAN_ENV"] = "test"

from saferplan.settings import *  # noqa: E402,F403
from saferplan.settings import DATABASES  # noqa: E402

# Several test runs may share one PostgreSQL server (developers working side by side): each run
# gets a database of its own, which pytest-django creates and drops.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Tests never touch var/: the DuckDB store and uploads go to a per-process temporary folder
# (tests that import data point DUCKDB_PATH at their own tmp_path through the settings fixture).
import tempfile as _tempfile  # noqa: E402

_TEST_VAR = Path(_tempfile.mkdtemp(prefix="saferplan-test-"))  # noqa: F405
DUCKDB_PATH = _TEST_VAR / "saferplan.duckdb"
MEDIA_ROOT = _TEST_VAR / "media"

# SQLite (the demo's database) is tested as the demo runs it: a file, whose writers wait for each
# other (the busy timeout), not Django's default in-memory database, whose shared cache refuses a
# second writer at once ("database table is locked") and so fails tests of concurrent requests.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(_TEST_VAR / "test.sqlite3")}
