import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from music.history import sync_history_for_user
from music.models import Track
from music.services import library_sync

pytestmark = pytest.mark.django_db


def test_admin_delete_removes_history_cache_and_catalogue_when_staff_deletes_a_user(
    admin_client, spotify_user, fake_spotify
):
    library_sync(user=spotify_user)
    assert sync_history_for_user(spotify_id="testuser123")
    assert cache.get("top:testuser123:short_term") and Track.objects.exists()

    response = admin_client.post(f"/admin/accounts/user/{spotify_user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=spotify_user.pk).exists()
    assert sync_history_for_user(spotify_id="testuser123") == []
    assert cache.get("top:testuser123:short_term") is None
    assert not Track.objects.exists()


def test_admin_bulk_delete_refuses_the_demo_account_when_selected(admin_client, db):
    from accounts.models import DEMO_SPOTIFY_ID

    demo = get_user_model().objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [demo.pk], "post": "yes"},
        follow=True,
    )
    assert get_user_model().objects.filter(pk=demo.pk).exists()
    assert "cannot be deleted" in response.content.decode()
