"""The session engine (settings.SESSION_ENGINE): Django's database sessions, in
accounts.models.UserSession, each row carrying the id of the user it logs in, and a copy of the
session's data in the cache (Django's ``cached_db`` scheme).

A request reads its session with one small cache read instead of a query (and a signature check
of the stored data). The database stays the truth: a dead Redis logs nobody out (reads fall back
to the row, through personalify.cache's back-off), a row deleted (logout, account deletion)
takes its cached copy with it, and a copy lives at most SESSION_CACHE_SECONDS, so a copy whose
deletion failed while the cache was down cannot outlive its row by more than that.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connection, transaction

from personalify.cache import CacheUnavailable, cache_call, cache_get, cache_set

from .selectors import user_copy_for_session, user_copy_offer

KEY_PREFIX = "session:"


def session_cache_key(session_key: str) -> str:
    return f"{KEY_PREFIX}{session_key}"


def sessions_cache_forget(session_keys: list[str]) -> None:
    """Forget the cached copies of these sessions (their rows are gone)."""
    if not session_keys:
        return
    keys = [session_cache_key(k) for k in session_keys]
    _forget_quietly(keys)
    # Again once the row's deletion commits: a request in between may have cached it again.
    transaction.on_commit(lambda: _forget_quietly(keys))


def _forget_quietly(keys: list[str]) -> None:
    with contextlib.suppress(CacheUnavailable):  # each copy expires in SESSION_CACHE_SECONDS
        cache_call("delete_many", keys)


def user_sessions_delete(*, user_id: int) -> list[str]:
    """Delete every session of one user (one indexed statement) and their cached copies."""
    from .models import UserSession

    table = connection.ops.quote_name(UserSession._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE user_pk = %s RETURNING session_key",  # noqa: S608 - the model's table
            [user_id],
        )
        keys = [row[0] for row in cursor.fetchall()]
    sessions_cache_forget(keys)
    return keys


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import UserSession

        return UserSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_pk = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            session.user_pk = None
        return session

    def _cache_seconds(self, expiry=None) -> int:
        age = self.get_expiry_age(expiry=expiry) if expiry else self.get_expiry_age()
        return max(0, min(age, settings.SESSION_CACHE_SECONDS))

    def load(self):
        user_copy_offer(None)
        if self.session_key:
            entry = cache_get(session_cache_key(self.session_key))
            if isinstance(entry, dict) and isinstance(entry.get("data"), dict):
                user_copy_offer(entry.get("user"))
                return entry["data"]
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._cache_write(row.session_key, data, self._cache_seconds(row.expire_date))
        return data

    def _cache_write(self, session_key: str, data: dict, seconds: int) -> None:
        # The session's data and a copy of the user it logs in: one read for both.
        user = user_copy_for_session(data)
        cache_set(session_cache_key(session_key), {"data": data, "user": user}, seconds)
        user_copy_offer(user)

    def exists(self, session_key):
        # A new key must be new to the database (the truth), whatever the cache says.
        return super().exists(session_key)

    def save(self, must_create=False):
        super().save(must_create)
        self._cache_write(self.session_key, self._session, self._cache_seconds())

    def delete(self, session_key=None):
        super().delete(session_key)
        session_key = session_key or self.session_key
        if session_key:
            sessions_cache_forget([session_key])

    @classmethod
    def clear_expired(cls):
        # Cached copies expire by themselves no later than their rows.
        super().clear_expired()
