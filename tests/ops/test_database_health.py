"""A kept database connection is checked before each request's first query without a round trip,
and one the server has closed is still found unusable (saferplan/ops/postgresql)."""
from __future__ import annotations

import time

import pytest
from django.db import connection

from saferplan.ops.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kept():
    if connection.vendor != "postgresql":
        pytest.skip("production's database is PostgreSQL")
    wrapper = DatabaseWrapper({**connection.settings_dict, "CONN_HEALTH_CHECKS": True}, alias="kept")
    wrapper.connect()
    yield wrapper
    wrapper.close()


def statements_sent(wrapper, check):
    sent = []
    cursor = wrapper.connection.cursor

    def counting(*args, **kwargs):
        sent.append(1)
        return cursor(*args, **kwargs)

    wrapper.connection.cursor = counting
    try:
        return check(), len(sent)
    finally:
        del wrapper.connection.cursor


def test_a_healthy_idle_connection_is_usable_without_asking_the_server(kept):
    assert statements_sent(kept, kept.is_usable) == (True, 0)


def test_a_connection_the_server_closed_is_found_unusable_and_replaced(kept):
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connection.cursor() as cursor:  # as a database restart or failover would
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while kept.is_usable():
        assert time.monotonic() < deadline, "a terminated connection still looked usable"
        time.sleep(0.05)
    # Django's check before a request's first query: the closed connection is replaced.
    kept.health_check_done = False
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid

