"""Writes and side effects of the music app (see each module)."""

from .catalogue import catalogue_prune
from .demo import demo_load
from .genres import GenresLookupResult, artist_genres_lookup, genres_lookup_request
from .outbox import OutboxFlushResult, history_outbox_flush
from .sync import SyncResult, library_sync
from .sync_queue import SyncRequest, sync_request

__all__ = [
    "GenresLookupResult",
    "OutboxFlushResult",
    "SyncRequest",
    "SyncResult",
    "artist_genres_lookup",
    "catalogue_prune",
    "demo_load",
    "genres_lookup_request",
    "history_outbox_flush",
    "library_sync",
    "sync_request",
]
