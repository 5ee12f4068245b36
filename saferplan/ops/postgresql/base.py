"""Django's PostgreSQL backend, checking a kept connection without asking the server each time.

Production keeps each connection (``DATABASE_CONN_MAX_AGE``) and checks it before a request's
first query, so that a database restart or failover costs a reconnection, not a failed request
(ADR 0007). Django checks by sending ``SELECT 1``: one more round trip on every request, as many
as the page's own queries on the public form. A connection the server has closed (a restart,
``pg_terminate_backend``, the end of a failover) has something waiting on its socket: the
server's last message, or the end of the stream. A healthy idle connection has nothing. So the
socket is looked at without waiting, and only when something is there, or the connection is not
idle, is ``SELECT 1`` sent to decide.
"""
from __future__ import annotations

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg.pq import TransactionStatus


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
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
