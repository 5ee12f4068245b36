"""/healthz says the process is up; /readyz checks what a page needs and says which check failed."""
from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from django.urls import reverse

from saferplan.assessment.services import close_store
from saferplan.ops.requestlog import JSONFormatter, RequestContextFilter
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

from .conftest import ROOT, SECRET, bare_environment


def test_healthz_answers_without_the_database_and_for_any_host(client):
    # No database mark: pytest-django would fail this test if the check touched the database.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.fixture
def store_at(settings):
    def point(path):
        settings.DUCKDB_PATH = path
        return path

    yield point
    close_store()


@pytest.mark.django_db
def test_readyz_checks_the_database_the_shared_cache_and_the_crime_store(client, store_at, tmp_path):
    store_at(tmp_path / "saferplan.duckdb")
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert set(body["checks"]) == {"database", "shared_cache", "crime_store", "static_files"}


@pytest.mark.django_db
def test_readyz_names_an_unreachable_crime_store_without_its_path(client, store_at, tmp_path):
    broken = tmp_path / "not-a-store"
    broken.write_bytes(b"this is not a DuckDB file " * 100)
    store_at(broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["crime_store"]
    assert body["checks"]["database"]["ok"] is True
    assert str(tmp_path) not in response.content.decode()


def test_readyz_names_an_unreachable_database():
    # Production settings with a database nobody listens on, and a load balancer's Host header.
    env = bare_environment(SAFERPLAN_ENV="production", DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="csp.example.org",
                           DATABASE_URL="postgres://saferplan:secret@127.0.0.1:9/saferplan")
    code = ("from django.test import Client; r = Client().get('/readyz', HTTP_HOST='10.1.2.3'); "
            "print(r.status_code); print(r.content.decode())")
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n")[-2:]
    assert status == "503"
    assert {"database", "shared_cache"} <= set(json.loads(body)["failed"])
    assert "secret" not in body and ":9" not in body


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    made = client.get(reverse("sign-in"))
    assert len(made["X-Request-ID"]) == 32
    assert client.get(reverse("sign-in"), HTTP_X_REQUEST_ID="lb-4f3a9c2e-77")["X-Request-ID"] == "lb-4f3a9c2e-77"
    forged = client.get(reverse("sign-in"), HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a=b")
    assert forged["X-Request-ID"] != "x\r\nSet-Cookie: a=b" and len(forged["X-Request-ID"]) == 32


@pytest.fixture
def json_log():
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect()
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RequestContextFilter())
    # Saferplan's request log and Django's own lines about requests (404s, CSRF refusals).
    loggers = [logging.getLogger("saferplan.requests"), logging.getLogger("django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield lines
    for logger, level in zip(loggers, levels):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.django_db
def test_request_log_lines_name_the_partnership_and_the_user_but_not_tokens(client, json_log):
    partnership = make_partnership()
    user = make_member(partnership, RoleKind.MANAGER)
    sign_in_verified(client, user)
    response = client.get(reverse("partnership:home", kwargs={"slug": partnership.slug}))
    line = next(line for line in json_log if line["request_id"] == response["X-Request-ID"])
    assert line["partnership"] == partnership.slug and line["user_id"] == user.pk
    assert line["status"] == 200 and line["method"] == "GET"

    client.logout()
    before = len(json_log)
    assert client.get("/invitation/secret-invitation-token-123/").status_code == 404
    # Django's "Not Found" and the request line: both name the route, neither the token.
    logged = [line for line in json_log[before:]]
    assert {line["logger"] for line in logged} == {"django.request", "saferplan.requests"}
    assert all("<str:token>" in json.dumps(line) for line in logged)
    assert "secret-invitation-token-123" not in json.dumps(logged)
    client.get("/invitations/secret-invitation-token-456/")  # no such address: no route to name
    assert "secret-invitation-token-456" not in json.dumps(json_log)


def test_readyz_fails_a_release_whose_static_files_were_not_collected(database_url, tmp_path):
    from .conftest import production_environment

    env = production_environment(database_url, tmp_path / "var")  # nothing collected into var/static
    code = ("from django.test import Client; r = Client().get('/readyz', HTTP_HOST='10.1.2.3'); "
            "print(r.status_code); print(r.content.decode())")
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split("\n")[-2:]
    assert status == "503"
    assert json.loads(body)["failed"] == ["static_files"]


@pytest.mark.django_db
def test_the_sign_in_that_signs_someone_in_is_logged_with_their_id(client, json_log):
    from saferplan.partnership.testing import PASSWORD

    user = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    response = client.post(reverse("sign-in"), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    line = next(line for line in json_log if line["request_id"] == response["X-Request-ID"])
    assert line["user_id"] == user.pk and line["method"] == "POST"
