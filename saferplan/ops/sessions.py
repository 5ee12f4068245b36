"""Sessions in the database, shared by every web process, read and saved in one statement each.

Django's database sessions wrap every save in a transaction: BEGIN, UPDATE, COMMIT, three round
trips to the database for what is one statement. The public form saves the session on every
answer, so an update here is the UPDATE alone (one statement is atomic by itself). Creating a
session keeps Django's transaction: a clash of new keys must roll back cleanly.

Every request with a session cookie reads its row, so the read's SQL is compiled once
(core/prepared.py) and the expiry compared here: the same rows as Django's
``expire_date > now()`` filter, without compiling a query on every request. The update is written
as SQL for the same reason (the ORM would compile it on every answer), its values adapted by the
model's own fields.
"""
from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from saferplan.core.prepared import PreparedQuery, statement_cursor

_BY_KEY = PreparedQuery(
    lambda key: DatabaseSessionStore.get_model_class().objects.filter(session_key=key)[:1], "key")


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        found = None
        if self.session_key is not None:
            found = _BY_KEY.first(using=router.db_for_read(self.model), key=self.session_key)
        if found is None or found.expire_date <= timezone.now():
            self._session_key = None
            return None
        return found

    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session(no_load=False))
        using = router.db_for_write(self.model, instance=obj)
        connection = connections[using]
        meta, quote = self.model._meta, connection.ops.quote_name
        columns = [meta.get_field(name) for name in ("session_data", "expire_date", "session_key")]
        sql = (f"UPDATE {quote(meta.db_table)} SET {quote(columns[0].column)} = %s, {quote(columns[1].column)} = %s"
               f" WHERE {quote(columns[2].column)} = %s")
        values = [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        with statement_cursor(connection) as cursor:
            cursor.execute(sql, values)
            updated = cursor.rowcount
        if not updated:  # the row is gone (expired and cleared, or flushed by another request)
            raise UpdateError
