"""The Genius client over HTTP against the fake Genius: shapes, errors, retries, refused pages."""

import pytest

from lyrics.genius import (
    GeniusAuthError,
    GeniusClient,
    GeniusForbidden,
    GeniusLyricsUnavailable,
    GeniusNotFound,
    GeniusPageRefused,
    GeniusRateLimited,
    GeniusUnavailable,
    page_url,
)
from personalify.testing.fakehttp import Reply

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(fake_genius, sleeps):
    return GeniusClient(sleep=sleeps.append, backoff=0.01)


def test_search_returns_songs_with_title_artist_art_and_path_when_genius_has_hits(
    client, fake_genius
):
    fake_genius.add_song("Static Hearts", "The Velvet Static", "[Verse 1]\nx")
    fake_genius.add_song("Other Song", "Someone Else", "y")
    songs = client.search("static hearts velvet")
    assert [(s.title, s.artist, s.path) for s in songs] == [
        ("Static Hearts", "The Velvet Static", "/The-velvet-static-static-hearts-lyrics")
    ]
    assert songs[0].image_url.startswith("https://images.genius.com/")
    assert songs[0].full_title == "Static Hearts by The Velvet Static"


def test_client_sends_the_token_in_the_header_never_in_the_url_when_calling_the_api(
    client, fake_genius
):
    client.search("anything")
    request = fake_genius.api.requests_to("/search")[0]
    assert request.headers["authorization"] == "Bearer test-genius-token"
    assert "access_token" not in request.query and "test-genius-token" not in str(request.query)


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_api_raises_auth_error_when_the_token_is_missing_or_wrong(fake_genius, token, settings):
    settings.GENIUS_ACCESS_TOKEN = token
    with pytest.raises(GeniusAuthError):
        GeniusClient(access_token=token or None).search("x")


def test_song_raises_not_found_when_genius_has_no_such_id(client):
    with pytest.raises(GeniusNotFound):
        client.song(1)


def test_api_raises_forbidden_when_genius_answers_403(client, fake_genius):
    fake_genius.api.route("GET", "/search", Reply(403, json={"meta": {"status": 403}}))
    with pytest.raises(GeniusForbidden):
        client.search("x")


def test_api_waits_retry_after_and_retries_when_rate_limited_briefly(client, fake_genius, sleeps):
    ok = Reply(200, json={"meta": {"status": 200}, "response": {"hits": []}})
    fake_genius.api.route("GET", "/search", [Reply(429, headers={"Retry-After": "3"}), ok])
    assert client.search("x") == []
    assert sleeps == [3]


def test_api_raises_rate_limited_with_retry_after_when_the_wait_is_too_long(client, fake_genius):
    fake_genius.api.route("GET", "/search", Reply(429, headers={"Retry-After": "120"}))
    with pytest.raises(GeniusRateLimited) as caught:
        client.search("x")
    assert caught.value.retry_after == 120


def test_api_retries_5xx_a_bounded_number_of_times_then_raises_unavailable(
    client, fake_genius, sleeps, settings
):
    fake_genius.api.route("GET", "/search", Reply(502, body="Bad gateway"))
    with pytest.raises(GeniusUnavailable):
        client.search("x")
    assert len(fake_genius.api.requests_to("/search")) == settings.LYRICS_MAX_RETRIES + 1


def test_api_raises_unavailable_when_genius_times_out(fake_genius, settings):
    settings.HTTP_TIMEOUT = 0.2
    fake_genius.api.route("GET", "/search", Reply(200, json={}, delay=1.0))
    with pytest.raises(GeniusUnavailable):
        GeniusClient(max_retries=0, sleep=lambda s: None).search("x")


def test_page_gives_the_html_when_the_path_is_on_the_genius_site(client, fake_genius):
    song = fake_genius.add_song("Static Hearts", "The Velvet Static", "[Verse 1]\nline")
    assert "data-lyrics-container" in client.page(song["path"])


def test_page_raises_unavailable_with_the_status_when_cloudflare_challenges(client, fake_genius):
    song = fake_genius.add_song("T", "A", "line", markup="challenge")
    with pytest.raises(GeniusLyricsUnavailable) as caught:
        client.page(song["path"])
    assert caught.value.status == 403
    assert not isinstance(caught.value, GeniusPageRefused)


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "evil-lyrics",
        "/\\evil.example",
        "/ok path",
        "@evil.example/x",
        "",
    ],
    ids=["absolute", "protocol-relative", "relative", "backslash", "space", "userinfo", "empty"],
)
def test_page_refuses_a_path_that_is_not_on_the_genius_site(client, fake_genius, path):
    with pytest.raises(GeniusPageRefused):
        client.page(path)
    assert fake_genius.web.requests == []


def test_page_url_refuses_a_path_that_changes_the_host_when_joined():
    with pytest.raises(GeniusPageRefused):
        page_url("https://genius.com", "@evil.example/x")
    assert page_url("https://genius.com/", "/A-b-lyrics") == "https://genius.com/A-b-lyrics"


def test_page_refuses_a_redirect_off_the_genius_host(client, fake_genius):
    song = fake_genius.add_song("T", "A", "line")
    elsewhere = f"{fake_genius.api_url}/steal"
    fake_genius.set_page(song["path"], Reply(301, headers={"Location": elsewhere}))
    with pytest.raises(GeniusPageRefused):
        client.page(song["path"])
    assert fake_genius.api.requests_to("/steal") == []


def test_page_follows_a_redirect_on_the_genius_host(client, fake_genius):
    song = fake_genius.add_song("T", "A", "[Verse 1]\nline")
    fake_genius.set_page("/old-path-lyrics", Reply(301, headers={"Location": song["path"]}))
    assert "data-lyrics-container" in client.page("/old-path-lyrics")


def test_page_refuses_a_body_over_the_size_cap(fake_genius):
    song = fake_genius.add_song("T", "A", "line " * 2000)
    with pytest.raises(GeniusPageRefused):
        GeniusClient(max_page_bytes=4096).page(song["path"])


def test_page_refuses_a_streamed_body_over_the_size_cap_without_a_declared_length(fake_genius):
    client = GeniusClient(max_page_bytes=4096)

    class NoLength:
        headers: dict = {}
        encoding = "utf-8"

        def iter_content(self, size):
            yield from [b"x" * 3000] * 3

    with pytest.raises(GeniusPageRefused):
        client._read_capped(NoLength())


def test_search_drops_links_that_are_not_http_when_genius_sends_them(client, fake_genius):
    song = fake_genius.add_song("Static Hearts", "The Velvet Static", "x")
    song["url"] = "javascript:alert(1)"
    song["song_art_image_thumbnail_url"] = "data:image/png;base64,AAAA"
    song["header_image_thumbnail_url"] = "https://images.genius.com/header.jpg"
    found = client.search("static hearts")[0]
    assert found.url == "" and found.image_url == "https://images.genius.com/header.jpg"
