"""Polling Spotify's recently played list into the archive on node B: cursor, duplicates, gaps,
node B down and back; the command, the task and the beat entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from music.models import Play, Track
from music.services.recently_played import plays_poll
from music.tasks import plays_poll_all_task
from personalify.testing.fakehttp import Reply

ARCHIVE = pytest.mark.django_db(databases=["default", "archive"])
PATH = "/v1/me/player/recently-played"
NOW = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


def millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


@ARCHIVE
def test_plays_poll_stores_the_last_plays_and_their_tracks_when_first_run(
    fake_spotify, spotify_user
):
    served = fake_spotify.recent_plays_set(count=20, newest=NOW)
    result = plays_poll(user=spotify_user)
    assert (result.status, result.fetched, result.inserted, result.gap) == ("ok", 20, 20, False)
    assert "after" not in fake_spotify.requests_to(PATH)[0].query
    plays = list(Play.objects.filter(spotify_id=spotify_user.spotify_id))
    assert len(plays) == 20 and plays[0].played_at == NOW
    assert plays[0].source == "api" and plays[0].track_id == served[0]["track"]["id"]
    assert plays[0].ms_played == served[0]["track"]["duration_ms"]
    assert Track.objects.filter(id=plays[0].track_id).exists()  # named by node A's catalogue


@ARCHIVE
def test_plays_poll_asks_only_for_plays_after_the_last_stored_one(fake_spotify, spotify_user):
    fake_spotify.recent_plays_set(count=10, newest=NOW)
    plays_poll(user=spotify_user)
    fake_spotify.recent_plays_set(count=14, newest=NOW + timedelta(seconds=4 * 210))
    result = plays_poll(user=spotify_user)
    assert fake_spotify.requests_to(PATH)[-1].query["after"] == millis(NOW)
    assert (result.fetched, result.inserted, result.duplicates) == (4, 4, 0)
    assert Play.objects.count() == 14


@ARCHIVE
def test_plays_poll_ignores_plays_already_stored_when_spotify_sends_them_again(
    fake_spotify, spotify_user
):
    served = fake_spotify.recent_plays_set(count=10, newest=NOW)
    plays_poll(user=spotify_user)
    # Spotify answers with the whole list again, the cursor notwithstanding.
    body = {"items": served, "next": None, "cursors": None, "limit": 50, "href": "x"}
    fake_spotify.inject(PATH, Reply(json=body))
    result = plays_poll(user=spotify_user)
    assert (result.status, result.fetched, result.inserted, result.duplicates) == (
        "ok",
        10,
        0,
        10,
    )
    assert Play.objects.count() == 10


@ARCHIVE
def test_plays_poll_reports_a_gap_when_more_than_50_plays_happened_since_the_last(
    fake_spotify, spotify_user
):
    fake_spotify.recent_plays_set(count=5, newest=NOW)
    plays_poll(user=spotify_user)
    fake_spotify.recent_plays_set(count=70, newest=NOW + timedelta(seconds=65 * 210))
    result = plays_poll(user=spotify_user)
    assert (result.fetched, result.inserted, result.gap) == (50, 50, True)
    assert "may be missing" in result.message
    assert Play.objects.count() == 55


@ARCHIVE
def test_plays_poll_stores_nothing_new_when_nothing_was_played(fake_spotify, spotify_user):
    fake_spotify.recent_plays_set(count=3, newest=NOW)
    plays_poll(user=spotify_user)
    result = plays_poll(user=spotify_user)
    assert (result.status, result.fetched, result.inserted) == ("ok", 0, 0)


@ARCHIVE
def test_plays_poll_reports_spotify_errors_and_stores_nothing(fake_spotify, spotify_user):
    fake_spotify.recent_plays_set(count=3, newest=NOW)
    fake_spotify.fail_5xx(PATH, times=None)
    result = plays_poll(user=spotify_user)
    assert result.status == "spotify_error" and Play.objects.count() == 0


@pytest.mark.django_db(transaction=True, databases=["default", "archive"])
def test_plays_poll_keeps_its_cursor_while_node_b_is_down_and_catches_up_after(
    fake_spotify, spotify_user, node_b_down
):
    fake_spotify.recent_plays_set(count=8, newest=NOW)
    result = plays_poll(user=spotify_user)
    assert result.status == "archive_unavailable"
    assert "Listening archive unavailable" in result.message
    assert fake_spotify.requests_to(PATH) == []  # no cursor, no fetch: nothing can be lost
    node_b_down()  # node B is back
    result = plays_poll(user=spotify_user)
    assert (result.status, result.inserted) == ("ok", 8)
    assert Play.objects.count() == 8


@ARCHIVE
def test_poll_recently_played_command_polls_one_user(fake_spotify, spotify_user):
    fake_spotify.recent_plays_set(count=6, newest=NOW)
    out = StringIO()
    call_command("poll_recently_played", "--user", spotify_user.spotify_id, stdout=out)
    assert f"{spotify_user.spotify_id}: ok, 6 fetched, 6 new, 0 already stored" in out.getvalue()
    assert "Stored 6 new plays for 1 of 1 users." in out.getvalue()


@ARCHIVE
def test_poll_recently_played_command_polls_every_active_user_but_the_demo(
    fake_spotify, spotify_user, demo_user
):
    fake_spotify.recent_plays_set(count=2, newest=NOW)
    out = StringIO()
    call_command("poll_recently_played", "--all", stdout=out)
    assert "Stored 2 new plays for 1 of 1 users." in out.getvalue()


@pytest.mark.django_db
def test_poll_recently_played_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user with Spotify id: nobody"):
        call_command("poll_recently_played", "--user", "nobody")


@ARCHIVE
def test_plays_poll_all_task_polls_each_active_user(fake_spotify, spotify_user):
    fake_spotify.recent_plays_set(count=4, newest=NOW)
    assert plays_poll_all_task() == 1  # in-process in tests: the poll ran
    assert Play.objects.count() == 4


def test_beat_polls_recently_played_every_interval():
    entry = django_settings.CELERY_BEAT_SCHEDULE["music-recently-played-poll"]
    assert entry["task"] == "music.tasks.plays_poll_all_task"
    assert entry["schedule"] == django_settings.RECENTLY_PLAYED_INTERVAL == 30 * 60
