"""The Spotify client over real HTTP against the local FakeSpotify (no mocks, no real sleeps)."""

import copy
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from music.spotify import (
    SpotifyAuthError,
    SpotifyBadRequest,
    SpotifyBadResponse,
    SpotifyClient,
    SpotifyForbidden,
    SpotifyRateLimited,
    SpotifyUnavailable,
    TimeRange,
)
from personalify.http import http_session
from personalify.testing.fakehttp import Reply


class Sleeps(list):
    """Records the waits the client asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def client_for(fake_spotify, sleeps):
    def make(fake=None, **kwargs):
        fake = fake or fake_spotify
        kwargs.setdefault("access_token", fake.access_token)
        kwargs.setdefault("base_url", fake.api_url)
        kwargs.setdefault("sleep", sleeps)
        return SpotifyClient(**kwargs)

    return make


def _refresher(fake):
    """A refresh callback that really refreshes at the fake's token endpoint."""
    calls = []

    def refresh() -> str:
        calls.append(1)
        response = http_session().post(
            f"{fake.accounts_url}/api/token",
            data={"grant_type": "refresh_token", "refresh_token": fake.refresh_token},
            auth=(fake.client_id, fake.client_secret),
        )
        return response.json()["access_token"]

    refresh.calls = calls
    return refresh


# --- shapes ------------------------------------------------------------------------------------
def test_me_returns_profile_with_email_when_full_shape(client_for):
    profile = client_for().me()
    assert profile.id == "testuser123" and profile.display_name == "Test User"
    assert profile.email == "testuser123@example.com"
    assert profile.images and profile.images[0].url.startswith("https://i.scdn.co/")


def test_me_returns_profile_without_email_when_dev_mode(fake_spotify_factory, client_for):
    fake = fake_spotify_factory(dev_mode=True)
    assert client_for(fake).me().email is None


def test_top_artists_returns_ranked_artists_with_genres_when_full_shape(client_for, fake_spotify):
    artists = client_for().top_artists(time_range="short_term", limit=50)
    assert len(artists) == 20
    expected = [a["id"] for a in fake_spotify.catalogue.ranking("artists", "short_term")]
    assert [a.id for a in artists] == expected
    assert all(a.genres is not None for a in artists)
    assert any(a.genres == () for a in artists)  # an unclassified artist: empty, not None
    assert all(isinstance(a.popularity, int) and isinstance(a.followers, int) for a in artists)
    assert artists[0].url.startswith("https://open.spotify.com/artist/")
    request = fake_spotify.requests_to("/v1/me/top/artists")[0]
    assert request.query == {"time_range": "short_term", "limit": "50", "offset": "0"}


def test_top_artists_returns_none_fields_when_dev_mode(fake_spotify_factory, client_for):
    fake = fake_spotify_factory(dev_mode=True)
    artists = client_for(fake).top_artists(time_range="medium_term")
    assert artists
    assert all(a.genres is None and a.popularity is None and a.followers is None for a in artists)


def test_top_artists_order_differs_when_time_range_differs(client_for):
    client = client_for()
    orders = {r: [a.id for a in client.top_artists(time_range=r)] for r in TimeRange.values}
    assert len({tuple(o) for o in orders.values()}) == 3
    short, medium = orders["short_term"], orders["medium_term"]
    assert set(short) - set(medium), "short term should have new entries"


def test_top_tracks_parse_album_and_artists_when_full_shape(client_for):
    tracks = client_for().top_tracks(time_range="long_term")
    assert len(tracks) == 20
    assert any(len(t.artists) == 2 for t in tracks)
    assert {t.album.release_date_precision for t in tracks} == {"day", "month", "year"}
    assert {t.album.album_type for t in tracks} == {"album", "single", "compilation"}
    assert all(isinstance(t.popularity, int) for t in tracks)
    assert any(t.preview_url for t in tracks) and any(t.explicit for t in tracks)


def test_top_tracks_have_no_popularity_or_preview_when_dev_mode(fake_spotify_factory, client_for):
    fake = fake_spotify_factory(dev_mode=True)
    tracks = client_for(fake).top_tracks(time_range="short_term", limit=10)
    assert len(tracks) == 10
    assert all(t.popularity is None and t.preview_url is None for t in tracks)


def test_top_artists_returns_n_items_when_fake_has_50(fake_spotify_factory, client_for):
    fake = fake_spotify_factory(n_items=50)
    assert len(client_for(fake).top_artists(time_range="short_term")) == 50


def test_recently_played_returns_plays_with_aware_times_when_history_exists(client_for):
    plays = client_for().recently_played(limit=5)
    assert len(plays) == 5
    assert plays[0].played_at == datetime(2026, 11, 20, 18, 4, 11, 512000, tzinfo=UTC)
    assert plays[0].context_uri.startswith("spotify:album:") and plays[1].context_uri is None


def test_recently_played_returns_empty_list_when_no_history(fake_spotify, client_for):
    empty = {"items": [], "next": None, "cursors": None, "limit": 50, "href": "x"}
    fake_spotify.inject("/v1/me/player/recently-played", Reply(json=empty))
    assert client_for().recently_played() == []


def test_top_artists_rejects_bad_arguments_when_called_wrongly(client_for):
    with pytest.raises(ValueError):
        client_for().top_artists(time_range="forever")
    with pytest.raises(ValueError):
        client_for().top_tracks(time_range="short_term", limit=51)


def test_client_serves_bundled_files_when_fake_has_a_data_dir(
    tmp_path, fake_spotify_factory, client_for
):
    source = fake_spotify_factory(n_items=7, dev_mode=True)
    source.dump(tmp_path)
    fake = fake_spotify_factory(data_dir=tmp_path, n_items=3)
    artists = client_for(fake).top_artists(time_range="long_term")
    assert [a.id for a in artists] == [
        a["id"] for a in source.catalogue.ranking("artists", "long_term")
    ]
    assert client_for(fake).recently_played(limit=50)[0].track.id


# --- errors --------------------------------------------------------------------------------------
def test_client_refreshes_once_and_retries_when_token_expired(fake_spotify, client_for):
    fake_spotify.expire_access_tokens()
    refresh = _refresher(fake_spotify)
    profile = client_for(refresh=refresh).me()
    assert profile.id == "testuser123"
    assert len(refresh.calls) == 1
    assert len(fake_spotify.requests_to("/v1/me")) == 2


def test_client_raises_auth_error_when_401_survives_refresh(fake_spotify, client_for):
    fake_spotify.fail_401(times=None)
    refresh = _refresher(fake_spotify)
    with pytest.raises(SpotifyAuthError):
        client_for(refresh=refresh).me()
    assert len(refresh.calls) == 1
    assert len(fake_spotify.requests_to("/v1/me")) == 2


def test_client_raises_auth_error_when_401_and_no_refresh_callback(fake_spotify, client_for):
    fake_spotify.fail_401()
    with pytest.raises(SpotifyAuthError) as info:
        client_for().me()
    assert info.value.status == 401 and info.value.message == "The access token expired"


def test_client_refreshes_once_when_concurrent_requests_get_401(fake_spotify, client_for):
    fake_spotify.expire_access_tokens()
    barrier = threading.Barrier(6, timeout=5)
    inner = _refresher(fake_spotify)
    calls = []

    def refresh():
        calls.append(1)
        return inner()

    client = client_for(refresh=refresh)

    def fetch(time_range):
        barrier.wait()
        return client.top_artists(time_range=time_range)

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(fetch, [*TimeRange.values] * 2))
    assert all(len(r) == 20 for r in results)
    assert len(calls) == 1


def test_client_waits_retry_after_and_retries_when_rate_limited(fake_spotify, client_for, sleeps):
    fake_spotify.fail_429("/v1/me/top/tracks", retry_after=7, times=2)
    tracks = client_for().top_tracks(time_range="short_term")
    assert len(tracks) == 20
    assert sleeps == [7, 7]
    assert len(fake_spotify.requests_to("/v1/me/top/tracks")) == 3


def test_client_raises_rate_limited_when_429_persists(fake_spotify, client_for, sleeps):
    fake_spotify.fail_429(retry_after=2, times=None)
    with pytest.raises(SpotifyRateLimited) as info:
        client_for(max_retries=3).me()
    assert info.value.retry_after == 2 and info.value.status == 429
    assert sleeps == [2, 2, 2]
    assert len(fake_spotify.requests_to("/v1/me")) == 4


def test_client_raises_rate_limited_without_waiting_when_retry_after_exceeds_bound(
    fake_spotify, client_for, sleeps, settings
):
    settings.SPOTIFY_MAX_RETRY_AFTER = 30
    fake_spotify.fail_429(retry_after=3600)
    with pytest.raises(SpotifyRateLimited) as info:
        client_for().me()
    assert info.value.retry_after == 3600 and sleeps == []


def test_client_retries_429_with_empty_body_when_no_json(fake_spotify, client_for, sleeps):
    fake_spotify.fail_429(retry_after=1, body=False)
    assert client_for().me().id == "testuser123"
    assert sleeps == [1]


def test_client_backs_off_exponentially_when_5xx(fake_spotify, client_for, sleeps):
    fake_spotify.fail_5xx(status=502, times=2)
    assert client_for(backoff=0.5).me().id == "testuser123"
    assert sleeps == [0.5, 1.0]


def test_client_raises_unavailable_when_5xx_persists(fake_spotify, client_for, sleeps):
    fake_spotify.fail_5xx(times=None)
    with pytest.raises(SpotifyUnavailable) as info:
        client_for(max_retries=2, backoff=1).me()
    assert info.value.status == 503 and sleeps == [1, 2]
    assert len(fake_spotify.requests_to("/v1/me")) == 3


def test_client_retries_when_request_times_out(fake_spotify, client_for, sleeps):
    fake_spotify.delay("/v1/me", seconds=1.0)
    client = client_for(session=http_session(timeout=0.2))
    assert client.me().id == "testuser123"
    assert len(sleeps) == 1


def test_client_raises_unavailable_when_every_attempt_times_out(fake_spotify, client_for, sleeps):
    fake_spotify.delay("/v1/me", seconds=1.0, times=None)
    client = client_for(session=http_session(timeout=0.1), max_retries=1)
    with pytest.raises(SpotifyUnavailable):
        client.me()
    assert len(sleeps) == 1


def test_client_raises_unavailable_when_nothing_listens(client_for, sleeps):
    client = client_for(
        base_url="http://127.0.0.1:9/v1", max_retries=1, session=http_session(connect_retries=0)
    )
    with pytest.raises(SpotifyUnavailable):
        client.me()


@pytest.mark.parametrize("plain_text", [False, True])
def test_client_raises_forbidden_not_allow_listed_when_user_not_registered(
    fake_spotify, client_for, plain_text
):
    fake_spotify.not_allow_listed(plain_text=plain_text)
    with pytest.raises(SpotifyForbidden) as info:
        client_for().top_artists(time_range="short_term")
    assert info.value.not_allow_listed and info.value.status == 403
    assert "may not be registered" in info.value.message


def test_client_raises_forbidden_with_spotify_message_when_scope_missing(fake_spotify, client_for):
    fake_spotify.inject(
        "/v1/me/top/artists",
        Reply(403, json={"error": {"status": 403, "message": "Insufficient client scope"}}),
    )
    with pytest.raises(SpotifyForbidden) as info:
        client_for().top_artists(time_range="short_term")
    assert info.value.message == "Insufficient client scope" and not info.value.not_allow_listed


def test_client_raises_bad_request_with_message_when_4xx(fake_spotify, client_for):
    fake_spotify.inject(
        "/v1/me", Reply(404, json={"error": {"status": 404, "message": "Not found."}})
    )
    with pytest.raises(SpotifyBadRequest) as info:
        client_for().me()
    assert info.value.status == 404 and info.value.message == "Not found."


def test_client_raises_bad_response_when_shape_is_wrong(fake_spotify, client_for):
    fake_spotify.inject("/v1/me/top/tracks", Reply(json={"items": [{"id": "x"}]}))
    with pytest.raises(SpotifyBadResponse):
        client_for().top_tracks(time_range="short_term")


def _page(items: list) -> dict:
    return {"items": items, "total": len(items), "limit": 50, "offset": 0, "next": None}


def test_top_tracks_skips_and_counts_malformed_items_when_some_lack_id_or_name(
    fake_spotify, client_for
):
    items = copy.deepcopy(fake_spotify.catalogue.ranking("tracks", "short_term"))
    items[0]["id"] = None
    items[1]["name"] = "  "
    items[2]["artists"][0]["id"] = None  # a credit the catalogue cannot store
    items[3]["id"] = "x" * 65  # longer than any Spotify id (and the catalogue's key)
    fake_spotify.inject("/v1/me/top/tracks", Reply(json=_page(items)))
    tracks = client_for().top_tracks(time_range="short_term")
    assert [t.id for t in tracks] == [t["id"] for t in items[4:]]
    assert tracks.skipped == 4


def test_top_artists_skips_and_counts_malformed_items_when_some_lack_id_or_name(
    fake_spotify, client_for
):
    items = copy.deepcopy(fake_spotify.catalogue.ranking("artists", "short_term"))
    del items[0]["id"]
    items[1]["name"] = None
    fake_spotify.inject("/v1/me/top/artists", Reply(json=_page(items)))
    artists = client_for().top_artists(time_range="short_term")
    assert [a.id for a in artists] == [a["id"] for a in items[2:]]
    assert artists.skipped == 2


def test_top_tracks_store_empty_album_fields_when_spotify_sends_nulls(fake_spotify, client_for):
    items = copy.deepcopy(fake_spotify.catalogue.ranking("tracks", "short_term"))
    items[0]["album"].update(id=None, name=None, album_type=None, release_date=None)
    items[0]["external_urls"] = None
    fake_spotify.inject("/v1/me/top/tracks", Reply(json=_page(items)))
    track = client_for().top_tracks(time_range="short_term")[0]
    assert (track.album.id, track.album.name, track.album.release_date, track.url) == ("",) * 4
    assert track.album.album_type == "album"


def test_client_raises_bad_response_when_body_is_not_json(fake_spotify, client_for):
    fake_spotify.inject("/v1/me", Reply(200, body="<html>oops</html>"))
    with pytest.raises(SpotifyBadResponse):
        client_for().me()


def test_client_never_logs_the_token_when_debug_logging(fake_spotify, client_for, caplog):
    fake_spotify.fail_5xx()
    with caplog.at_level("DEBUG"):
        client_for().me()
    assert caplog.records
    assert fake_spotify.access_token not in caplog.text


def test_parse_artist_drops_links_and_images_that_are_not_web_urls_when_spotify_sends_them():
    from music.spotify import parse_artist

    artist = parse_artist(
        {
            "id": "a1",
            "name": "Odd",
            "external_urls": {"spotify": "javascript:alert(1)"},
            "images": [
                {"url": "javascript:alert(2)", "height": 1, "width": 1},
                {"url": "https://i.scdn.co/image/ok", "height": 64, "width": 64},
            ],
        }
    )
    assert artist.url == ""
    assert [image.url for image in artist.images] == ["https://i.scdn.co/image/ok"]
