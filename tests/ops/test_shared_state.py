"""Rate limits and lockouts are counted in one shared store, per resident, behind any number of proxies."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django_ratelimit.core import is_ratelimited

from saferplan.ops.client import client_address
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import PASSWORD, make_member, make_partnership

from .conftest import ROOT, bare_environment

PROXY = "10.0.0.5"
RESIDENT_A, RESIDENT_B = "203.0.113.10", "203.0.113.20"


def request_from(remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/consult/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, f"{RESIDENT_A}", PROXY),  # no proxy trusted: the header is anyone's to write
        (1, f"{RESIDENT_A}", RESIDENT_A),
        (1, f"198.51.100.1, {RESIDENT_A}", RESIDENT_A),  # the left entry was written by the client
        (2, f"198.51.100.1, {RESIDENT_A}, 10.0.0.9", RESIDENT_A),
        (2, f"{RESIDENT_A}", RESIDENT_A),  # came in through the inner proxy only
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_nth_forwarded_address_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(request_from(forwarded=forwarded)) == expected


def _submissions_limited(request, times, rate="3/h"):
    return [is_ratelimited(request, group="consultation-submit", key="ip", rate=rate, method="POST", increment=True)
            for _ in range(times)]


@pytest.mark.django_db
def test_two_residents_behind_one_proxy_are_counted_apart(settings):
    settings.TRUSTED_PROXIES = 1
    assert _submissions_limited(request_from(forwarded=RESIDENT_A), 4) == [False, False, False, True]
    assert _submissions_limited(request_from(forwarded=RESIDENT_B), 1) == [False]
    # A resident cannot escape the count by writing their own X-Forwarded-For.
    assert _submissions_limited(request_from(forwarded=f"192.0.2.77, {RESIDENT_A}"), 1) == [True]


@pytest.mark.django_db
def test_bad_sign_ins_behind_the_proxy_lock_out_that_address_not_the_whole_office(client, settings):
    settings.TRUSTED_PROXIES = 1
    staff = make_member(make_partnership(), RoleKind.BOARD_MEMBER)
    for n in range(5):
        client.post(reverse("sign-in"), {"email": f"guess{n}@example.org", "password": "wrong"},
                    REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=RESIDENT_A)
    guesser = client.post(reverse("sign-in"), {"email": staff.email, "password": PASSWORD},
                          REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=RESIDENT_A)
    assert "Sign-in is locked" in guesser.content.decode()
    client.cookies.clear()
    colleague = client.post(reverse("sign-in"), {"email": staff.email, "password": PASSWORD},
                            REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=RESIDENT_B)
    assert colleague.status_code == 302 and colleague["Location"] == reverse("home")


COUNT_IN_ANOTHER_PROCESS = textwrap.dedent("""
    import sys, django
    django.setup()
    from django.test import RequestFactory
    from django_ratelimit.core import is_ratelimited
    request = RequestFactory().post("/consult/", REMOTE_ADDR=sys.argv[1])
    print(sum(is_ratelimited(request, group="consultation-submit", key="ip", rate="5/h", method="POST", increment=True)
              for _ in range(int(sys.argv[2]))))
""")

INCREMENT_IN_ANOTHER_PROCESS = textwrap.dedent("""
    import sys, django
    django.setup()
    from django.core.cache import cache
    for _ in range(int(sys.argv[1])):
        cache.incr("shared-counter")
""")


def _other_process(database_url, script, *arguments):
    env = bare_environment(SAFERPLAN_ENV="test", DJANGO_SETTINGS_MODULE="saferplan.settings", DATABASE_URL=database_url)
    return subprocess.Popen([sys.executable, "-c", script, *map(str, arguments)], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.django_db(transaction=True)
def test_web_processes_share_the_rate_limit_counter(database_url):
    other = _other_process(database_url, COUNT_IN_ANOTHER_PROCESS, RESIDENT_A, 3)
    out, err = other.communicate(timeout=120)
    assert other.returncode == 0, err
    assert out.strip() == "0"  # three of five used up in the other process
    assert _submissions_limited(request_from(remote=RESIDENT_A), 3, rate="5/h") == [False, False, True]


@pytest.mark.django_db(transaction=True)
def test_counts_from_two_processes_at_once_are_not_lost(database_url):
    cache.set("shared-counter", 0, 600)
    processes = [_other_process(database_url, INCREMENT_IN_ANOTHER_PROCESS, 150) for _ in range(2)]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert cache.get("shared-counter") == 300
