"""Settings for the load benchmark's web processes: the production profile exactly as `make serve`
runs it (settings refuse to start without its secret key, hosts and PostgreSQL), plus one thing:
the bench URLs, which add the bare baseline view. Production URLs never contain it."""
import os

if os.environ.get("SAFERPLAN_ENV") != "production":
    raise SystemExit("bench/serve_settings.py is for the production profile only (SAFERPLAN_ENV=production)")

from saferplan.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench_urls"
