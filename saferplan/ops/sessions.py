"""Sessions in the database, shared by every web process, saved in one statement.

Django's database sessions wrap every save in a transaction: BEGIN, UPDATE, COMMIT, three round
trips to the database for what is one statement. The public form saves the session on every
answer, so an update here is the UPDATE alone (one statement is atomic by itself). Creating a
session keeps Django's transaction: a clash of new keys must roll back cleanly.
"""
from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session(no_load=False))
        using = router.db_for_write(self.model, instance=obj)
        updated = self.model.objects.using(using).filter(session_key=obj.session_key).update(
            session_data=obj.session_data, expire_date=obj.expire_date)
        if not updated:  # the row is gone (expired and cleared, or flushed by another request)
            raise UpdateError
