"""Reads of rankings, the dashboard cache and sync progress.

The dashboard renders ``top_get``'s dict, exactly the JSON stored in Redis under
``top:{spotify_id}:{time_range}`` (the seed's key format, readable with ``redis-cli GET``).
Cache keys and TTLs live here; the sync service, which writes rankings, replaces the cached
values.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from personalify.cache import cache_get, cache_set
from personalify.progress import IDLE, progress_get

from .models import SyncState, TrackArtist, UserArtist, UserTrack, genres_found
from .spotify import TimeRange

SYNC_PROGRESS = "sync"  # the kind of progress record a sync writes, per Spotify id
GENRES_PROGRESS = "genres"  # ... and a MusicBrainz genre lookup, per user id


def top_cache_key(*, spotify_id: str, time_range: str) -> str:
    return f"top:{spotify_id}:{time_range}"


# --- The dashboard payload --------------------------------------------------------------------


def genres_weighted(artists: list[dict]) -> list[dict]:
    """Genres of ranked artists, weighted by rank (rank 1 of n counts n, rank n counts 1).

    Weights sum to 1; sorted by weight, then name. Empty when no artist has a genre.
    """
    n = len(artists)
    totals: dict[str, float] = defaultdict(float)
    names: dict[str, list[str]] = defaultdict(list)
    for artist in artists:
        weight = n + 1 - artist["rank"]
        for genre in artist["genres"] or ():
            totals[genre] += weight
            names[genre].append(artist["name"])
    grand = sum(totals.values())
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [
        {"name": genre, "weight": round(total / grand, 4), "artists": names[genre]}
        for genre, total in ranked
    ]


def genres_summary(artists: list[dict]) -> dict:
    """Where one ranked list's genres came from, for the genre card: ``sources`` (``spotify``,
    ``musicbrainz``, in that order), ``unclassified`` (artists with no genre from either),
    ``unmatched`` (of those, the ones MusicBrainz was asked about and had none for) and
    ``artists`` (the list's length)."""
    used = {a.get("genres_source") for a in artists}
    unclassified = [a for a in artists if not a["genres"]]
    return {
        "sources": [s for s in ("spotify", "musicbrainz") if s in used],
        "unclassified": len(unclassified),
        "unmatched": sum(1 for a in unclassified if a.get("musicbrainz_checked")),
        "artists": len(artists),
    }


# The columns the builder reads, in the order its rows unpack them. Plain values rather than
# model instances: a sync reads back ~500 rows, and building a model per row (and per credit)
# was most of the read-back's time.
_ARTIST_COLUMNS = (
    "time_range",
    "rank",
    "artist__id",
    "artist__name",
    "artist__genres",
    "artist__musicbrainz_genres",
    "artist__musicbrainz_checked_at",
    "artist__popularity",
    "artist__image_url",
    "artist__url",
)
_TRACK_COLUMNS = (
    "time_range",
    "rank",
    "track__id",
    "track__name",
    "track__album_name",
    "track__album_type",
    "track__album_release_date",
    "track__album_image_url",
    "track__duration_ms",
    "track__explicit",
    "track__popularity",
    "track__preview_url",
    "track__url",
)


def _artist_item(row: tuple) -> dict:
    _, rank, id_, name, genres, mb_genres, mb_checked_at, popularity, image_url, url = row
    genres, source = genres_found(genres, mb_genres)
    return {
        "rank": rank,
        "id": id_,
        "name": name,
        "genres": genres,
        "genres_source": source,
        "musicbrainz_checked": mb_checked_at is not None,
        "popularity": popularity,
        "image": image_url or None,
        "url": url,
    }


def _track_item(row: tuple, credited: list[dict]) -> dict:
    (
        _,
        rank,
        id_,
        name,
        album_name,
        album_type,
        album_release_date,
        album_image_url,
        duration_ms,
        explicit,
        popularity,
        preview_url,
        url,
    ) = row
    return {
        "rank": rank,
        "id": id_,
        "name": name,
        "artists": [dict(c) for c in credited],
        "album": {
            "name": album_name,
            "type": album_type,
            "release_date": album_release_date,
            "image": album_image_url or None,
        },
        "duration_ms": duration_ms,
        "explicit": explicit,
        "popularity": popularity,
        "preview_url": preview_url,
        "url": url,
    }


def top_build_many(*, user, time_ranges=TimeRange.values) -> dict[str, dict]:
    """Build the dashboard dicts of several ranges from PostgreSQL in 4 queries in all.

    Ranges never synced successfully are left out.
    """
    states = {
        s.time_range: s
        for s in SyncState.objects.filter(
            user=user, time_range__in=time_ranges, synced_at__isnull=False
        )
    }
    if not states:
        return {}
    artists: dict[str, list[dict]] = defaultdict(list)
    for row in (
        UserArtist.objects.filter(user=user, time_range__in=states)
        .order_by("time_range", "rank")
        .values_list(*_ARTIST_COLUMNS)
    ):
        artists[row[0]].append(_artist_item(row))
    track_rows = list(
        UserTrack.objects.filter(user=user, time_range__in=states)
        .order_by("time_range", "rank")
        .values_list(*_TRACK_COLUMNS)
    )
    credited: dict[str, list[dict]] = defaultdict(list)
    if track_rows:
        for track_id, artist_id, artist_name in (
            TrackArtist.objects.filter(track_id__in={row[2] for row in track_rows})
            .order_by("position")
            .values_list("track_id", "artist__id", "artist__name")
        ):
            credited[track_id].append({"id": artist_id, "name": artist_name})
    tracks: dict[str, list[dict]] = defaultdict(list)
    for row in track_rows:
        tracks[row[0]].append(_track_item(row, credited[row[2]]))
    built = {}
    for time_range in (r for r in time_ranges if r in states):
        state = states[time_range]
        genres = genres_weighted(artists[time_range])
        built[time_range] = {
            "spotify_id": user.spotify_id,
            "time_range": time_range,
            "synced_at": state.synced_at.isoformat(),
            "artists": artists[time_range],
            "tracks": tracks[time_range],
            "genres": genres,
            "genres_available": bool(genres),
            "genres_summary": genres_summary(artists[time_range]),
        }
    return built


def top_get(*, user, time_range: str) -> dict | None:
    """The dashboard dict of one range: from the cache, else from PostgreSQL (and re-cached).

    None when the range was never synced. Works (from PostgreSQL) when Redis is down.
    """
    key = top_cache_key(spotify_id=user.spotify_id, time_range=time_range)
    cached = cache_get(key)
    if cached is not None:
        return cached
    built = top_build_many(user=user, time_ranges=(time_range,)).get(time_range)
    if built is not None:
        cache_set(key, built, settings.CACHE_TTL)
    return built


def _change_entry(item: dict, kind: str) -> dict:
    entry = {
        "id": item["id"],
        "name": item["name"],
        "url": item.get("url", ""),
        "rank": item["rank"],
    }
    if kind == "artists":
        entry["image"] = item.get("image")
    else:
        entry["image"] = (item.get("album") or {}).get("image")
        entry["artists"] = ", ".join(a["name"] for a in item.get("artists", []))
    return entry


def ranking_changes_from(*, short: dict | None, medium: dict | None) -> dict:
    """What changed between the last 6 months and the last 4 weeks, for artists and tracks,
    from the two ranges' dashboard dicts (``top_get``'s; None when never synced).

    ``rose``/``fell``: in both lists, with ``previous_rank`` (medium), ``change`` (positions
    gained, negative when fallen) and ``moved`` (its size), biggest moves first; ``new``: in the
    last 4 weeks only (``previous_rank`` None).
    """
    changes: dict = {"available": bool(short and medium)}
    for kind in ("artists", "tracks"):
        rose, fell, new = [], [], []
        if changes["available"]:
            before = {item["id"]: item["rank"] for item in medium.get(kind, [])}
            for item in short.get(kind, []):
                old = before.get(item["id"])
                change = (old or 0) - item["rank"]
                entry = {
                    **_change_entry(item, kind),
                    "previous_rank": old,
                    "change": change,
                    "moved": abs(change),
                }
                if old is None:
                    new.append(entry)
                elif old > item["rank"]:
                    rose.append(entry)
                elif old < item["rank"]:
                    fell.append(entry)
        rose.sort(key=lambda e: (-e["change"], e["rank"]))
        fell.sort(key=lambda e: (e["change"], e["rank"]))
        changes[kind] = {"rose": rose, "fell": fell, "new": new}
    return changes


def ranking_changes(*, user) -> dict:
    """``ranking_changes_from`` the user's last 4 weeks and last 6 months (cache first)."""
    return ranking_changes_from(
        short=top_get(user=user, time_range=TimeRange.SHORT),
        medium=top_get(user=user, time_range=TimeRange.MEDIUM),
    )


# --- Sync progress ----------------------------------------------------------------------------


def sync_cooldown_key(*, spotify_id: str) -> str:
    return f"sync:cooldown:{spotify_id}"


def sync_cooldown_until(*, user) -> datetime | None:
    """When "Sync now" may be pressed again (None: now). Written by sync_request."""
    if not user.spotify_id:
        return None
    until = cache_get(sync_cooldown_key(spotify_id=user.spotify_id))
    if not isinstance(until, (int, float)):
        return None
    moment = datetime.fromtimestamp(until, tz=UTC)
    return moment if moment > timezone.now() else None


def sync_progress_get(*, user) -> dict:
    """The user's sync progress record (``personalify.progress``; "unavailable": cache down)."""
    if not user.spotify_id:
        return dict(IDLE)  # no library to sync (and no shared "sync:progress:None" to read)
    return progress_get(kind=SYNC_PROGRESS, owner=user.spotify_id)


def genres_progress_get(*, user) -> dict:
    """The user's MusicBrainz genre lookup progress record (``personalify.progress``)."""
    return progress_get(kind=GENRES_PROGRESS, owner=user.pk)
