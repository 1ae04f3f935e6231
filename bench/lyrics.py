"""Lyrics: the page scraper, the concurrent fetch of a user's lyrics, and the lyrics page.

- parse: a ~10 KB Genius page (current markup) through ``lyrics_from_html``, median of 200,
  beside lxml's bare parse of the same bytes by the same parser (the floor);
- fetch: the lyrics of 50 ranked tracks (40 found on LRCLib, 10 on Genius after an LRCLib miss:
  search + page) against fakes adding 100 ms to every request, at most 2 in flight per source,
  median of 3 wall times, beside 50 sequential requests to the same fake (the floor);
- page: a Genius song's lyrics page once stored and its reading cached, p95 of 300 requests
  through Django's test client, beside /about/ (the floor) in the same process.
Uses its own throwaway PostgreSQL database and MongoDB-wire server.
"""

from __future__ import annotations

import os
import statistics
import time

LATENCY = 0.1
PARSE_RUNS = 200
FETCH_RUNS = 3
PAGE_REQUESTS = 300

WORDS = [
    "I walked the empty highway with your letter in my hand",
    "The words were running down the page like rivers in the sand",
    "I said I'd never miss you, I said I'd never call",
    "But here I am at midnight staring at the wall",
    "Oh, the neon lights are buzzing and the diner's closing down",
    "There's a jukebox playing something from a better kind of town",
]


def _song(target_bytes: int) -> str:
    from personalify.testing.genius import page_html

    parts, n = [], 0
    while len(page_html("Bench Song", "Bench Band", "\n".join(parts))) < target_bytes:
        parts.append(f"[Verse {n + 1}]" if n % 5 == 0 else WORDS[n % len(WORDS)])
        n += 1
    return "\n".join(parts)


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _p95(fn, n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    times.sort()
    return times[int(0.95 * len(times)) - 1]


def _parse() -> None:
    from lxml import etree

    from lyrics.genius import lyrics_from_html
    from lyrics.genius.scraper import PARSER
    from personalify.testing.genius import page_html

    page = page_html("Bench Song", "Bench Band", _song(10 * 1024))
    raw = page.encode()
    lyrics_from_html(raw)  # warm-up
    ours = _median(lambda: lyrics_from_html(raw, title="Bench Song"), PARSE_RUNS)
    floor = _median(lambda: etree.fromstring(raw, PARSER), PARSE_RUNS)
    print(
        f"parse a {len(raw) / 1024:.1f} KB Genius page, median of {PARSE_RUNS}: "
        f"{ours * 1000:.2f} ms; bare lxml parse (same parser) {floor * 1000:.2f} ms; "
        f"ratio {ours / floor:.2f}x"
    )


def run() -> None:
    _parse()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from lyrics.lrclib import LRCLibClient
    from lyrics.models import TrackLyrics
    from lyrics.services import lyrics_fetch_for_user, sources_default
    from music import history
    from music.models import Track, UserTrack
    from music.services import library_sync
    from music.spotify import SpotifyClient
    from personalify.celery import app as celery_app
    from personalify.localmongo import LocalMongo
    from personalify.testing.genius import FakeGenius
    from personalify.testing.lrclib import FakeLRCLib
    from personalify.testing.spotify import FakeSpotify

    # The mood a lyrics fetch queues goes to a broker nobody consumes: not part of the fetch.
    saved_celery = {k: celery_app.conf[k] for k in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url="memory://")
    saved = {k: getattr(settings, k) for k in ("LRCLIB_URL", "GENIUS_API_URL", "GENIUS_WEB_URL")}
    connection.settings_dict["TEST"]["NAME"] = f"bench_personalify_lyrics_{os.getpid()}"
    mongo = LocalMongo().start()
    settings.MONGO_URI = mongo.uri
    history.history_client_reset()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    spotify = FakeSpotify(n_items=50, user_id="bench-lyrics").start()
    lrclib = FakeLRCLib(latency=LATENCY).start()
    genius = FakeGenius(latency=LATENCY, token=settings.GENIUS_ACCESS_TOKEN).start()
    settings.LRCLIB_URL = lrclib.url
    settings.GENIUS_API_URL, settings.GENIUS_WEB_URL = genius.api_url, genius.web_url
    try:
        user = get_user_model().objects.create(username="bench-lyrics", spotify_id="bench-lyrics")
        client = SpotifyClient(access_token=spotify.access_token, base_url=spotify.api_url)
        assert library_sync(user=user, client=client, time_ranges=("short_term",)).ok
        ids = UserTrack.objects.filter(user=user).values_list("track_id", flat=True)
        tracks = list(Track.objects.filter(id__in=list(ids)).prefetch_related("credits__artist"))
        assert len(tracks) == 50, len(tracks)
        for i, track in enumerate(tracks):
            artist = sorted(track.credits.all(), key=lambda c: c.position)[0].artist.name
            words = "\n".join(WORDS[(i + k) % len(WORDS)] for k in range(8))
            if i < 40:
                lrclib.add(
                    track.name, artist, track.album_name, track.duration_ms / 1000, plain=words
                )
            else:
                genius.add_song(track.name, artist, f"[Verse 1]\n{words}")

        def fetch_all():
            result = lyrics_fetch_for_user(user=user, force=True, sources=sources_default())
            assert result.statuses == {"found": 50}, result.statuses

        fetch_all()  # warm-up: connections, rows
        concurrent = _median(fetch_all, FETCH_RUNS)
        plain = LRCLibClient()
        first = tracks[0]
        artist = sorted(first.credits.all(), key=lambda c: c.position)[0].artist.name

        def sequential():
            for _ in range(50):
                plain.get(
                    track_name=first.name,
                    artist_name=artist,
                    album_name=first.album_name,
                    duration=first.duration_ms // 1000,
                )

        floor = _median(sequential, FETCH_RUNS)
        requests = 50 + 2 * 10
        print(
            f"fetch lyrics of 50 tracks ({requests} requests, {LATENCY * 1000:.0f} ms added each,"
            f" {settings.LYRICS_IN_FLIGHT} in flight per source), median of {FETCH_RUNS}: "
            f"{concurrent:.2f} s; 50 sequential requests {floor:.2f} s; "
            f"ratio {concurrent / floor:.2f}x"
        )
        assert TrackLyrics.objects.filter(status="found").count() == 50

        # The lyrics page, once the song is stored and its reading cached.
        lrclib.server.latency = genius.api.latency = genius.web.latency = 0.0
        song = genius.add_song("Bench Song", "Bench Band", _song(4 * 1024))
        browser = Client()
        browser.force_login(user)
        url = f"/lyrics/genius/{song['id']}/"
        assert browser.get(url).status_code == 200  # fetch, store, read, cache
        for _ in range(20):
            browser.get(url)
            browser.get("/about/")

        def page():
            assert browser.get(url).status_code == 200

        def about():
            assert browser.get("/about/").status_code == 200

        page_p95, about_p95 = _p95(page, PAGE_REQUESTS), _p95(about, PAGE_REQUESTS)
        print(
            f"lyrics page once cached, p95 of {PAGE_REQUESTS} (in-process test client): "
            f"{page_p95 * 1000:.1f} ms; /about/ {about_p95 * 1000:.1f} ms; "
            f"ratio {page_p95 / about_p95:.2f}x"
        )
    finally:
        for fake in (spotify, lrclib, genius):
            fake.stop()
        for key, value in saved.items():
            setattr(settings, key, value)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        history.history_client_reset()
        mongo.stop()
        celery_app.conf.update(saved_celery)
        cache.clear()  # the benchmarks' own Redis database (see bench/__main__.py)
