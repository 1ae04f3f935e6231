"""The fault suite: each fault injected into a real service, end to end, with what the user
saw, how long it took, and the records counted before and after (nothing lost or duplicated).
``make chaos`` runs these alone and prints the table; ``make test`` runs them too."""

from __future__ import annotations

import copy
import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from music.history import history_client_reset, sync_history_for_user
from music.models import HistoryOutbox, UserArtist, UserTrack
from music.services import history_outbox_flush, library_sync
from personalify.testing.blackhole import BlackHole
from personalify.testing.users import spotify_user_make

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]


def _records(user) -> dict:
    return {
        "rankings": UserArtist.objects.filter(user=user).count()
        + UserTrack.objects.filter(user=user).count(),
        "outbox": HistoryOutbox.objects.filter(user=user).count(),
        "history": sum(
            len(d["history"]) for d in sync_history_for_user(spotify_id=user.spotify_id)
        ),
    }


def _shown(records: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in records.items())


def _logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def synced(fake_spotify):
    user = spotify_user_make(fake_spotify)
    assert library_sync(user=user).ok
    return user


def test_redis_hung(synced, redis_hung, chaos_report):
    before = _records(synced)
    client = _logged_in(synced)
    started = time.monotonic()
    pages = [client.get(reverse("analytics:dashboard")) for _ in range(5)]
    polls = [client.get(reverse("analytics:dashboard-status")) for _ in range(5)]
    seconds = time.monotonic() - started
    assert all(p.status_code == 200 for p in pages + polls)
    assert polls[-1].json()["sync"]["state"] == "unavailable"
    after = _records(synced)
    assert after == before
    chaos_report(
        {
            "fault": "Redis hung",
            "seconds": seconds,
            "records": f"{_shown(before)} -> same",
            "user_saw": "dashboard from PostgreSQL (10 requests); sync progress 'unavailable'",
        }
    )


def test_postgresql_hung(synced, chaos_report):
    client = _logged_in(synced)
    saved = copy.deepcopy(connection.settings_dict)
    before = _records(synced)
    with BlackHole() as hole:
        connections.close_all()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=hole.port)
        connection.settings_dict["OPTIONS"] = {**saved["OPTIONS"], "connect_timeout": 2}
        try:
            started = time.monotonic()
            response = client.get(reverse("analytics:dashboard"))
            seconds = time.monotonic() - started
        finally:
            connections.close_all()
            connection.settings_dict.clear()
            connection.settings_dict.update(saved)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "database is not answering" in response.content.decode()
    assert hole.accepted >= 1
    assert _records(synced) == before
    chaos_report(
        {
            "fault": "PostgreSQL hung",
            "seconds": seconds,
            "records": f"{_shown(before)} -> same",
            "user_saw": "503 'The database is not answering right now' after connect_timeout",
        }
    )


def test_mongodb_stopped_mid_sync(fake_spotify, settings, mongo_server, chaos_report):
    user = spotify_user_make(fake_spotify)
    gate = fake_spotify.hold("/v1/me/top/tracks")
    results = {}

    def sync():
        try:
            results["sync"] = library_sync(user=user)
        finally:
            connections.close_all()

    started = time.monotonic()
    thread = threading.Thread(target=sync)
    thread.start()
    try:
        assert gate.entered.wait(30)
        settings.MONGO_URI = "mongodb://127.0.0.1:9/"  # MongoDB stops while the sync runs
        history_client_reset()
    finally:
        gate.release.set()
        thread.join(60)
    seconds = time.monotonic() - started
    try:
        assert results["sync"].ok
        during = {
            "rankings": UserArtist.objects.filter(user=user).count()
            + UserTrack.objects.filter(user=user).count(),
            "outbox": HistoryOutbox.objects.filter(user=user).count(),
        }
        history_page = _logged_in(user).get(reverse("analytics:history")).content.decode()
        assert "not reachable right now" in history_page
    finally:
        settings.MONGO_URI = mongo_server
        history_client_reset()
    assert during == {"rankings": 120, "outbox": 3}
    assert history_outbox_flush().delivered == 3
    assert history_outbox_flush().delivered == 0  # delivered once
    after = _records(user)
    assert after == {"rankings": 120, "outbox": 0, "history": 3}
    chaos_report(
        {
            "fault": "MongoDB stopped mid-sync",
            "seconds": seconds,
            "records": f"outbox 3 -> {_shown(after)}",
            "user_saw": "sync done, dashboard new; History 'not reachable' until the flush",
        }
    )


def test_broker_stopped(synced, broker_down, chaos_report):
    from music.services.sync_queue import sync_queued_key
    from personalify.cache import cache_get
    from personalify.progress import WORKER_UNAVAILABLE

    before = _records(synced)
    client = _logged_in(synced)
    started = time.monotonic()
    response = client.post(reverse("music:sync-start"), follow=True)
    seconds = time.monotonic() - started
    text = response.content.decode()
    assert response.status_code == 200
    assert WORKER_UNAVAILABLE in text
    assert cache_get(sync_queued_key(spotify_id=synced.spotify_id)) is None  # can press again
    assert _records(synced) == before
    chaos_report(
        {
            "fault": "broker stopped",
            "seconds": seconds,
            "records": f"{_shown(before)} -> same",
            "user_saw": f"'{WORKER_UNAVAILABLE}'",
        }
    )


def test_worker_killed_mid_sync(fake_spotify, mongo_server, settings, chaos_report):
    import os
    import signal
    import uuid

    import redis
    from celery.backends.redis import RedisBackend
    from celery.result import AsyncResult

    from music.selectors import sync_progress_get
    from personalify.celery import app
    from personalify.testing.worker import celery_worker_start, celery_worker_stop

    broker = settings.TEST_CELERY_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    queue = f"chaos-{uuid.uuid4().hex[:8]}"
    worker = {
        "queue": queue,
        "broker": broker,
        "db": connection.settings_dict,
        "redis_url": settings.REDIS_URL,
        "mongo_uri": mongo_server,
        "fake_spotify": fake_spotify,
        # Short lives, in the production order: the dead sync's lock expires before the
        # broker delivers its unacknowledged task again.
        "SYNC_LOCK_TTL": 2,
        "CELERY_VISIBILITY_TIMEOUT": 4,
    }
    user = spotify_user_make(fake_spotify)
    gate = fake_spotify.hold("/v1/me/top/tracks")
    first = celery_worker_start(**worker)
    second = None
    try:
        with app.connection_for_write(broker) as conn:
            sent = app.send_task(
                "music.tasks.library_sync_task", args=[user.pk], queue=queue, connection=conn
            )
        assert gate.entered.wait(60), "the worker never started the sync"
        os.kill(first.pid, signal.SIGKILL)  # mid-task, the message unacknowledged
        first.wait(10)
        killed_at = time.monotonic()
        seen_while_dead = sync_progress_get(user=user)["state"]
        gate.release.set()
        second = celery_worker_start(**worker)
        backend = RedisBackend(app=app, url=broker)
        outcome = AsyncResult(sent.id, app=app, backend=backend).get(timeout=90)
        seconds = time.monotonic() - killed_at
    finally:
        gate.release.set()
        for process in (first, second):
            if process is not None and process.poll() is None:
                celery_worker_stop(process)
    assert outcome["status"] == "synced"
    assert sync_progress_get(user=user)["state"] == "done"
    after = _records(user)
    assert after == {"rankings": 120, "outbox": 0, "history": 3}  # one sync, stored once
    chaos_report(
        {
            "fault": "worker killed mid-sync",
            "seconds": seconds,
            "records": f"none -> {_shown(after)}",
            "user_saw": f"progress '{seen_while_dead}', then 'done' when another worker "
            "took the redelivered task",
        }
    )
