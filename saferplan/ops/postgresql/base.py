"""Django's PostgreSQL backend, with two changes for the pages every resident requests.

A kept connection is checked without asking the server each time. Production keeps each
connection (``DATABASE_CONN_MAX_AGE``) and checks it before a request's first query, so that a
database restart or failover costs a reconnection, not a failed request (ADR 0007). Django checks
by sending ``SELECT 1``: one more round trip on every request, as many as the page's own queries
on the public form. A connection the server has closed (a restart, ``pg_terminate_backend``, the
end of a failover) has something waiting on its socket: the server's last message, or the end of
the stream. A healthy idle connection has nothing. So the socket is looked at without waiting,
and only when something is there, or the connection is not idle, is ``SELECT 1`` sent to decide.

Statements prepared on the server, for what asks (``prepared_cursor``, used by
``core/prepared.py`` and the session store). Django sends every query as text with its values
written in, which PostgreSQL parses and plans each time: for the survey lookup of a public page
that is about 160 us of the server's CPU for 45 us of work. The few statements every public page
runs are prepared once per connection and then only executed. Everything else keeps Django's
default (client-side binding, never prepared), so queries whose parameters PostgreSQL could not
type on its own are unaffected. A pooler in front of PostgreSQL must pass prepared statements
through (PgBouncer 1.21 or later with ``max_prepared_statements``; docs/scaling.md).
"""
from __future__ import annotations

import select

from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.utils.asyncio import async_unsafe
from psycopg.pq import Format, TransactionStatus

# psycopg prepares a statement once a connection has run it this many times, unless told to
# (prepare=True). Never reached: only the preparing cursor below asks.
NEVER = 2**31


class PreparingCursor(ServerBindingCursor):
    """Values sent apart from the SQL, and the statement prepared the first time a connection runs it."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class Operations(DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A prepared statement is sent by name, not as text: the logged query (DEBUG, tests that
        # count queries) is composed from the SQL and its values instead.
        if isinstance(cursor, PreparingCursor):
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    ops_class = Operations

    def get_connection_params(self):
        params = super().get_connection_params()
        if params.get("prepare_threshold") is None:
            params["prepare_threshold"] = NEVER
        return params

    @async_unsafe
    def prepared_cursor(self):
        """A cursor whose statements are prepared on the server: for SQL that never changes."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparingCursor(self.connection)
            # As Django's create_cursor: the cursor's time zone only where the connection's differs.
            if self.timezone != self.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
                register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)

    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        try:
            poller = select.poll()
            poller.register(self.connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
            waiting = bool(poller.poll(0))
        except (OSError, ValueError):
            return False
        if waiting or self.connection.info.transaction_status != TransactionStatus.IDLE:
            return super().is_usable()
        return True
