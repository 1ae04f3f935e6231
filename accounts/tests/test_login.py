"""The Spotify login end to end: Django test client <-> real HTTP <-> FakeSpotify."""

import base64
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from social_django.models import UserSocialAuth

from accounts.pipeline import LOGIN_SYNC_FAILED
from accounts.services import tokens_opened
from accounts.signals import spotify_login_completed
from personalify.progress import WORKER_UNAVAILABLE
from personalify.testing.users import spotify_user_make

pytestmark = pytest.mark.django_db

REDIRECT_URI = "http://127.0.0.1:8000/oauth/complete/spotify/"


@pytest.fixture
def browser():
    """A test client that enforces CSRF like a browser would."""
    return Client(enforce_csrf_checks=True)


def _csrf(client) -> str:
    html = client.get("/").content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _begin(client, fake):
    response = client.post("/oauth/login/spotify/", {"csrfmiddlewaretoken": _csrf(client)})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{fake.accounts_url}/authorize?")
    return response


def _authorize(location: str) -> str:
    """What the browser does at Spotify: follow /authorize, get the callback URL back."""
    answer = requests.get(location, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"]


def _callback(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def login(client, fake):
    """The whole flow; returns (begin response, callback URL, final response)."""
    begin = _begin(client, fake)
    callback_url = _authorize(begin["Location"])
    return begin, callback_url, _callback(client, callback_url)


def test_login_redirects_to_dashboard_and_creates_user_when_spotify_accepts(
    browser, fake_spotify, django_user_model
):
    begin, callback_url, final = login(browser, fake_spotify)

    query = parse_qs(urlsplit(begin["Location"]).query)
    assert query["client_id"] == ["test-client-id"]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert query["scope"][0].split() == [
        "user-top-read",
        "user-read-recently-played",
        "user-read-private",
        "user-read-email",
    ]
    assert callback_url.startswith(f"{REDIRECT_URI}?code=")

    token_request = fake_spotify.token_requests("authorization_code")[0]
    basic = base64.b64encode(b"test-client-id:test-client-secret").decode()
    assert token_request.headers["authorization"] == f"Basic {basic}"
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = token_request.form()
    assert form["grant_type"] == "authorization_code"
    assert form["code"] == parse_qs(urlsplit(callback_url).query)["code"][0]
    assert form["redirect_uri"] == REDIRECT_URI
    me = fake_spotify.requests_to("/v1/me")[0]
    assert me.headers["authorization"].startswith("Bearer BQDfake-access-token-")

    assert final.status_code == 302 and final["Location"] == "/dashboard/"
    user = django_user_model.objects.get(spotify_id="testuser123")
    assert user.display_name == "Test User" and not user.needs_reauth
    assert browser.session["_auth_user_id"] == str(user.pk)


def test_login_stores_expiry_and_refresh_token_when_token_received(browser, fake_spotify):
    login(browser, fake_spotify)
    extra = tokens_opened(UserSocialAuth.objects.get(provider="spotify").extra_data)
    assert extra["expires_in"] == 3600 and extra["auth_time"]
    assert extra["refresh_token"].startswith("AQCfake-refresh-token-")


def test_login_creates_user_without_email_when_dev_mode(
    browser, fake_spotify_factory, django_user_model
):
    fake = fake_spotify_factory(dev_mode=True, display_name=None)
    _, _, final = login(browser, fake)
    assert final["Location"] == "/dashboard/"
    user = django_user_model.objects.get(spotify_id="testuser123")
    assert user.email == "" and user.display_name == ""


def test_login_refuses_get_when_not_post(client, fake_spotify):
    assert client.get("/oauth/login/spotify/").status_code == 405
    assert fake_spotify.requests == []


def test_login_clears_needs_reauth_when_user_logs_in_again(browser, fake_spotify, spotify_user):
    spotify_user.needs_reauth = True
    spotify_user.save()
    _, _, final = login(browser, fake_spotify)
    assert final["Location"] == "/dashboard/", browser.get("/").content.decode()[-3000:]
    spotify_user.refresh_from_db()
    assert not spotify_user.needs_reauth
    social = UserSocialAuth.objects.get(user=spotify_user)
    assert (
        tokens_opened(social.extra_data)["access_token"] != fake_spotify.access_token
    )  # the new token


@pytest.mark.parametrize("plain_text", [False, True])
def test_login_shows_not_allow_listed_page_when_dev_mode_refuses_user(
    browser, fake_spotify, django_user_model, plain_text
):
    fake_spotify.not_allow_listed(plain_text=plain_text)
    _, _, final = login(browser, fake_spotify)
    assert final.status_code == 302 and final["Location"] == "/accounts/login/not-allowed/"
    page = browser.get(final["Location"])
    html = page.content.decode()
    assert page.status_code == 403
    assert "User Management" in html and "at most 5 users" in html
    assert not django_user_model.objects.exists()


def test_login_shows_message_when_user_cancels_at_spotify(browser, fake_spotify):
    fake_spotify.authorize_error = "access_denied"
    _, _, final = login(browser, fake_spotify)
    assert final.status_code == 302 and final["Location"] == "/"
    assert "Spotify login was cancelled" in browser.get("/").content.decode()


def test_login_shows_message_when_session_state_is_missing(browser, fake_spotify):
    begin = _begin(browser, fake_spotify)
    callback_url = _authorize(begin["Location"])
    stranger = Client()
    final = _callback(stranger, callback_url)
    assert final.status_code == 302 and final["Location"] == "/"
    assert "Please log in again" in stranger.get("/").content.decode()


def test_login_shows_message_when_token_exchange_fails(browser, fake_spotify, settings):
    settings.SPOTIFY_CLIENT_SECRET = "wrong-secret"
    _, _, final = login(browser, fake_spotify)
    assert final.status_code == 302 and final["Location"] == "/"
    assert "did not work this time" in browser.get("/").content.decode()


def test_login_shows_message_when_spotify_is_down(browser, fake_spotify):
    fake_spotify.fail_5xx("/api/token", times=None)
    _, _, final = login(browser, fake_spotify)
    assert final.status_code == 302 and final["Location"] == "/"


def test_login_announces_the_completed_login_with_the_user_when_it_succeeds(browser, fake_spotify):
    seen = []

    def receiver(sender, user, request, **kwargs):
        seen.append((user.spotify_id, request is not None))

    spotify_login_completed.connect(receiver)
    try:
        login(browser, fake_spotify)
    finally:
        spotify_login_completed.disconnect(receiver)
    assert seen == [("testuser123", True)]


def test_login_succeeds_and_says_press_sync_now_when_a_receiver_fails(browser, fake_spotify):
    def receiver(sender, user, **kwargs):
        raise RuntimeError("the sync could not be queued")

    spotify_login_completed.connect(receiver)
    try:
        _, _, final = login(browser, fake_spotify)
    finally:
        spotify_login_completed.disconnect(receiver)
    assert final.status_code == 302 and final["Location"] == "/dashboard/"
    assert LOGIN_SYNC_FAILED in browser.get("/accounts/").content.decode()


# Transactional: the first sync is sent at once, as in production.
@pytest.mark.django_db(transaction=True)
def test_login_succeeds_and_says_the_first_sync_was_not_queued_when_the_broker_is_down(
    browser, fake_spotify, broker_down
):
    _, _, final = login(browser, fake_spotify)
    assert final.status_code == 302 and final["Location"] == "/dashboard/"
    page = browser.get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "your first sync could not be queued" in html
    assert WORKER_UNAVAILABLE in html


def test_login_never_exposes_tokens_when_logging_at_debug(browser, fake_spotify, caplog):
    caplog.set_level(logging.DEBUG)
    responses = []
    begin, callback_url, final = login(browser, fake_spotify)
    responses += [begin, final, browser.get("/"), browser.get("/accounts/"), browser.get("/about/")]
    extra = tokens_opened(UserSocialAuth.objects.get(provider="spotify").extra_data)
    secrets = [extra["access_token"], extra["refresh_token"]]
    assert all(secrets)

    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.__dict__}" for r in caplog.records)
    assert caplog.records  # the capture really ran at DEBUG
    urls = [begin["Location"], callback_url, final["Location"]]
    urls += [r.path + str(r.query) for r in fake_spotify.requests]
    cookies = str({k: v.value for k, v in browser.cookies.items()})
    for secret in secrets:
        assert secret not in logged
        assert not any(secret in url for url in urls)
        assert secret not in cookies
        for response in responses:
            assert secret not in response.content.decode()
            assert secret not in str(response.headers)


# --- The login never binds a Spotify account to the wrong user --------------------------------


def test_login_from_the_demo_session_logs_in_as_the_spotify_user_and_leaves_demo_alone(
    browser, fake_spotify, demo_user, django_user_model
):
    browser.post("/demo/", {"csrfmiddlewaretoken": _csrf(browser)})
    _, _, final = login(browser, fake_spotify)
    assert final["Location"] == "/dashboard/"
    assert not UserSocialAuth.objects.filter(user=demo_user).exists()
    demo_user.refresh_from_db()
    assert demo_user.is_demo
    person = django_user_model.objects.get(spotify_id="testuser123")
    assert browser.session["_auth_user_id"] == str(person.pk)


def test_login_as_another_spotify_account_logs_out_first_and_adds_no_second_row(
    browser, fake_spotify, django_user_model
):
    alice = spotify_user_make(fake_spotify, spotify_id="alice-spotify", username="alice")
    browser.force_login(alice)
    _, _, final = login(browser, fake_spotify)  # Spotify answers as testuser123
    assert final["Location"] == "/dashboard/"
    assert list(UserSocialAuth.objects.filter(user=alice).values_list("uid", flat=True)) == [
        "alice-spotify"
    ]
    person = django_user_model.objects.get(spotify_id="testuser123")
    assert browser.session["_auth_user_id"] == str(person.pk)


def test_login_callback_refuses_to_attach_spotify_to_the_demo_user_logged_in_meanwhile(
    browser, fake_spotify, demo_user
):
    begin = _begin(browser, fake_spotify)
    browser.force_login(demo_user)  # another tab pressed "Try the demo" during the login
    final = _callback(browser, _authorize(begin["Location"]))
    assert final.status_code == 302
    assert not UserSocialAuth.objects.filter(user=demo_user).exists()
    demo_user.refresh_from_db()
    assert demo_user.spotify_id == "personalify-demo"
    assert "cannot be attached" in browser.get("/").content.decode()


def test_login_callback_refuses_a_second_spotify_account_for_a_user_logged_in_meanwhile(
    browser, fake_spotify
):
    alice = spotify_user_make(fake_spotify, spotify_id="alice-spotify", username="alice")
    begin = _begin(browser, fake_spotify)
    browser.force_login(alice)
    _callback(browser, _authorize(begin["Location"]))
    assert UserSocialAuth.objects.filter(user=alice).count() == 1
    alice.refresh_from_db()
    assert alice.spotify_id == "alice-spotify"
