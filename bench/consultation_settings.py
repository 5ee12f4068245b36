"""Settings for the consultation benchmarks: the production-like ``test`` profile, a database of
the benchmark's own (BENCH_DATABASE_URL, or a temporary SQLite file), and no per-client rate
limit, because every simulated resident comes from 127.0.0.1."""
import os

os.environ.setdefault("SAFERPLAN_ENV", "test")

import dj_database_url  # noqa: E402

from saferplan.settings import *  # noqa: E402,F403

DATABASES = {"default": dj_database_url.parse(os.environ["BENCH_DATABASE_URL"], conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["ENGINE"] = "saferplan.ops.postgresql"  # as the settings choose it
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent writers wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 30}
CONSULTATION_SUBMIT_RATE = None
DEBUG = False
# The saferplan URLs plus the bare baseline view (bench/bench_urls.py), never in production.
ROOT_URLCONF = "bench_urls"
