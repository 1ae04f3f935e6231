"""The fake Spotify speaks the accounts service and Web API shapes the real one does."""

import base64
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import requests

from personalify.http import http_session
from personalify.testing.spotify import FakeSpotify, bundled_file_names
from personalify.testing.spotify_data import Catalogue


def _token(fake, data, auth=None):
    return requests.post(
        f"{fake.accounts_url}/api/token",
        data=data,
        auth=auth or (fake.client_id, fake.client_secret),
        timeout=5,
    )


def _code(fake, redirect_uri="http://127.0.0.1:8000/oauth/complete/spotify/"):
    response = requests.get(
        f"{fake.accounts_url}/authorize",
        params={
            "client_id": fake.client_id,
            "response_type": "code",
            "state": "s1",
            "redirect_uri": redirect_uri,
            "scope": "user-top-read",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(redirect_uri)
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def test_fake_authorize_redirects_with_error_when_user_declines(fake_spotify):
    fake_spotify.authorize_error = "access_denied"
    response = requests.get(
        f"{fake_spotify.accounts_url}/authorize",
        params={"client_id": fake_spotify.client_id, "redirect_uri": "http://x/cb", "state": "s"},
        allow_redirects=False,
        timeout=5,
    )
    assert "error=access_denied" in response.headers["Location"]


def test_fake_token_exchanges_code_once_when_basic_auth_is_right(fake_spotify):
    code = _code(fake_spotify)
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://127.0.0.1:8000/oauth/complete/spotify/",
    }
    first = _token(fake_spotify, body)
    assert first.status_code == 200
    assert set(first.json()) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
    }
    again = _token(fake_spotify, body)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    request = fake_spotify.token_requests("authorization_code")[0]
    expected = base64.b64encode(b"test-client-id:test-client-secret").decode()
    assert request.headers["authorization"] == f"Basic {expected}"


def test_fake_token_answers_invalid_client_when_secret_is_wrong(fake_spotify):
    response = _token(
        fake_spotify,
        {"grant_type": "refresh_token", "refresh_token": fake_spotify.refresh_token},
        auth=("test-client-id", "wrong"),
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client", "error_description": "Invalid client"}


def test_fake_refresh_omits_refresh_token_when_not_rotating(fake_spotify):
    body = _token(
        fake_spotify, {"grant_type": "refresh_token", "refresh_token": fake_spotify.refresh_token}
    ).json()
    assert "refresh_token" not in body and body["access_token"] != fake_spotify.access_token


def test_fake_token_answers_injected_invalid_grant_when_refresh_token_expired(fake_spotify):
    fake_spotify.token_error("invalid_grant", "Refresh token expired")
    response = _token(
        fake_spotify, {"grant_type": "refresh_token", "refresh_token": fake_spotify.refresh_token}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Refresh token expired",
    }


def test_fake_api_answers_401_when_token_unknown(fake_spotify):
    response = http_session().get(
        f"{fake_spotify.api_url}/me", headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert response.json() == {"error": {"status": 401, "message": "Invalid access token"}}


def test_fake_api_answers_empty_page_when_offset_past_49(fake_spotify):
    response = http_session().get(
        f"{fake_spotify.api_url}/me/top/artists",
        params={"offset": 50},
        headers={"Authorization": f"Bearer {fake_spotify.access_token}"},
    )
    assert response.json()["items"] == [] and response.json()["next"] is None


def test_fake_catalogue_is_deterministic_when_built_twice():
    one, two = Catalogue(n_items=10), Catalogue(n_items=10)
    for time_range in ("short_term", "medium_term", "long_term"):
        assert one.ranking("tracks", time_range) == two.ranking("tracks", time_range)


def test_fake_dump_writes_every_bundled_file_when_asked(tmp_path):
    with FakeSpotify(n_items=5, dev_mode=True) as fake:
        written = fake.dump(tmp_path)
    assert sorted(p.name for p in written) == sorted(bundled_file_names())


def test_fake_runs_standalone_when_started_as_a_module():
    process = subprocess.Popen(
        [sys.executable, "-m", "personalify.testing.spotify", "--port", "0", "--n-items", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        accounts = process.stdout.readline().strip().split("=", 1)[1]
        api = process.stdout.readline().strip().split("=", 1)[1]
        token = process.stdout.readline().split()[2]
        assert api == f"{accounts}/v1"
        response = requests.get(
            f"{api}/me/top/tracks", timeout=5, headers={"Authorization": f"Bearer {token}"}
        )
        assert len(response.json()["items"]) == 3
    finally:
        process.terminate()
        process.wait(timeout=10)
