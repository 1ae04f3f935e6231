"""Genres for artists Spotify sends none for (development-mode apps since 2026), from MusicBrainz.

After a sync, ``genres_lookup_request`` queues ``artist_genres_lookup`` for the user: each ranked
artist without Spotify genres whose MusicBrainz answer is missing or older than
MUSICBRAINZ_REFRESH_DAYS is asked, best-ranked first, one request a second for the whole site
(``music.musicbrainz``). The answer is kept on the artist row (shared by every user who ranks it),
a "no match" too, so it is asked again only a month later. A run that cannot reach MusicBrainz,
or is told to wait longer than it may, stops there: what was found is kept, the progress says so
in words, and the rest is asked on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from music.models import Artist, UserArtist
from music.musicbrainz import (
    MusicBrainzBadResponse,
    MusicBrainzClient,
    MusicBrainzError,
    MusicBrainzRateLimited,
)
from music.selectors import GENRES_PROGRESS, genres_progress_get, top_cache_key
from music.spotify import TimeRange
from personalify.cache import CacheUnavailable, cache_call
from personalify.pagecache import page_version_bump
from personalify.progress import ACTIVE_STATES, WORKER_UNAVAILABLE, progress_set

logger = logging.getLogger(__name__)

GENRES_PER_ARTIST = 3  # the most-voted genres of an artist (Spotify sends 1 to 3)
UNREACHABLE = (
    "MusicBrainz could not be reached; genres will be looked up again after the next sync."
)
RATE_LIMITED = "MusicBrainz asked this site to slow down; the rest will be looked up later."


@dataclass
class GenresLookupResult:
    asked: int = 0  # artists looked up in this run
    found: int = 0  # of them, with genres on MusicBrainz
    unmatched: int = 0  # of them, no MusicBrainz artist or no genres there
    remaining: int = 0  # not looked up because the run stopped
    error: str = ""  # why the run stopped early, in words
    retry_after: int | None = None  # seconds, when MusicBrainz asked to wait


def genres_progress_set(*, user_id: int, state: str, **fields) -> None:
    progress_set(kind=GENRES_PROGRESS, owner=user_id, state=state, **fields)


def artists_to_look_up(*, user, now: datetime | None = None) -> list[Artist]:
    """The user's ranked artists without Spotify genres whose MusicBrainz answer is missing or
    older than MUSICBRAINZ_REFRESH_DAYS, best-ranked first (one query)."""
    now = now or timezone.now()
    stale = now - timedelta(days=settings.MUSICBRAINZ_REFRESH_DAYS)
    return list(
        Artist.objects.filter(rankings__user=user)
        .filter(Q(genres__isnull=True) | Q(genres=[]))
        .filter(Q(musicbrainz_checked_at__isnull=True) | Q(musicbrainz_checked_at__lt=stale))
        .annotate(best_rank=Min("rankings__rank"))
        .order_by("best_rank", "id")
    )


def _artist_answer(client: MusicBrainzClient, artist: Artist) -> tuple[str, list[str]]:
    """(MusicBrainz id or "", genre names) of one Spotify artist: two requests when matched;
    one at a monthly refresh of an artist matched before (unless MusicBrainz dropped it)."""
    found = client.artist_genres(mbid=artist.musicbrainz_id) if artist.musicbrainz_id else None
    if found is None:
        ref = client.artist_for_spotify(spotify_id=artist.id)
        if ref is None:
            return "", []
        found = client.artist_genres(mbid=ref.mbid)
        if found is None:
            return "", []
    return found.mbid, [g.name for g in found.genres[:GENRES_PER_ARTIST]]


def _top_caches_forget(artist_ids: set[str]) -> None:
    """The cached dashboards of everyone who ranks these artists show their old genres (or
    count them as not asked yet)."""
    spotify_ids = set(
        UserArtist.objects.filter(artist_id__in=artist_ids).values_list("user_id", flat=True)
    )
    keys = [
        top_cache_key(spotify_id=spotify_id, time_range=r)
        for spotify_id in spotify_ids
        for r in TimeRange.values
    ]
    if not keys:
        return
    try:
        cache_call("delete_many", keys)
    except CacheUnavailable:  # they expire anyway (CACHE_TTL)
        logger.warning("Could not forget %d cached top lists after a genre lookup", len(keys))
    for spotify_id in spotify_ids:
        page_version_bump(spotify_id)  # their kept pages show the genres too


def artist_genres_lookup(
    *,
    user,
    client: MusicBrainzClient | None = None,
    now: datetime | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> GenresLookupResult:
    """Look up on MusicBrainz the genres of the user's ranked artists that lack them (see the
    module docstring). Never raises for MusicBrainz errors: they end the run, logged, with a
    sentence in ``error`` and in the progress record."""
    now = now or timezone.now()
    artists = artists_to_look_up(user=user, now=now)
    result = GenresLookupResult()
    total = len(artists)

    def report(state: str, **fields) -> None:
        genres_progress_set(user_id=user.pk, state=state, done=result.asked, total=total, **fields)
        if on_progress:
            on_progress(result.asked, total)

    report("running", step="Looking up genres on MusicBrainz")
    client = client or MusicBrainzClient()
    answered: set[str] = set()
    for artist in artists:
        try:
            mbid, genres = _artist_answer(client, artist)
        except MusicBrainzBadResponse as exc:
            # One artist's odd answer is not the service being down: ask it again next run.
            logger.warning("MusicBrainz answer for artist %s not understood: %s", artist.id, exc)
            result.asked += 1
            report("running", step="Looking up genres on MusicBrainz")
            continue
        except MusicBrainzRateLimited as exc:
            logger.warning("MusicBrainz rate limit: stopping genre lookups (%s)", exc)
            result.error, result.retry_after = RATE_LIMITED, exc.retry_after
            break
        except MusicBrainzError as exc:
            logger.warning("MusicBrainz unavailable: stopping genre lookups (%s)", exc)
            result.error = UNREACHABLE
            break
        Artist.objects.filter(pk=artist.pk).update(
            musicbrainz_id=mbid, musicbrainz_genres=genres, musicbrainz_checked_at=now
        )
        answered.add(artist.pk)  # its genres, or that it has none: the cached cards change
        result.asked += 1
        result.found += bool(genres)
        result.unmatched += not genres
        report("running", step="Looking up genres on MusicBrainz")
    result.remaining = total - result.asked
    if answered:
        _top_caches_forget(answered)
    if result.error:
        retry_at = (
            (timezone.now() + timedelta(seconds=result.retry_after)).isoformat()
            if result.retry_after
            else None
        )
        report("failed", error=result.error, retry_at=retry_at)
    else:
        report("done")
    return result


def _genres_lookup_enqueue(user_id: int) -> None:
    from music.tasks import artist_genres_lookup_task

    try:
        artist_genres_lookup_task.delay(user_id)
    except Exception:  # kombu OperationalError, redis errors...: the broker is down
        logger.exception("Could not queue the genre lookup of user %s", user_id)
        genres_progress_set(user_id=user_id, state="failed", error=WORKER_UNAVAILABLE)


def genres_lookup_request(*, user) -> bool:
    """Queue a MusicBrainz genre lookup of the user's artists after the current transaction
    commits, when any of them needs one and none is queued or running. Never for the demo (it
    works offline). Never raises."""
    if user.is_demo or not user.spotify_id:
        return False
    if genres_progress_get(user=user)["state"] in ACTIVE_STATES:
        return False  # one queued or running already: it reads the new rankings when it starts
    if not artists_to_look_up(user=user):
        return False
    user_id = user.pk
    genres_progress_set(user_id=user_id, state="queued", step="Waiting to look up genres")
    transaction.on_commit(lambda: _genres_lookup_enqueue(user_id), robust=True)
    return True
