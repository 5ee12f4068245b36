"""Configuration fails closed: every mistake stops the process with one line naming what to set."""
from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT, SAFERPLAN, SECRET, bare_environment

CONFIGURATION_ERROR = 78
POSTGRES = "postgres://saferplan:secret@db.internal:5432/saferplan"


def run(command, env):
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def one_line_refusal(result) -> str:
    assert result.returncode == CONFIGURATION_ERROR, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_saferplan_commands_in_a_bare_environment_say_what_to_set():
    result = run([str(SAFERPLAN), "survey", "list"], bare_environment())
    line = one_line_refusal(result)
    assert line.startswith("Saferplan cannot start: DJANGO_SECRET_KEY is not set")
    assert "SAFERPLAN_ENV=demo" in line


def test_the_help_needs_no_configuration():
    result = run([str(SAFERPLAN), "--help"], bare_environment())
    assert result.returncode == 0, result.stderr
    assert "backup" in result.stdout and "restore" in result.stdout


@pytest.mark.parametrize("profile", ["prod", "Production", "staging", ""])
def test_an_unknown_profile_refuses_to_start(profile):
    result = run([sys.executable, "manage.py", "check"], bare_environment(SAFERPLAN_ENV=profile, DJANGO_SECRET_KEY=SECRET))
    line = one_line_refusal(result)
    assert f"SAFERPLAN_ENV={profile!r} is not a profile" in line
    assert "production, demo, test" in line


@pytest.mark.parametrize(
    ("missing", "variables", "expected"),
    [
        ("secret key", {"DJANGO_ALLOWED_HOSTS": "csp.example.org", "DATABASE_URL": POSTGRES}, "DJANGO_SECRET_KEY is not set"),
        ("short key", {"DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "csp.example.org", "DATABASE_URL": POSTGRES}, "DJANGO_SECRET_KEY is too short"),
        ("allowed hosts", {"DJANGO_SECRET_KEY": SECRET, "DATABASE_URL": POSTGRES}, "DJANGO_ALLOWED_HOSTS is not set"),
        ("any host", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "*", "DATABASE_URL": POSTGRES}, "DJANGO_ALLOWED_HOSTS must name"),
        ("database", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "csp.example.org"}, "DATABASE_URL is not set"),
        ("sqlite", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "csp.example.org", "DATABASE_URL": "sqlite:///tmp/x.sqlite3"}, "DATABASE_URL must be a PostgreSQL database"),
        ("proxies", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "csp.example.org", "DATABASE_URL": POSTGRES, "SAFERPLAN_TRUSTED_PROXIES": "one"}, "SAFERPLAN_TRUSTED_PROXIES='one' is not a whole number"),
        ("email tls", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "csp.example.org", "DATABASE_URL": POSTGRES, "EMAIL_USE_TLS": "true"}, "EMAIL_USE_TLS='true' is not a switch"),
        ("email port", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "csp.example.org", "DATABASE_URL": POSTGRES, "EMAIL_PORT": "smtp"}, "EMAIL_PORT='smtp' is not a whole number"),
        ("connection age", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "csp.example.org", "DATABASE_URL": POSTGRES, "DATABASE_CONN_MAX_AGE": "1m"}, "DATABASE_CONN_MAX_AGE='1m' is not a whole number"),
        ("http off loopback", {"DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "127.0.0.1,csp.example.org", "DATABASE_URL": POSTGRES, "SAFERPLAN_ALLOW_HTTP": "1"}, "SAFERPLAN_ALLOW_HTTP=1 is only allowed"),
    ],
)
def test_production_without_what_it_needs_stops_with_one_line(missing, variables, expected):
    # Production is also what an unset SAFERPLAN_ENV means: the safe default.
    for command in ([sys.executable, "manage.py", "check"], [str(SAFERPLAN), "plan", "export", "--format", "json", "--out", "-"]):
        line = one_line_refusal(run(command, bare_environment(**variables)))
        assert expected in line
        assert "/tmp/x.sqlite3" not in line and "secret@" not in line


def test_production_settings_pass_the_deploy_check():
    env = bare_environment(SAFERPLAN_ENV="production", DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="csp.example.org",
                           DATABASE_URL=POSTGRES, SAFERPLAN_TRUSTED_PROXIES="1")
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_plain_http_on_loopback_is_an_explicit_switch():
    env = bare_environment(SAFERPLAN_ENV="production", DJANGO_SECRET_KEY=SECRET, DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
                           DATABASE_URL=POSTGRES, SAFERPLAN_ALLOW_HTTP="1")
    code = "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.DEBUG)"
    result = run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], env)
    assert result.stdout.split() == ["False", "False", "False"], result.stderr
    # Production's PostgreSQL backend checks kept connections without a round trip (saferplan/ops/postgresql).
    engine = ("from django.conf import settings as s; from django.db import connections; c = connections['default']; "
            "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'], type(c).__module__)")
    result = run([sys.executable, "manage.py", "shell", "--no-imports", "-c", engine], {**env, "DATABASE_CONN_MAX_AGE": "60"})
    assert result.stdout.split() == ["saferplan.ops.postgresql", "True", "saferplan.ops.postgresql.base"], result.stderr
    without = run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], {**env, "SAFERPLAN_ALLOW_HTTP": "0"})
    assert without.stdout.split() == ["True", "True", "False"], without.stderr


def test_gunicorn_stops_once_with_the_same_line_instead_of_restarting_workers():
    gunicorn = [str(SAFERPLAN.parent / "gunicorn"), "--config", "scripts/gunicorn.conf.py", "saferplan.wsgi"]
    line = one_line_refusal(run(gunicorn, bare_environment(SAFERPLAN_BIND="127.0.0.1:0")))
    assert line.startswith("Saferplan cannot start: DJANGO_SECRET_KEY is not set")
    line = one_line_refusal(run(gunicorn, bare_environment(SAFERPLAN_WEB_PROCESSES="two")))
    assert "SAFERPLAN_WEB_PROCESSES='two'" in line
    line = one_line_refusal(run(gunicorn, bare_environment(SAFERPLAN_WEB_THREADS="0")))
    assert "SAFERPLAN_WEB_THREADS='0'" in line
