"""gunicorn settings for Saferplan's web processes (used by scripts/serve.sh and `make serve`).

Everything an operator may change comes from the environment: SAFERPLAN_BIND (address:port,
default 127.0.0.1:8080), SAFERPLAN_WEB_PROCESSES (default 3) and SAFERPLAN_WEB_THREADS (requests
each process handles at once, default 4). Requests are short: anything long (imports, documents)
belongs to the job worker, not a web process.

Threads, not one request a process: a page spends part of its time waiting for PostgreSQL (the
session, the survey, the commit of an answer); a second thread uses the CPU meanwhile. Each thread
keeps its own database connection, so a machine holds processes x threads connections
(docs/adr/0014-public-form-speed.md). Nothing shared lives in a process's memory (ADR 0007), so
threads share nothing either.
"""
import os
import sys

from gunicorn import glogging

bind = os.environ.get("SAFERPLAN_BIND", "127.0.0.1:8080")


def _count(variable: str, default: str, what: str) -> int:
    value = os.environ.get(variable, default).strip()
    if not value.isdigit() or int(value) < 1:
        # The same one-line refusal as the settings (saferplan.settings.refuse), exit status 78.
        print(f"Saferplan cannot start: {variable}={value!r} is not a number of {what};"
              " set it to 1 or more.", file=sys.stderr)
        raise SystemExit(78)
    return int(value)


workers = _count("SAFERPLAN_WEB_PROCESSES", "3", "processes")
threads = _count("SAFERPLAN_WEB_THREADS", "4", "threads")
worker_class = "gthread"
# A browser's connection is kept between its requests (the next question follows at once); one
# waiting longer than this is closed.
keepalive = 5
timeout = 60
# Each process tells the master it is alive by touching a file after every request: in memory,
# not on disk, where a slow disk would hold the request (gunicorn's own advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
graceful_timeout = 30
# Recycle processes now and then so that a slow leak cannot grow for weeks. Not too often: a new
# process starts cold (templates compiled, database connections opened and authenticated,
# statements prepared again), and at the public form's rate 2,000 requests was a new process
# every few seconds. 20,000 is a minute or two of a busy form, days of a quiet one.
max_requests = 20000
max_requests_jitter = 2000
# Load the application once, in the master: a configuration error (settings.refuse) then stops
# gunicorn with its one line, instead of every worker failing and being restarted in a loop.
preload_app = True
# Saferplan logs each request itself, as JSON with its request id and the route pattern, never
# the path as typed (invitation and password-reset addresses carry tokens); gunicorn's own
# messages (workers booting, timing out) go to standard error as JSON lines too, for one log
# collector. gunicorn turns its access log on whenever a logging configuration is given, whatever
# `accesslog` says: that wrote every request a second time, tokens and all, so its logger class
# here writes none.


class _NoAccessLog(glogging.Logger):
    def access(self, resp, req, environ, request_time):
        return None


logger_class = _NoAccessLog
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "saferplan.ops.requestlog.JSONFormatter"}},
    "handlers": {
        "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        # gunicorn's default root logger writes here.
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False, "qualname": "gunicorn.error"},
    },
}
# Whether a request came over HTTPS is Django's decision (SECURE_PROXY_SSL_HEADER, only with
# SAFERPLAN_TRUSTED_PROXIES): gunicorn must not decide it from headers on its own.
secure_scheme_headers = {}
forwarded_allow_ips = ""
proc_name = "saferplan-web"
# gunicorn's control socket is one path per user: two stacks on one machine (tests, a second
# checkout) would fight over it, and Saferplan does not use it.
control_socket_disable = True
