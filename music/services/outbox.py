"""Delivery of sync-history records from the PostgreSQL outbox to MongoDB.

A sync writes its history records to ``history_outbox`` in the same transaction as the
rankings, so nothing is lost when MongoDB is down. Delivery (right after the sync, by the Celery
task ``history_outbox_flush_task`` and by ``manage.py flush_history_outbox``) deletes a row only
after MongoDB stored it; MongoDB ignores a sync it already holds, so a record is stored once.

Two kinds of failure: MongoDB unreachable stops the flush (every record waits, counted); a record
MongoDB refuses (or whose payload is broken) backs off alone (``next_attempt_at``, doubling from
a minute up to 6 hours) while the others pass it, and after ``OUTBOX_MAX_ATTEMPTS`` refusals it
is parked: kept, never retried by itself, listed in the admin, where "Retry" frees it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from music.history import HistoryUnavailable, history_indexes_ensure, sync_history_record
from music.models import HistoryOutbox
from personalify.pagecache import page_version_bump

logger = logging.getLogger(__name__)

OUTBOX_MAX_ATTEMPTS = 8
OUTBOX_MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class OutboxFlushResult:
    delivered: int
    pending: int  # waiting to be delivered (parked records not included)
    error: str | None = None  # why delivery stopped (MongoDB unreachable), else None
    rejected: int = 0  # records refused in this flush, each backing off alone
    parked: int = 0  # records given up on, waiting for the admin


def _deliver(row: HistoryOutbox, *, indexes_known: bool = False) -> None:
    payload = row.payload
    sync_history_record(
        indexes_known=indexes_known,
        spotify_id=row.user_id,
        time_range=row.time_range,
        sync_id=str(row.sync_id),
        synced_at=datetime.fromisoformat(payload["synced_at"]),
        artists=payload["artists"],
        tracks=payload["tracks"],
        genres=payload["genres"],
        genres_available=payload["genres_available"],
    )
    page_version_bump(row.user_id)  # the history page shows it (row.user_id: the Spotify id)


def _deliverable(now):
    return HistoryOutbox.objects.filter(parked_at__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _rejected(row: HistoryOutbox, exc: Exception, now) -> bool:
    """Record one refusal of ``row``; True when it is now parked."""
    attempts = row.attempts + 1
    parked = attempts >= OUTBOX_MAX_ATTEMPTS
    backoff = min(OUTBOX_MAX_BACKOFF, timedelta(minutes=1) * 2 ** (attempts - 1))
    HistoryOutbox.objects.filter(id=row.id).update(
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:1000],
        last_attempt_at=now,
        next_attempt_at=None if parked else now + backoff,
        parked_at=now if parked else None,
    )
    logger.error(
        "History record %s (%s, %s) was refused (%s attempt(s)%s): %s",
        row.sync_id,
        row.user_id,
        row.time_range,
        attempts,
        ", parked for the admin" if parked else "",
        exc,
    )
    return parked


_DELIVERED = object()
_DELIVERY_THREADS = 6  # a sync's 3 records at once (each its own MongoDB document)


def _deliver_all(rows: list[HistoryOutbox]) -> list[tuple[HistoryOutbox, object]]:
    """Deliver ``rows``: ``(row, outcome)`` for each row tried, the outcome ``_DELIVERED`` or
    the exception it raised; a row not tried (MongoDB went away before it) is not listed.

    The index is asked for once, then the rows of each MongoDB document (user and time range)
    are delivered in order, the documents side by side: a sync's 3 records cost the round trips
    of one instead of three, one after the other (the rows' locks and every SQL write stay on
    the caller's thread and connection; the threads only talk to MongoDB and the cache)."""
    if not rows:
        return []
    try:
        history_indexes_ensure()
        indexes_known = True
    except Exception:  # noqa: BLE001 - unreachable or refused: each delivery asks again
        indexes_known = False
    documents: dict[tuple, list[HistoryOutbox]] = {}
    for row in rows:
        documents.setdefault((row.user_id, row.time_range), []).append(row)
    if not indexes_known:
        # One at a time, oldest first, as without the threads: a broken payload is refused
        # even while MongoDB is away, and the first sign of it being away stops the flush.
        documents = {None: rows}

    def deliver_document(document_rows: list[HistoryOutbox]) -> list[tuple]:
        outcomes: list[tuple] = []
        for row in document_rows:
            try:
                _deliver(row, indexes_known=indexes_known)
            except HistoryUnavailable as exc:
                outcomes.append((row, exc))
                break
            except Exception as exc:  # noqa: BLE001 - refused by MongoDB, or a broken payload
                outcomes.append((row, exc))
                continue
            outcomes.append((row, _DELIVERED))
        return outcomes

    def deliver_document_threaded(document_rows: list[HistoryOutbox]) -> list[tuple]:
        try:
            return deliver_document(document_rows)
        finally:
            connections.close_all()  # this thread's own, should anything have opened one

    groups = list(documents.values())
    if len(groups) == 1:
        return deliver_document(groups[0])
    workers = min(_DELIVERY_THREADS, len(groups))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="history") as pool:
        done = pool.map(deliver_document_threaded, groups)
        return [outcome for outcomes in done for outcome in outcomes]


def history_outbox_flush(*, limit: int = 500) -> OutboxFlushResult:
    """Deliver up to ``limit`` waiting history records to MongoDB, oldest first.

    Rows another flusher is delivering are skipped (row locks), so concurrent flushes never
    deliver the same row at the same time. Stops at the first sign that MongoDB is unreachable
    (each document's rows, delivered side by side with the others', stop there) and records it
    on the rows still waiting; a refused record backs off alone.
    """
    delivered: list[int] = []
    error = None
    rejected = 0
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            _deliverable(now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "id")[:limit]
        )
        tried: set[int] = set()
        for row, outcome in _deliver_all(rows):
            if isinstance(outcome, HistoryUnavailable):
                error = error or str(outcome) or type(outcome).__name__
            elif isinstance(outcome, Exception):  # refused by MongoDB, or a broken payload
                tried.add(row.id)
                rejected += 1
                _rejected(row, outcome, now)
            elif outcome is _DELIVERED:
                tried.add(row.id)
                delivered.append(row.id)
        if delivered:
            HistoryOutbox.objects.filter(id__in=delivered).delete()
        if error:
            waiting = [row.id for row in rows if row.id not in tried]
            HistoryOutbox.objects.filter(id__in=waiting).update(
                attempts=F("attempts") + 1, last_error=error[:1000], last_attempt_at=now
            )
            logger.warning(
                "MongoDB unreachable; %d history record(s) wait in the outbox: %s",
                len(waiting),
                error[:200],
            )
    counts = HistoryOutbox.objects.aggregate(  # one query for both
        pending=Count("id", filter=Q(parked_at__isnull=True)),
        parked=Count("id", filter=Q(parked_at__isnull=False)),
    )
    return OutboxFlushResult(
        delivered=len(delivered),
        pending=counts["pending"],
        error=error,
        rejected=rejected,
        parked=counts["parked"],
    )
