"""Liveness and readiness, for a load balancer or a service manager.

``/healthz``: the process is up and answering (touches nothing, so a database outage does not get
every web process restarted). ``/readyz``: this process can serve pages: the database, the shared
cache table and the crime data store all answer and the static files' manifest names the
stylesheet; 503 and the failed check's name otherwise.

Answered by a middleware placed first, before host validation and the HTTPS redirect: probes come
from inside the network, by address and over plain HTTP, and must not be redirected or refused.
Nothing here says more than which check failed and the kind of error (no paths, no addresses).
"""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

logger = logging.getLogger("saferplan.ops")

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_shared_cache() -> None:
    # Rate limits and lockouts are counted here: without the table they would fail on every POST.
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(settings.CACHE_TABLE)}")
        cursor.fetchone()


def check_crime_store() -> None:
    from saferplan.assessment.services import reading

    with reading(None) as cursor:  # the shared scope: readiness reads no partnership's data
        cursor.execute("select count(*) from import_log").fetchone()


def check_static_files() -> None:
    # Production pages name their stylesheet through collectstatic's manifest: without it (a
    # release that skipped collectstatic) every page, the error pages too, fails to render.
    from django.contrib.staticfiles.storage import staticfiles_storage

    staticfiles_storage.url("build/saferplan.css")


CHECKS = {
    "database": check_database,
    "shared_cache": check_shared_cache,
    "crime_store": check_crime_store,
    "static_files": check_static_files,
}


def readiness() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as exc:  # any failure means not ready; the kind is enough to start looking
            logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    return all(r["ok"] for r in results.values()), results


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == HEALTH_PATH:
            return _no_store(JsonResponse({"status": "ok"}))
        if path == READY_PATH:
            ready, checks = readiness()
            failed = [name for name, result in checks.items() if not result["ok"]]
            body = {"status": "ready" if ready else "not ready", "failed": failed, "checks": checks}
            return _no_store(JsonResponse(body, status=200 if ready else 503))
        return self.get_response(request)
