"""Writes and side effects of the music app (see each module)."""

from .catalogue import catalogue_prune
from .demo import demo_load
from .outbox import OutboxFlushResult, history_outbox_flush
from .sync import SyncResult, library_sync
from .sync_queue import SyncRequest, sync_request

__all__ = [
    "OutboxFlushResult",
    "SyncRequest",
    "SyncResult",
    "catalogue_prune",
    "demo_load",
    "history_outbox_flush",
    "library_sync",
    "sync_request",
]
