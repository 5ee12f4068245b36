"""Sessions live in the database (shared by every web process) and an update is one statement."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saferplan.ops.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_an_update_is_one_statement_and_another_process_reads_it():
    session = SessionStore()
    session["answers"] = {"q1": {"options": [1]}}
    session.create()
    session["answers"] = {"q1": {"options": [2]}}
    with CaptureQueriesContext(connection) as queries:
        session.save()
    assert len(queries.captured_queries) == 1 and queries.captured_queries[0]["sql"].startswith("UPDATE")
    # Another web process, holding nothing but the cookie's key, reads what was saved.
    assert SessionStore(session_key=session.session_key)["answers"] == {"q1": {"options": [2]}}


def test_a_session_deleted_meanwhile_is_not_brought_back():
    session = SessionStore()
    session["answers"] = {}
    session.create()
    Session.objects.filter(session_key=session.session_key).delete()  # cleared, or flushed by another request
    session["answers"] = {"q1": {"options": [1]}}
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.filter(session_key=session.session_key).exists()


def test_a_read_is_one_statement_and_an_expired_session_reads_as_empty():
    session = SessionStore()
    session["answers"] = {"q1": {"options": [1]}}
    session.create()
    with CaptureQueriesContext(connection) as queries:
        assert SessionStore(session_key=session.session_key)["answers"] == {"q1": {"options": [1]}}
    assert len(queries.captured_queries) == 1
    # Past its expiry the row is still there (until clearsessions) but is no one's session any more.
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(session_key=session.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore(session_key="no-such-session-key").load() == {}
