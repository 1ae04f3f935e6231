"""library_sync when a store is down or a receiver of its event fails."""

from __future__ import annotations

import pytest

from music.history import sync_history_for_user
from music.models import HistoryOutbox, SyncState, UserArtist
from music.selectors import top_cache_key
from music.services import library_sync
from music.services.sync_lock import sync_lock_key
from music.signals import library_synced

from .sync_helpers import raw_redis

pytestmark = pytest.mark.django_db


# Transactional: the sync's commit really happens, so its on-commit work really runs.
@pytest.mark.django_db(transaction=True)
def test_library_sync_succeeds_from_postgresql_when_redis_is_down(spotify_user, redis_down):
    result = library_sync(user=spotify_user)
    assert result.ok
    assert UserArtist.objects.filter(user=spotify_user).count() == 60
    assert set(SyncState.objects.values_list("status", flat=True)) == {"ok"}
    # The history was delivered after the commit: the sync got that far.
    assert not HistoryOutbox.objects.exists()
    assert len(sync_history_for_user(spotify_id=spotify_user.spotify_id)) == 3


@pytest.mark.django_db(transaction=True)
def test_library_sync_finishes_when_a_synced_receiver_fails_after_commit(spotify_user):
    from music.selectors import sync_progress_get

    def broken(sender, user, **kwargs):
        raise RuntimeError("a receiver is broken")

    library_synced.connect(broken)
    try:
        result = library_sync(user=spotify_user)
    finally:
        library_synced.disconnect(broken)
    assert result.ok
    assert sync_progress_get(user=spotify_user)["state"] == "done"
    key = top_cache_key(spotify_id=spotify_user.spotify_id, time_range="short_term")
    assert raw_redis().get(key) is not None
    assert len(sync_history_for_user(spotify_id=spotify_user.spotify_id)) == 3
    assert raw_redis().get(sync_lock_key(spotify_id=spotify_user.spotify_id)) is None


def test_library_sync_announces_the_synced_user_on_commit_when_every_range_saved(
    spotify_user, django_capture_on_commit_callbacks
):
    calls = []

    def seen(sender, user, **kwargs):
        calls.append(user.pk)

    library_synced.connect(seen)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            library_sync(user=spotify_user)
        assert calls == []  # not before the commit
        for callback in callbacks:
            callback()
    finally:
        library_synced.disconnect(seen)
    assert calls == [spotify_user.pk]


def test_library_sync_announces_nothing_when_a_range_failed(spotify_user, fake_spotify):
    calls = []

    def seen(sender, user, **kwargs):
        calls.append(user.pk)

    fake_spotify.fail_5xx("/v1/me/top/tracks", times=None)
    library_synced.connect(seen)
    try:
        result = library_sync(user=spotify_user)
    finally:
        library_synced.disconnect(seen)
    assert not result.ok
    assert calls == []
