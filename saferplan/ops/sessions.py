"""Sessions in the database, shared by every web process, read and saved in one statement each.

Django's database sessions wrap every save in a transaction: BEGIN, UPDATE, COMMIT, three round
trips to the database for what is one statement. The public form saves the session on every
answer, so an update here is the UPDATE alone (one statement is atomic by itself). Creating a
session keeps Django's transaction: a clash of new keys must roll back cleanly.

Every request with a session cookie reads its row, so the read's SQL is compiled once
(core/prepared.py) and the expiry compared here: the same rows as Django's
``expire_date > now()`` filter, without compiling a query on every request.
"""
from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router
from django.utils import timezone

from saferplan.core.prepared import PreparedQuery

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
        updated = self.model.objects.using(using).filter(session_key=obj.session_key).update(
            session_data=obj.session_data, expire_date=obj.expire_date)
        if not updated:  # the row is gone (expired and cleared, or flushed by another request)
            raise UpdateError
