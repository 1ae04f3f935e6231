"""Admin pages of the catalogue, sync states (with rankings) and outbox; the sync action."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from music.history import sync_history_for_user
from music.models import Artist, HistoryOutbox, SyncState, Track
from music.services import library_sync

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


@pytest.fixture
def synced(spotify_user):
    library_sync(user=spotify_user)
    return spotify_user


@pytest.mark.parametrize("model", [Artist, Track, SyncState, HistoryOutbox])
def test_admin_changelist_renders_with_search_when_staff(admin_client, synced, model):
    url = reverse(f"admin:music_{model._meta.model_name}_changelist")
    assert admin_client.get(url, {"q": "a"}).status_code == 200


def test_admin_sync_state_page_shows_the_ranking_read_only_when_opened(admin_client, synced):
    state = SyncState.objects.get(user=synced, time_range="short_term")
    html = admin_client.get(
        reverse("admin:music_syncstate_change", args=[state.pk])
    ).content.decode()
    first = synced.ranked_artists.filter(time_range="short_term").order_by("rank").first()
    assert first.artist.name in html
    assert 'name="status"' not in html  # read-only


def test_admin_artist_page_is_read_only_when_opened(admin_client, synced):
    artist = Artist.objects.first()
    html = admin_client.get(reverse("admin:music_artist_change", args=[artist.pk])).content.decode()
    assert artist.name in html and 'name="name"' not in html


def test_admin_action_queues_a_sync_per_selected_user_when_chosen(
    admin_client, spotify_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "sync_selected_users", "_selected_action": [spotify_user.pk]},
            follow=True,
        )
    assert "Queued 1 sync" in response.content.decode()
    assert SyncState.objects.filter(user=spotify_user, status="ok").count() == 3


def test_admin_delete_removes_history_cache_and_catalogue_when_staff_deletes_a_user(
    admin_client, spotify_user, fake_spotify, django_capture_on_commit_callbacks
):
    library_sync(user=spotify_user)
    assert sync_history_for_user(spotify_id="testuser123")
    assert cache.get("top:testuser123:short_term") and Track.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/accounts/user/{spotify_user.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=spotify_user.pk).exists()
    assert sync_history_for_user(spotify_id="testuser123") == []
    assert cache.get("top:testuser123:short_term") is None
    assert not Track.objects.exists()
