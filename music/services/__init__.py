"""Writes and side effects of the music app (see each module)."""

from .outbox import OutboxFlushResult, history_outbox_flush
from .sync import SyncResult, library_sync, sync_request

__all__ = [
    "OutboxFlushResult",
    "SyncResult",
    "history_outbox_flush",
    "library_sync",
    "sync_request",
]
