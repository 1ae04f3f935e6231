"""Dashboard fixture data: top lists in the shape of the `top:` cache entry, and stored vibes."""

from __future__ import annotations

from django.core.cache import cache
from lxml import html as lxml_html

from analytics.selectors import MOOD_PROGRESS
from music.selectors import SYNC_PROGRESS
from personalify.pagecache import page_version_bump
from personalify.progress import progress_set

GENRES = ["indie rock", "shoegaze", "dream pop", "synthpop", "art pop", "jazz", "folk", "k-pop"]
ALBUM_TYPES = ["album", "single", "compilation"]


def artist(rank: int, *, ident: str | None = None, dev_mode: bool = False) -> dict:
    ident = ident or f"artist{rank:02d}"
    return {
        "rank": rank,
        "id": ident,
        "name": f"Artist {ident}",
        "genres": []
        if dev_mode
        else [GENRES[rank % len(GENRES)], GENRES[(rank + 3) % len(GENRES)]],
        "popularity": None if dev_mode else 90 - rank,
        "image": f"https://i.scdn.co/image/{ident}",
        "url": f"https://open.spotify.com/artist/{ident}",
    }


def track(rank: int, *, ident: str | None = None, dev_mode: bool = False) -> dict:
    ident = ident or f"track{rank:02d}"
    return {
        "rank": rank,
        "id": ident,
        "name": f"Song {ident}",
        "artists": [
            {"id": f"artist{rank:02d}", "name": f"Artist artist{rank:02d}"},
            {"id": "feat", "name": "Guest Singer"},
        ],
        "album": {
            "name": f"Album of {ident}",
            "type": ALBUM_TYPES[rank % 3],
            "release_date": "2024-03-08",
            "image": None if rank == 2 else f"https://i.scdn.co/image/album-{ident}",
        },
        "duration_ms": 180_000 + rank * 1_000 + 500,
        "explicit": rank % 2 == 1,
        "popularity": None if dev_mode else 70,
        "preview_url": None,
        "url": f"https://open.spotify.com/track/{ident}",
    }


def genres_for(artists: list[dict]) -> list[dict]:
    """Rank-weighted genre counts, as the sync computes them (weights sum to 1)."""
    scores: dict[str, float] = {}
    members: dict[str, list[str]] = {}
    for a in artists:
        for g in a["genres"]:
            scores[g] = scores.get(g, 0) + 1 / a["rank"]
            members.setdefault(g, []).append(a["name"])
    total = sum(scores.values()) or 1
    ordered = sorted(scores, key=lambda g: -scores[g])
    return [{"name": g, "weight": scores[g] / total, "artists": members[g]} for g in ordered]


def top_payload(
    spotify_id: str,
    time_range: str = "short_term",
    *,
    n: int = 12,
    dev_mode: bool = False,
    artist_ids: list[str] | None = None,
    track_ids: list[str] | None = None,
) -> dict:
    artists = [
        artist(i + 1, ident=artist_ids[i] if artist_ids else None, dev_mode=dev_mode)
        for i in range(len(artist_ids) if artist_ids else n)
    ]
    tracks = [
        track(i + 1, ident=track_ids[i] if track_ids else None, dev_mode=dev_mode)
        for i in range(len(track_ids) if track_ids else n)
    ]
    genres = genres_for(artists)
    return {
        "spotify_id": spotify_id,
        "time_range": time_range,
        "synced_at": "2026-11-25T16:00:00+00:00",
        "artists": artists,
        "tracks": tracks,
        "genres": genres,
        "genres_available": bool(genres),
    }


def top_cache(payload: dict) -> dict:
    """Put a top list where the sync puts it: Redis key top:{spotify_id}:{time_range}."""
    cache.set(f"top:{payload['spotify_id']}:{payload['time_range']}", payload, timeout=3600)
    page_version_bump(payload["spotify_id"])  # as the sync does: its pages render again
    return payload


def vibe_row(user, time_range: str = "short_term", **overrides):
    """Store a vibe where the mood analysis stores it (the ``vibes`` table)."""
    from analytics.models import Vibe

    fields = {
        "sentence": "Shades of soft sadness, tender love and quiet longing",
        "top": [
            ["sadness", 0.31],
            ["love", 0.22],
            ["desire", 0.12],
            ["joy", 0.08],
            ["neutral", 0.05],
        ],
        "fine": {"sadness": 0.31, "love": 0.22},
        "coarse": {"sadness": 0.45, "joy": 0.30, "neutral": 0.25},
        "confidence": 0.61,
        "confidence_level": "medium",
        "analysed_count": 47,
        "skipped_count": 3,
        "backends": {"local": 47},
        **overrides,
    }
    return Vibe.objects.update_or_create(user=user, time_range=time_range, defaults=fields)[0]


def page(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content.decode())


def texts(tree, xpath):
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


def sync_progress(user, state, **fields):
    progress_set(kind=SYNC_PROGRESS, owner=user.spotify_id, state=state, **fields)


def mood_progress(user, state, **fields):
    progress_set(kind=MOOD_PROGRESS, owner=user.pk, state=state, **fields)
