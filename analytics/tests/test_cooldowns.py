"""Costly actions a user repeats are deduplicated or cooled down: mood refresh, Sync now."""

import pytest
from django.urls import reverse

from analytics.views.emotions import MOOD_ALREADY_QUEUED

pytestmark = pytest.mark.django_db

REFRESH = reverse("analytics:mood-refresh")
SYNC = reverse("music:sync-start")


def test_mood_refresh_queues_one_task_when_posted_fifty_times(
    alice_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        responses = [alice_client.post(REFRESH) for _ in range(50)]
    assert len(callbacks) == 1
    assert all(r.status_code == 302 for r in responses)
    page = alice_client.get(reverse("analytics:mood-detail")).content.decode()
    assert MOOD_ALREADY_QUEUED in page


def test_mood_refresh_queues_again_once_the_queued_one_has_started(
    alice_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as first:
        alice_client.post(REFRESH)  # in-process: the task runs, so it is no longer queued
    with django_capture_on_commit_callbacks(execute=False) as second:
        alice_client.post(REFRESH)
    assert len(first) == 1 and len(second) == 1


def test_sync_now_is_refused_with_the_time_left_when_pressed_again_soon(
    client, spotify_user, fake_spotify, django_capture_on_commit_callbacks
):
    client.force_login(spotify_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(SYNC, HTTP_ACCEPT="application/json")
    calls = len(fake_spotify.requests)
    with django_capture_on_commit_callbacks(execute=True) as later:
        again = [client.post(SYNC, HTTP_ACCEPT="application/json") for _ in range(4)]
    assert first.status_code == 202
    assert [r.status_code for r in again] == [429] * 4
    assert "sync again in 5 minutes" in again[0].json()["message"]
    assert later == [] and len(fake_spotify.requests) == calls


def test_sync_now_is_allowed_again_after_the_cooldown(
    client, spotify_user, settings, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-06-01 12:00:00", tick=False)
    client.force_login(spotify_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SYNC, HTTP_ACCEPT="application/json")
    time_machine.move_to("2026-06-01 12:05:01", tick=False)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(SYNC, HTTP_ACCEPT="application/json")
    assert response.status_code == 202


def test_dashboard_shows_when_sync_now_is_possible_again(
    client, spotify_user, django_capture_on_commit_callbacks
):
    client.force_login(spotify_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SYNC, HTTP_ACCEPT="application/json")
    html = client.get("/dashboard/").content.decode()
    assert "You can sync again at" in html
    form = html[html.index('id="sync-form"') :]
    assert "disabled>Sync now</button>" in form[: form.index("</form>")]


def test_daily_and_login_syncs_are_not_held_by_the_cooldown(
    spotify_user, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from music.services import sync_request
    from music.services.sync_lock import sync_queued_key

    with django_capture_on_commit_callbacks(execute=False):
        assert sync_request(user=spotify_user, cooldown=True).status == "queued"
        cache.delete(sync_queued_key(spotify_id=spotify_user.spotify_id))
        assert sync_request(user=spotify_user).status == "queued"
