"""Reads of users (the logged-in user from the cache)."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import transaction
from django.db.models import QuerySet

from personalify.cache import cache_delete, cache_get, cache_set
from personalify.pagecache import page_version_bump

from .models import DEMO_SPOTIFY_ID


def user_active_spotify_list() -> QuerySet:
    """Active users with a Spotify account, oldest first: the ones background work serves
    (the daily re-sync, ``--all`` in commands). Not the bundled demo."""
    return (
        get_user_model()
        .objects.filter(spotify_id__isnull=False, is_active=True)
        .exclude(spotify_id=DEMO_SPOTIFY_ID)
        .order_by("pk")
    )


def user_demo_get():
    """The read-only demo user, or None when ``load_demo`` has not run."""
    return get_user_model().objects.filter(spotify_id=DEMO_SPOTIFY_ID, is_active=True).first()


# --- The logged-in user, kept in the cache -----------------------------------------------------
#
# Every logged-in request looks its user up by primary key (AuthenticationMiddleware, through
# the session's backend). The row's fields are kept in the cache for USER_CACHE_SECONDS so that
# lookup is one small cache read; accounts.receivers forgets the copy whenever the row is saved or
# deleted, and every queryset .update() of users in accounts calls user_cache_forget. The short
# life bounds how long a copy could outlive a change whose forget failed (cache down then).
USER_CACHE_SECONDS = 5 * 60
USER_CACHE_VERSION = 1


def user_cache_key(*, user_id) -> str:
    return f"user:{user_id}"


def _user_fields(user) -> dict:
    fields = {}
    for field in user._meta.concrete_fields:
        value = field.value_from_object(user)
        if value is not None and field.get_internal_type() == "DateTimeField":
            value = value.isoformat()
        fields[field.attname] = value
    return fields


def _user_from(fields: dict):
    model = get_user_model()
    values = []
    for field in model._meta.concrete_fields:
        value = fields[field.attname]
        if value is not None and field.get_internal_type() == "DateTimeField":
            value = datetime.fromisoformat(value)
        values.append(value)
    return model.from_db("default", [f.attname for f in model._meta.concrete_fields], values)


def user_cached_get(*, user_id):
    """The active user with this primary key (from the cache when it holds a copy), or None."""
    key = user_cache_key(user_id=user_id)
    cached = cache_get(key)
    if isinstance(cached, dict) and cached.get("v") == USER_CACHE_VERSION:
        try:
            user = _user_from(cached["fields"])
        except (KeyError, TypeError, ValueError):
            user = None  # not a copy this code wrote: read the row
        else:
            return user if user.is_active else None
    user = get_user_model()._default_manager.filter(pk=user_id).first()
    if user is None:
        return None
    cache_set(key, {"v": USER_CACHE_VERSION, "fields": _user_fields(user)}, USER_CACHE_SECONDS)
    return user if user.is_active else None


def user_cache_forget(*, user_id) -> None:
    """Forget the cached copies (the user's own and the one kept with each of their sessions)
    now, and again when the surrounding transaction commits (a request in between could have
    cached the row as it was before the change)."""
    from .models import UserSession
    from .sessions import sessions_cache_forget

    key = user_cache_key(user_id=user_id)
    cache_delete(key)
    page_version_bump(user_id)  # every page shows the user (name, "log in again")
    sessions = list(
        UserSession.objects.filter(user_pk=user_id).values_list("session_key", flat=True)
    )
    sessions_cache_forget(sessions)
    transaction.on_commit(lambda: (cache_delete(key), page_version_bump(user_id)))


# The session engine (accounts.sessions) keeps the logged-in user's copy with the session's own
# cached data, so a request reads both with one cache read; it hands the copy over here for the
# authentication backend's lookup of the same request (a context variable: per thread/task,
# replaced by every session load).
_session_user: ContextVar[dict | None] = ContextVar("accounts_session_user", default=None)


def user_copy_for_session(data: dict) -> dict | None:
    """The copy of the user that the session ``data`` logs in, to keep with the session."""
    user_id = data.get(SESSION_KEY)
    if user_id is None:
        return None
    user = user_cached_get(user_id=user_id)
    if user is None:
        return None
    return {"v": USER_CACHE_VERSION, "id": str(user_id), "fields": _user_fields(user)}


def user_copy_offer(copy: dict | None) -> None:
    _session_user.set(copy)


def user_session_get(*, user_id):
    """The active user with this primary key: from the copy the session of this request came
    with, else from the cache, else from the database."""
    copy = _session_user.get()
    if (
        isinstance(copy, dict)
        and copy.get("v") == USER_CACHE_VERSION
        and copy.get("id") == str(user_id)
    ):
        try:
            user = _user_from(copy["fields"])
        except (KeyError, TypeError, ValueError):
            pass
        else:
            return user if user.is_active else None
    return user_cached_get(user_id=user_id)
