"""The production stack: scripts/serve.sh (what `make serve` runs) with 2 gunicorn web processes
against the test PostgreSQL database, production settings, static files from the manifest."""
from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django_otp.oath import totp

from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, add_totp, make_member, make_partnership

from .conftest import ROOT, bare_environment, production_environment

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/static/build/saferplan\.[0-9a-f]{12}\.css)">')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def stack(database_url, transactional_db, tmp_path):
    port = free_port()
    log = tmp_path / "stack.log"
    env = production_environment(database_url, tmp_path / "var", SAFERPLAN_BIND=f"127.0.0.1:{port}",
                                 SAFERPLAN_WEB_PROCESSES="2", BIN=str(Path(sys.executable).parent))
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        yield base, tmp_path / "var", log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _sign_in(session, base, user, device):
    page = session.get(base + "/sign-in/")
    token = CSRF.search(page.text).group(1)
    code_page = session.post(base + "/sign-in/", data={"csrfmiddlewaretoken": token, "email": user.email, "password": PASSWORD})
    assert code_page.url == base + "/sign-in/code/", code_page.text[:500]
    token = CSRF.search(code_page.text).group(1)
    return session.post(base + "/sign-in/code/", data={"csrfmiddlewaretoken": token, "code": f"{totp(device.bin_key):06d}"})


def test_the_production_stack_serves_pages_static_files_and_signed_in_staff(stack, database_url):
    base, var_dir, log = stack
    partnership = make_partnership()
    user = make_member(partnership, RoleKind.MANAGER)
    # The test profile hashes with MD5 for speed; production does not accept MD5.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    user.save(update_fields=["password"])
    device = add_totp(user)

    # Every web process reads the crime store's published snapshot, none holds the store itself
    # (docs/operations.md; tests/ops/test_worker.py asks each process in turn).
    ready = requests.get(base + "/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["failed"] == []

    sign_in = requests.get(base + "/sign-in/")
    assert sign_in.status_code == 200 and "Sign in" in sign_in.text
    stylesheet = STYLESHEET.search(sign_in.text).group(1)
    manifest = json.loads((var_dir / "static" / "staticfiles.json").read_text())["paths"]
    assert stylesheet == "/static/" + manifest["build/saferplan.css"]
    css = requests.get(base + stylesheet)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]  # hashed names can be cached for ever
    assert "govuk-crest" not in css.text

    missing = requests.get(base + "/no-such-page/")
    assert missing.status_code == 404 and stylesheet in missing.text

    session = requests.Session()
    home = _sign_in(session, base, user, device)
    assert home.status_code == 200
    page = session.get(base + f"/p/{partnership.slug}/")
    assert page.status_code == 200 and partnership.name in page.text
    request_id = page.headers["X-Request-ID"]

    # Addresses that carry a secret: the log names their route, never the token typed.
    secret = "Zq7tokenThatMustNotBeLogged4Xw"
    for path in (f"/invitation/{secret}/", f"/password-reset/MQ/{secret}/"):
        assert requests.get(base + path).status_code in (200, 302, 404)

    # The request's log line, as JSON, names the request, the partnership and the user.
    time.sleep(0.5)
    assert secret not in log.read_text()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("request_id") == request_id and line["logger"] == "saferplan.requests"]
    assert logged, log.read_text()[-2000:]
    assert logged[0]["partnership"] == partnership.slug
    assert logged[0]["user_id"] == user.pk
    assert logged[0]["status"] == 200
    # Once: gunicorn writes no access log of its own beside it.
    assert len(logged) == 1 and not any(line["logger"] == "gunicorn.access" for line in lines)
    assert any(line.get("route") == "invitation/<str:token>/" for line in lines)
    # gunicorn's own messages are JSON lines too.
    assert sum(line["logger"] == "gunicorn.error" and line["message"].startswith("Booting worker") for line in lines) == 2
    # Each process serves several requests at once (one waits for the database, another runs).
    assert any(line["message"] == "Using worker: gthread" for line in lines), log.read_text()[-2000:]

    # The 500 page cannot be asked for over HTTP; rendered by the same settings and files, it
    # too finds its stylesheet in the manifest.
    env = production_environment(database_url, var_dir, SAFERPLAN_ALLOW_HTTP="1")
    code = ("from django.test import RequestFactory; from saferplan.pages import server_error; "
            "r = server_error(RequestFactory().get('/')); print(r.status_code); print(r.content.decode())")
    result = subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    status, error_page = result.stdout.split("\n", 1)
    assert status == "500" and stylesheet in error_page


def test_the_frontend_build_contains_everything_its_stylesheets_ask_for(tmp_path):
    out = tmp_path / "build"
    result = subprocess.run(["node", "frontend/build.mjs"], cwd=ROOT, env=bare_environment(SAFERPLAN_BUILD_OUT=str(out)),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    css = (out / "saferplan.css").read_text()
    assert "govuk-crest" not in css
    for reference in re.findall(r"url\(([^)]*)\)", css):
        target = reference.strip("\"'")
        if target.startswith("/static/build/"):
            assert (out / target.removeprefix("/static/build/")).is_file(), target
