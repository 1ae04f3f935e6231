"""The MusicBrainz client over HTTP against the fake MusicBrainz, on the real Redis clock."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time

import pytest

from music.musicbrainz import (
    MusicBrainzArtistRef,
    MusicBrainzBadResponse,
    MusicBrainzClient,
    MusicBrainzGenre,
    MusicBrainzRateLimited,
    MusicBrainzUnavailable,
)
from personalify.testing.fakehttp import Reply

SPOTIFY_ID = "1vStAtIcArTiStIdAaaaaa"


class Sleeps(list):
    """Records each wait and really waits (the shared clock in Redis runs on real time)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def client(fake_musicbrainz, sleeps):
    return MusicBrainzClient(sleep=sleeps)


def test_artist_for_spotify_returns_the_linked_artist_when_a_url_relation_exists(
    client, fake_musicbrainz
):
    mbid = fake_musicbrainz.add(SPOTIFY_ID, "The Velvet Static", genres={"shoegaze": 4})
    assert client.artist_for_spotify(spotify_id=SPOTIFY_ID) == MusicBrainzArtistRef(
        mbid=mbid, name="The Velvet Static"
    )
    hit = fake_musicbrainz.hits[0]
    assert hit.path == "/ws/2/url"
    assert hit.query == {
        "resource": f"https://open.spotify.com/artist/{SPOTIFY_ID}",
        "inc": "artist-rels",
        "fmt": "json",
    }


def test_client_sends_the_descriptive_user_agent_when_asking(client, fake_musicbrainz, settings):
    client.artist_for_spotify(spotify_id=SPOTIFY_ID)
    agent = fake_musicbrainz.hits[0].user_agent
    assert agent == settings.MUSICBRAINZ_USER_AGENT
    assert agent.startswith("Personalify/") and "https://" in agent


def test_artist_for_spotify_returns_none_when_musicbrainz_answers_404(client, fake_musicbrainz):
    assert client.artist_for_spotify(spotify_id="0nObOdYlInKsThIsUrL000") is None
    assert [h.status for h in fake_musicbrainz.hits] == [404]


def test_artist_for_spotify_returns_none_when_two_artists_claim_one_url(client, fake_musicbrainz):
    fake_musicbrainz.add(SPOTIFY_ID, "The Velvet Static")
    fake_musicbrainz.add(SPOTIFY_ID, "Velvet Static (tribute)")
    assert client.artist_for_spotify(spotify_id=SPOTIFY_ID) is None


def test_artist_genres_returns_genres_by_votes_when_the_artist_has_some(client, fake_musicbrainz):
    mbid = fake_musicbrainz.add(
        SPOTIFY_ID, "The Velvet Static", genres={"dream pop": 3, "shoegaze": 12, "noise pop": 3}
    )
    artist = client.artist_genres(mbid=mbid)
    assert artist.mbid == mbid and artist.name == "The Velvet Static"
    assert artist.genres == (
        MusicBrainzGenre("shoegaze", 12),
        MusicBrainzGenre("dream pop", 3),
        MusicBrainzGenre("noise pop", 3),
    )
    assert fake_musicbrainz.hits[0].query == {"inc": "genres", "fmt": "json"}


def test_artist_genres_returns_none_when_the_artist_is_unknown(client):
    assert client.artist_genres(mbid="00000000-0000-0000-0000-000000000000") is None


def test_client_waits_retry_after_and_retries_when_musicbrainz_answers_503(
    client, fake_musicbrainz, sleeps
):
    fake_musicbrainz.add(SPOTIFY_ID, "The Velvet Static")
    fake_musicbrainz.overload(retry_after=1)
    assert client.artist_for_spotify(spotify_id=SPOTIFY_ID) is not None
    first, second = fake_musicbrainz.hits
    assert (first.status, second.status) == (503, 200)
    # The retry went out only after the Retry-After second (the fake's own clock).
    assert second.at - first.at >= 1.0
    assert sum(sleeps) > 0


def test_client_raises_rate_limited_when_retry_after_is_longer_than_allowed(
    client, fake_musicbrainz, settings
):
    fake_musicbrainz.overload(retry_after=int(settings.MUSICBRAINZ_MAX_RETRY_AFTER) + 60)
    with pytest.raises(MusicBrainzRateLimited) as caught:
        client.artist_for_spotify(spotify_id=SPOTIFY_ID)
    assert caught.value.retry_after == int(settings.MUSICBRAINZ_MAX_RETRY_AFTER) + 60
    assert len(fake_musicbrainz.hits) == 1


def test_client_pauses_every_client_of_the_site_when_one_gets_503(fake_musicbrainz, sleeps):
    fake_musicbrainz.overload(retry_after=120)
    with pytest.raises(MusicBrainzRateLimited):
        MusicBrainzClient(sleep=sleeps).artist_for_spotify(spotify_id=SPOTIFY_ID)
    waits = []

    def give_up(seconds):
        waits.append(seconds)
        raise TimeoutError

    with pytest.raises(TimeoutError):
        MusicBrainzClient(sleep=give_up).artist_for_spotify(spotify_id="2aNoThErArTiSt00000000")
    assert len(fake_musicbrainz.hits) == 1  # the second client sent nothing
    assert waits[0] > 100


def test_client_raises_bad_response_when_musicbrainz_answers_malformed_json(
    client, fake_musicbrainz
):
    fake_musicbrainz.fail(
        Reply(200, body="{not json", headers={"Content-Type": "application/json"})
    )
    with pytest.raises(MusicBrainzBadResponse, match="invalid JSON"):
        client.artist_for_spotify(spotify_id=SPOTIFY_ID)


def test_client_raises_bad_response_when_a_relation_has_no_artist_id(client, fake_musicbrainz):
    body = {"id": "u", "resource": "r", "relations": [{"target-type": "artist", "artist": {}}]}
    fake_musicbrainz.fail(Reply(200, json=body))
    with pytest.raises(MusicBrainzBadResponse):
        client.artist_for_spotify(spotify_id=SPOTIFY_ID)


def test_client_raises_unavailable_when_musicbrainz_keeps_answering_500(
    client, fake_musicbrainz, settings
):
    fake_musicbrainz.fail(Reply(500, json={"error": "boom"}), times=10)
    with pytest.raises(MusicBrainzUnavailable) as caught:
        client.artist_for_spotify(spotify_id=SPOTIFY_ID)
    assert caught.value.status == 500
    assert len(fake_musicbrainz.hits) == settings.MUSICBRAINZ_MAX_RETRIES + 1


def test_client_raises_unavailable_when_nothing_listens(settings, sleeps):
    settings.MUSICBRAINZ_URL = "http://127.0.0.1:9"
    with pytest.raises(MusicBrainzUnavailable, match="did not answer"):
        MusicBrainzClient(sleep=sleeps).artist_for_spotify(spotify_id=SPOTIFY_ID)


def test_client_raises_unavailable_when_the_shared_clock_is_down(
    fake_musicbrainz, redis_down, sleeps
):
    with pytest.raises(MusicBrainzUnavailable, match="rate limit"):
        MusicBrainzClient(sleep=sleeps).artist_for_spotify(spotify_id=SPOTIFY_ID)
    assert fake_musicbrainz.hits == []


ASKER = """
import sys
import threading
import django
django.setup()
from music.musicbrainz import MusicBrainzClient
client = MusicBrainzClient(base_url=sys.argv[1], min_interval=float(sys.argv[2]))
for n in range(3):
    client.artist_for_spotify(spotify_id=f"{sys.argv[3]}{n}")
"""


def test_clients_in_two_processes_send_at_most_one_request_a_second_when_sharing_redis(
    fake_musicbrainz, settings
):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "personalify.settings.test"}
    interval = 1.1  # the production default: 1 s and a margin for the network's jitter
    askers = [
        subprocess.Popen(
            [sys.executable, "-c", ASKER, fake_musicbrainz.url, str(interval), f"proc{p}x"],
            cwd=settings.BASE_DIR,
            env=env,
        )
        for p in range(2)
    ]
    assert [asker.wait(timeout=60) for asker in askers] == [0, 0]
    hits = sorted(fake_musicbrainz.hits, key=lambda h: h.at)
    assert {h.query["resource"].rsplit("/", 1)[-1][:5] for h in hits} == {"proc0", "proc1"}
    assert len(hits) == 6
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(hits)]
    assert min(gaps) >= 1.0, gaps


def test_clients_in_two_threads_keep_one_request_a_second_when_the_cache_is_in_memory(
    fake_musicbrainz, settings
):
    # The embedded default (`make run` without Redis) is one process: its own clock suffices.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    def ask(prefix: str) -> None:
        client = MusicBrainzClient(min_interval=1.1)
        for n in range(2):
            client.artist_for_spotify(spotify_id=f"{prefix}{n}")

    threads = [threading.Thread(target=ask, args=(f"thread{t}x",)) for t in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    hits = sorted(fake_musicbrainz.hits, key=lambda h: h.at)
    assert len(hits) == 4
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(hits)]
    assert min(gaps) >= 1.0, gaps
