"""Delivery of sync-history records from the PostgreSQL outbox to MongoDB.

A sync writes its history records to ``history_outbox`` in the same transaction as the
rankings, so nothing is lost when MongoDB is down. Delivery (right after the sync, by the Celery
task ``history_outbox_flush_task`` and by ``manage.py flush_history_outbox``) deletes a row only
after MongoDB stored it; MongoDB ignores a sync it already holds, so a record is stored once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from music.history import HistoryUnavailable, sync_history_record
from music.models import HistoryOutbox

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxFlushResult:
    delivered: int
    pending: int
    error: str | None = None  # why delivery stopped (MongoDB unreachable), else None


def _deliver(row: HistoryOutbox) -> None:
    payload = row.payload
    sync_history_record(
        spotify_id=row.user_id,
        time_range=row.time_range,
        sync_id=str(row.sync_id),
        synced_at=datetime.fromisoformat(payload["synced_at"]),
        artists=payload["artists"],
        tracks=payload["tracks"],
        genres=payload["genres"],
        genres_available=payload["genres_available"],
    )


def history_outbox_flush(*, limit: int = 500) -> OutboxFlushResult:
    """Deliver up to ``limit`` waiting history records to MongoDB, oldest first.

    Rows another flusher is delivering are skipped (row locks), so concurrent flushes never
    deliver the same row at the same time. Stops at the first MongoDB failure and records it on
    the rows still waiting.
    """
    delivered: list[int] = []
    error = None
    with transaction.atomic():
        rows = list(
            HistoryOutbox.objects.select_for_update(skip_locked=True).order_by("created_at", "id")[
                :limit
            ]
        )
        for row in rows:
            try:
                _deliver(row)
            except HistoryUnavailable as exc:
                error = str(exc) or type(exc).__name__
                break
            delivered.append(row.id)
        if delivered:
            HistoryOutbox.objects.filter(id__in=delivered).delete()
        if error:
            waiting = [row.id for row in rows if row.id not in set(delivered)]
            HistoryOutbox.objects.filter(id__in=waiting).update(
                attempts=F("attempts") + 1, last_error=error[:1000], last_attempt_at=timezone.now()
            )
            logger.warning(
                "MongoDB unreachable; %d history record(s) wait in the outbox: %s",
                len(waiting),
                error[:200],
            )
    pending = HistoryOutbox.objects.count()
    return OutboxFlushResult(delivered=len(delivered), pending=pending, error=error)
