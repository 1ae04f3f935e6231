"""Sync start/progress endpoints, the demo button and login."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import DEMO_SPOTIFY_ID
from music.services import demo_load
from personalify.progress import WORKER_UNAVAILABLE

pytestmark = pytest.mark.django_db


def test_sync_start_redirects_anonymous_users_to_login_when_posted(client):
    response = client.post(reverse("music:sync-start"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_sync_start_refuses_get_when_requested(client, spotify_user):
    client.force_login(spotify_user)
    assert client.get(reverse("music:sync-start")).status_code == 405


def test_sync_start_requires_a_csrf_token_when_posted(spotify_user):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(spotify_user)
    assert csrf_client.post(reverse("music:sync-start")).status_code == 403


def test_sync_start_queues_and_answers_json_when_fetched(
    client, spotify_user, django_capture_on_commit_callbacks
):
    client.force_login(spotify_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
    assert response.status_code == 202
    assert response.json()["queued"] is True and response.json()["progress"]["state"] == "queued"
    assert len(callbacks) == 1


def test_sync_start_says_already_syncing_when_posted_twice(
    client, spotify_user, django_capture_on_commit_callbacks
):
    client.force_login(spotify_user)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
        response = client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert "Already syncing" in response.json()["message"]


def test_sync_start_redirects_back_with_a_message_when_posted_from_a_form(
    client, spotify_user, django_capture_on_commit_callbacks
):
    client.force_login(spotify_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("music:sync-start"), {"next": "/dashboard/?range=long_term"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/?range=long_term"


def test_sync_start_ignores_an_offsite_next_when_posted(
    client, spotify_user, django_capture_on_commit_callbacks
):
    client.force_login(spotify_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("music:sync-start"), {"next": "https://evil.example/"})
    assert response["Location"] == "/dashboard/"


# Transactional: no test transaction defers the on-commit send, as in production.
@pytest.mark.django_db(transaction=True)
def test_sync_start_says_the_worker_is_unavailable_when_the_broker_is_down(
    client, spotify_user, broker_down
):
    client.force_login(spotify_user)
    response = client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    body = response.json()
    assert body["queued"] is False
    assert body["message"] == WORKER_UNAVAILABLE
    assert body["progress"]["state"] == "failed"
    assert body["progress"]["error"] == body["message"]


@pytest.mark.django_db(transaction=True)
def test_sync_start_is_not_left_already_syncing_when_the_broker_was_down(
    client, spotify_user, broker_down
):
    client.force_login(spotify_user)
    client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
    again = client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
    # Not 409 "Already syncing" behind a queued marker nobody will pick up for 15 minutes.
    assert again.status_code == 503


@pytest.mark.django_db(transaction=True)
def test_sync_start_shows_the_worker_is_unavailable_on_the_dashboard_when_posted_from_a_form(
    client, spotify_user, broker_down
):
    client.force_login(spotify_user)
    response = client.post(reverse("music:sync-start"), {"next": "/dashboard/"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [("/dashboard/", 302)]
    assert 'class="alert alert-error"' in html
    assert WORKER_UNAVAILABLE in html


def test_sync_progress_answers_the_contract_json_when_logged_in(client, spotify_user):
    client.force_login(spotify_user)
    body = client.get(reverse("music:sync-progress")).json()
    assert set(body) == {"state", "step", "done", "total", "error", "retry_at"}


def test_sync_progress_shows_done_after_a_sync_when_polled(client, spotify_user):
    from music.services import library_sync

    library_sync(user=spotify_user)
    client.force_login(spotify_user)
    assert client.get(reverse("music:sync-progress")).json()["state"] == "done"


@pytest.fixture
def staff(django_user_model):
    """An account made with createsuperuser: no Spotify id."""
    return django_user_model.objects.create_user("staff", password="x", is_staff=True)


def test_sync_start_refuses_an_account_without_spotify_when_posted(
    client, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["queued"] is False
    assert "not linked to Spotify" in response.json()["message"]
    assert not callbacks
    # Nothing under a shared "sync:…:None" key that every such account would see.
    assert not redis.Redis.from_url(settings.REDIS_URL).keys("sync:*")


def test_sync_start_answers_400_with_the_reason_when_posted_from_a_form_without_spotify(
    client, staff
):
    client.force_login(staff)
    response = client.post(reverse("music:sync-start"))
    assert response.status_code == 400 and "not linked to Spotify" in response.content.decode()


def test_sync_progress_refuses_an_account_without_spotify_when_polled(client, staff):
    client.force_login(staff)
    response = client.get(reverse("music:sync-progress"))
    assert response.status_code == 400
    assert "not linked to Spotify" in response.json()["message"]


def test_home_offers_a_try_the_demo_post_button_when_anonymous(client):
    demo_load()
    html = client.get(reverse("home")).content.decode()
    assert f'method="post" action="{reverse("music:demo-login")}"' in html
    assert "Try the demo" in html


def test_home_offers_no_demo_when_it_is_not_loaded(client):
    html = client.get(reverse("home")).content.decode()
    assert reverse("music:demo-login") not in html and "Try the demo" not in html


def test_demo_login_tells_a_visitor_no_command_when_the_demo_is_not_loaded(client):
    response = client.post(reverse("music:demo-login"), follow=True)
    html = response.content.decode()
    assert "The demo is not available on this server right now." in html
    assert "load_demo" not in html


def test_demo_login_logs_into_the_demo_user_when_loaded(client):
    demo_load()
    response = client.post(reverse("music:demo-login"))
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get(reverse("music:sync-progress")).status_code == 200
    from django.contrib.auth import get_user

    assert get_user(client).spotify_id == DEMO_SPOTIFY_ID


def test_demo_login_tells_staff_the_command_when_the_demo_is_not_loaded(admin_client):
    response = admin_client.post(reverse("music:demo-login"), follow=True)
    assert "load_demo" in response.content.decode()


def test_sync_start_refuses_the_read_only_demo_when_posted(client):
    demo_load()
    client.post(reverse("music:demo-login"))
    response = client.post(reverse("music:sync-start"), HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and "read-only" in response.json()["message"]


# --- The import page ---------------------------------------------------------------------------
IMPORT_DB = pytest.mark.django_db(databases=["default", "archive"])


@IMPORT_DB
def test_import_page_lists_only_the_users_own_imports(alice_client, alice, bob):
    from music.models import PlayImport

    PlayImport.objects.create(
        user=alice, upload_names=["alice_export.zip"], state="done", imported=1234
    )
    PlayImport.objects.create(user=bob, upload_names=["bob_export.zip"], state="done")
    page = alice_client.get("/listening/import/")
    assert page.status_code == 200
    assert b"alice_export.zip" in page.content and b"1234" in page.content
    assert b"bob_export.zip" not in page.content


@IMPORT_DB
def test_import_page_is_linked_from_history_and_account_when_logged_in(alice_client):
    for page in ("/accounts/", "/dashboard/history/"):
        assert b'href="/listening/import/"' in alice_client.get(page).content


@IMPORT_DB
def test_import_upload_queues_the_import_and_redirects_when_the_files_are_an_export(
    alice_client, alice, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from music.models import Play
    from personalify.testing.spotify_export import extended_items, json_bytes

    settings.PLAY_IMPORT_DIR = str(tmp_path)
    upload = SimpleUploadedFile("Streaming_History_Audio_2024.json", json_bytes(extended_items(12)))
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post("/listening/import/", {"files": [upload]})
    assert response.status_code == 302 and response["Location"] == "/listening/import/"
    assert Play.objects.filter(spotify_id="alice-sp").count() == 12
    job = alice.play_imports.get()
    progress = alice_client.get(f"/listening/import/{job.pk}/progress.json").json()
    assert progress["state"] == "done" and progress["counts"]["imported"] == 12


@IMPORT_DB
def test_import_upload_shows_why_when_the_file_is_of_another_kind(alice_client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PLAY_IMPORT_DIR = str(tmp_path)
    response = alice_client.post(
        "/listening/import/", {"files": [SimpleUploadedFile("photo.png", b"\x89PNG")]}
    )
    assert response.status_code == 400
    assert b"photo.png: not a file of Spotify" in response.content
    assert list(tmp_path.iterdir()) == []


@IMPORT_DB
def test_import_upload_is_refused_before_reading_when_it_is_too_large(alice_client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PLAY_IMPORT_MAX_BYTES = 1000
    big = SimpleUploadedFile("StreamingHistory_music_0.json", b" " * (3 * 2**20))
    response = alice_client.post("/listening/import/", {"files": [big]})
    assert response.status_code == 413
    assert b"at most" in response.content


@IMPORT_DB
def test_import_progress_is_not_found_when_the_import_is_another_users(alice_client, bob):
    from music.models import PlayImport

    job = PlayImport.objects.create(user=bob, upload_names=["b.zip"])
    assert alice_client.get(f"/listening/import/{job.pk}/progress.json").status_code == 404


@IMPORT_DB
def test_import_upload_needs_a_login(client):
    response = client.post("/listening/import/", {})
    assert response.status_code == 302 and "next=/listening/import/" in response["Location"]
