"""Celery tasks: in-process, and one run by a real worker process over a Redis broker."""

from __future__ import annotations

import uuid

import pytest
import redis
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection

from accounts.models import DEMO_SPOTIFY_ID
from music.models import HistoryOutbox, SyncState, UserArtist
from music.selectors import sync_progress_get
from music.services import sync_request
from music.services.sync_lock import sync_lock_key, sync_queued_key
from music.tasks import (
    history_outbox_flush_task,
    library_sync_all_task,
    library_sync_task,
    sync_retry_countdown,
)
from personalify.celery import app
from personalify.progress import WORKER_UNAVAILABLE
from personalify.testing.users import spotify_user_make
from personalify.testing.worker import celery_worker_start, celery_worker_stop

from .sync_helpers import mongodb_down

pytestmark = pytest.mark.django_db


def test_library_sync_task_syncs_the_user_when_run(spotify_user):
    outcome = library_sync_task.apply(args=[spotify_user.pk]).get()
    assert outcome["status"] == "synced"
    assert UserArtist.objects.filter(user=spotify_user).count() == 60


def test_library_sync_task_skips_when_the_user_is_gone(db):
    assert library_sync_task.apply(args=[999999]).get()["status"] == "skipped"


def test_library_sync_task_does_not_retry_in_process_when_rate_limited(spotify_user, fake_spotify):
    fake_spotify.fail_429(retry_after=120, times=None)
    outcome = library_sync_task.apply(args=[spotify_user.pk]).get()
    assert outcome["status"] == "failed"
    assert len(fake_spotify.requests_to("/v1/me/top/artists")) == 3  # one per range, no retry


def test_sync_request_queues_the_task_on_commit_when_idle(
    spotify_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sync_request(user=spotify_user).queued is True
    assert sync_progress_get(user=spotify_user)["state"] == "queued"
    assert len(callbacks) == 1
    callbacks[0]()  # the commit happens: the (in-process) task runs
    assert sync_progress_get(user=spotify_user)["state"] == "done"


@pytest.mark.django_db(transaction=True)
def test_sync_request_clears_the_queued_marker_and_says_why_when_the_broker_is_down(
    spotify_user, broker_down
):
    outcome = sync_request(user=spotify_user)
    assert (outcome.status, outcome.queued) == ("unavailable", False)
    assert (
        redis.Redis.from_url(settings.REDIS_URL).get(
            sync_queued_key(spotify_id=spotify_user.spotify_id)
        )
        is None
    )
    progress = sync_progress_get(user=spotify_user)
    assert progress["state"] == "failed" and progress["error"] == WORKER_UNAVAILABLE


def test_sync_request_marks_the_progress_failed_at_commit_when_the_broker_is_down(
    spotify_user, broker_down, django_capture_on_commit_callbacks
):
    # Inside a transaction the send happens at commit: only the progress can tell.
    with django_capture_on_commit_callbacks(execute=True):
        assert sync_request(user=spotify_user).queued is True
    assert sync_progress_get(user=spotify_user)["state"] == "failed"
    assert sync_request(user=spotify_user).status != "busy"


def test_library_sync_keeps_the_outbox_when_mongodb_and_the_broker_are_down(
    spotify_user, settings, mongo_server, broker_down
):
    from music.history import history_client_reset
    from music.services import library_sync

    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    history_client_reset()
    try:
        result = library_sync(user=spotify_user)
    finally:
        settings.MONGO_URI = mongo_server
        history_client_reset()
    assert result.ok  # the retry of the delivery could not be queued: the schedule does it
    assert HistoryOutbox.objects.filter(user=spotify_user).count() == 3


def test_sync_request_says_already_syncing_when_one_is_queued(
    spotify_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert sync_request(user=spotify_user).queued is True
        assert sync_request(user=spotify_user).status == "busy"
    assert len(callbacks) == 1


def test_sync_request_says_already_syncing_when_one_is_running(spotify_user):
    from django.core.cache import cache

    cache.set(sync_lock_key(spotify_id=spotify_user.spotify_id), "running", 60)
    assert sync_request(user=spotify_user).status == "busy"


def test_sync_request_refuses_the_demo_user_when_asked(django_user_model):
    demo = django_user_model.objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    assert sync_request(user=demo).status == "refused"


def test_sync_request_refuses_an_account_without_spotify_when_asked(django_user_model):
    staff = django_user_model.objects.create_user("staff", password="x", is_staff=True)
    outcome = sync_request(user=staff)
    assert outcome.status == "refused" and "not linked to Spotify" in outcome.message


def test_library_sync_all_task_queues_every_spotify_user_but_the_demo_when_run(
    spotify_user, django_user_model, django_capture_on_commit_callbacks
):
    django_user_model.objects.create(username="admin")  # no Spotify id
    django_user_model.objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    django_user_model.objects.create(username="other", spotify_id="other")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert library_sync_all_task.apply().get() == 2
    assert len(callbacks) == 2


def test_beat_schedule_resyncs_every_user_daily_when_configured():
    entry = settings.CELERY_BEAT_SCHEDULE["music-library-sync-daily"]
    assert entry["task"] == library_sync_all_task.name
    assert entry["schedule"] == 24 * 60 * 60


@pytest.mark.parametrize(
    ("retry_after", "retries", "expected"),
    [(120, 0, 120), (0, 0, 1), (120, 3, None), (24 * 60 * 60, 0, None), (None, 0, None)],
)
def test_a_rate_limited_sync_is_retried_only_within_the_brokers_visibility_timeout(
    retry_after, retries, expected
):
    # A day's Retry-After used to become a countdown the Redis broker delivers twice.
    assert sync_retry_countdown(retry_after, retries=retries) == expected
    assert (
        settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        > settings.CELERY_MAX_COUNTDOWN
    )


def test_a_sync_task_is_stopped_before_its_users_lock_could_expire():
    assert library_sync_task.acks_late
    assert library_sync_task.soft_time_limit < library_sync_task.time_limit
    assert library_sync_task.time_limit < settings.SYNC_LOCK_TTL
    # A task of a dead worker is delivered again only after the dead sync's lock has expired.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.SYNC_LOCK_TTL


def test_a_flush_that_finds_mongodb_down_returns_and_leaves_the_records_to_the_schedule(
    spotify_user, settings, mongo_server
):
    from music.services import library_sync

    with mongodb_down(settings, mongo_server):
        library_sync(user=spotify_user)
        # Run as a worker runs it (not eagerly): before, it raised Retry and began a chain of
        # 10 retries, one new chain for every scheduled flush.
        assert history_outbox_flush_task.run() == {"delivered": 0, "pending": 3}
    assert HistoryOutbox.objects.count() == 3
    entry = settings.CELERY_BEAT_SCHEDULE["music-history-outbox-flush"]
    assert entry["options"]["expires"] < entry["schedule"]


def test_history_outbox_flush_task_delivers_waiting_records_when_mongodb_is_back(
    spotify_user, settings, mongo_server
):
    from music.history import sync_history_for_user
    from music.services import library_sync

    with mongodb_down(settings, mongo_server):
        library_sync(user=spotify_user)
    assert HistoryOutbox.objects.count() == 3
    assert history_outbox_flush_task.apply().get() == {"delivered": 3, "pending": 0}
    assert len(sync_history_for_user(spotify_id=spotify_user.spotify_id)) == 3


# --- A real worker ------------------------------------------------------------------------------


@pytest.fixture
def celery_worker_process(transactional_db, fake_spotify, mongo_server):
    """``celery -A personalify worker`` on the test broker, using this test's database."""
    broker = settings.TEST_CELERY_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    queue = f"sync-test-{uuid.uuid4().hex[:8]}"
    process = celery_worker_start(
        queue=queue,
        broker=broker,
        db=connection.settings_dict,
        redis_url=settings.REDIS_URL,
        mongo_uri=mongo_server,
        fake_spotify=fake_spotify,
    )
    yield queue, broker
    celery_worker_stop(process)


def test_library_sync_task_syncs_in_a_real_celery_worker_when_queued(
    celery_worker_process, fake_spotify
):
    queue, broker = celery_worker_process
    user = spotify_user_make(fake_spotify)  # committed: the worker's connection sees it
    with app.connection_for_write(broker) as conn:
        sent = app.send_task(
            "music.tasks.library_sync_task", args=[user.pk], queue=queue, connection=conn
        )
    backend = RedisBackend(app=app, url=broker)
    outcome = AsyncResult(sent.id, app=app, backend=backend).get(timeout=90)
    assert outcome["status"] == "synced"
    assert UserArtist.objects.filter(user=user).count() == 60
    assert set(SyncState.objects.filter(user=user).values_list("status", flat=True)) == {"ok"}
    assert sync_progress_get(user=user)["state"] == "done"
