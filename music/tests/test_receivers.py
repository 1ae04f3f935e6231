"""Deleting an account takes the user's music with it (music.receivers on accounts'
``user_deleting``): rankings, catalogue rows nobody else ranks, MongoDB history, cached lists."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from pymongo import MongoClient
from social_django.models import UserSocialAuth

from accounts.exceptions import AccountDeleteBlocked
from accounts.models import UserSession as Session
from accounts.services import account_delete
from music.history import history_client_reset

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


def _history_insert(spotify_id: str) -> None:
    from django.conf import settings

    with MongoClient(settings.MONGO_URI) as mongo:
        mongo[settings.MONGO_DB_NAME]["user_syncs"].insert_many(
            [
                {"spotify_id": spotify_id, "time_range": "short_term"},
                {"spotify_id": spotify_id, "time_range": "long_term"},
                {"spotify_id": "someone-else", "time_range": "short_term"},
            ]
        )


def _history_ids() -> list[str]:
    from django.conf import settings

    with MongoClient(settings.MONGO_URI) as mongo:
        return sorted(d["spotify_id"] for d in mongo[settings.MONGO_DB_NAME]["user_syncs"].find())


def test_account_delete_removes_user_tokens_history_cache_and_sessions(
    spotify_user, django_capture_on_commit_callbacks
):
    _history_insert("testuser123")
    cache.set("top:testuser123:short_term", {"x": 1})
    cache.set("top:testuser123:long_term", {"x": 1})
    cache.set("top:someone-else:short_term", {"x": 1})
    browser = Client()
    browser.force_login(spotify_user)
    other = get_user_model().objects.create(username="other", spotify_id="someone-else")
    Client().force_login(other)

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=spotify_user)

    assert not get_user_model().objects.filter(spotify_id="testuser123").exists()
    assert not UserSocialAuth.objects.exists()
    assert _history_ids() == ["someone-else"]
    assert cache.get("top:testuser123:short_term") is None
    assert cache.get("top:testuser123:long_term") is None
    assert cache.get("top:someone-else:short_term") == {"x": 1}
    owners = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert owners == [str(other.pk)]


def test_account_delete_keeps_everything_when_mongodb_is_down(spotify_user, settings):
    settings.MONGO_URI = "mongodb://127.0.0.1:1/"
    settings.MONGO_TIMEOUT_MS = 200
    history_client_reset()
    try:
        with pytest.raises(AccountDeleteBlocked):
            account_delete(user=spotify_user)
    finally:
        history_client_reset()
    assert get_user_model().objects.filter(pk=spotify_user.pk).exists()
    assert UserSocialAuth.objects.filter(user=spotify_user).exists()


def test_account_delete_removes_the_users_plays_from_node_b_and_keeps_others(spotify_user):
    from datetime import UTC, datetime

    from music.models import Play
    from music.services.plays import PlayRow, plays_store

    when = datetime(2026, 5, 1, tzinfo=UTC)
    plays_store(
        plays=[
            PlayRow(spotify_id="testuser123", played_at=when, track_id="t1"),
            PlayRow(spotify_id="someone-else", played_at=when, track_id="t1"),
        ]
    )
    account_delete(user=spotify_user)
    assert list(Play.objects.values_list("spotify_id", flat=True)) == ["someone-else"]


@pytest.mark.django_db(transaction=True, databases=["default", "archive"])
def test_account_delete_keeps_everything_when_node_b_is_down(spotify_user, node_b_down):
    with pytest.raises(AccountDeleteBlocked):
        account_delete(user=spotify_user)
    assert get_user_model().objects.filter(pk=spotify_user.pk).exists()


def test_account_delete_prunes_catalogue_rows_only_the_user_ranked(spotify_user, fake_spotify):
    from music.models import Artist, Track, TrackArtist, UserArtist, UserTrack
    from music.services import library_sync

    library_sync(user=spotify_user)
    other = get_user_model().objects.create(username="other", spotify_id="someone-else")
    kept_track = UserTrack.objects.filter(user=spotify_user).first().track
    kept_artist = UserArtist.objects.filter(user=spotify_user).first().artist
    UserTrack.objects.create(user=other, time_range="short_term", track=kept_track, rank=1)
    UserArtist.objects.create(user=other, time_range="short_term", artist=kept_artist, rank=1)
    credited = set(TrackArtist.objects.filter(track=kept_track).values_list("artist_id", flat=True))
    assert Track.objects.count() > 1 and Artist.objects.count() > 1

    account_delete(user=spotify_user)

    assert list(Track.objects.values_list("id", flat=True)) == [kept_track.id]
    remaining_artists = set(Artist.objects.values_list("id", flat=True))
    assert remaining_artists == credited | {kept_artist.id}
    assert set(kept_track.artists.values_list("id", flat=True)) == credited


@pytest.mark.django_db(transaction=True, databases=["default", "archive"])
def test_login_syncs_the_library_when_a_spotify_login_completes(fake_spotify):
    from accounts.tests.test_login import login
    from music.models import UserTrack

    login(Client(enforce_csrf_checks=True), fake_spotify)

    user = get_user_model().objects.get(spotify_id="testuser123")
    assert UserTrack.objects.filter(user=user).count() == 3 * 20


def test_account_delete_removes_the_uploads_of_unfinished_imports(spotify_user, tmp_path):
    from music.models import PlayImport

    left = tmp_path / "upload"
    left.mkdir()
    PlayImport.objects.create(user=spotify_user, upload_dir=str(left))
    account_delete(user=spotify_user)
    assert not left.exists() and PlayImport.objects.count() == 0


def test_account_delete_leaves_mongodb_history_alone_when_node_b_is_down(spotify_user, node_b_down):
    _history_insert("testuser123")
    with pytest.raises(AccountDeleteBlocked):
        account_delete(user=spotify_user)
    assert "testuser123" in _history_ids()  # node B goes first: nothing was deleted
