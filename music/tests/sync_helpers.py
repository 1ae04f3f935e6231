"""Helpers of the sync tests: read rankings and Redis as they are stored, shape Spotify answers."""

from __future__ import annotations

import copy
from contextlib import contextmanager

import redis
from django.conf import settings

from music.models import UserArtist


def ranking(user, time_range, model=UserArtist, field="artist_id") -> list:
    rows = model.objects.filter(user=user, time_range=time_range).order_by("rank")
    return list(rows.values_list(field, flat=True))


def raw_redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def top_page(fake, kind: str) -> dict:
    """A top-list answer in Spotify's shape, to edit before injecting it into the fake."""
    items = copy.deepcopy(fake.catalogue.ranking(kind, "short_term"))
    return {"items": items, "total": len(items), "limit": 50, "offset": 0, "next": None}


@contextmanager
def mongodb_down(settings, mongo_server: str):
    """MongoDB refuses connections inside the block (a closed port); the session's after it."""
    from music.history import history_client_reset

    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    history_client_reset()
    try:
        yield
    finally:
        settings.MONGO_URI = mongo_server
        history_client_reset()
