"""What the dashboard shows, shaped from cached plain data only.

Everything here reads `music.selectors.top_get` (the `top:{spotify_id}:{time_range}` Redis
entry), the sync and mood progress records (also in Redis) and the vibe. A cached dashboard
therefore touches no PostgreSQL table; a cache miss costs what `top_get` costs, a constant
number of queries.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from lyrics.selectors import LYRICS_PROGRESS, lyrics_progress_get
from music import selectors
from music.spotify import TimeRange
from personalify.cache import (
    cache_bytes_get,
    cache_bytes_set,
    cache_delete,
    cache_get,
    cache_set,
)
from personalify.progress import progress_key, progress_shown

from . import selectors as analytics_selectors
from .share import SHARE_CODE_VERSION, share_card_render, share_picture_sources
from .share_images import share_image_get

RANGES = dict(TimeRange.choices)
DEFAULT_RANGE = TimeRange.SHORT.value
SHARE_KINDS = {"artists": "Top artists", "tracks": "Top tracks", "genres": "Top genres"}
ALBUM_TYPES = {"album": "Album", "single": "Single", "compilation": "Compilation", "ep": "EP"}
LIST_GENRES = 10
CHANGES_LIMIT = 5
CHANGE_GROUPS = {"rose": "Rose", "fell": "Fell", "new": "New"}
# "What changed" sets the range shown against its neighbour, the more recent period first: the
# last year has no longer neighbour, so it shows what the last 6 months changed in it.
CHANGE_PAIRS = {
    TimeRange.SHORT.value: (TimeRange.SHORT.value, TimeRange.MEDIUM.value),
    TimeRange.MEDIUM.value: (TimeRange.MEDIUM.value, TimeRange.LONG.value),
    TimeRange.LONG.value: (TimeRange.MEDIUM.value, TimeRange.LONG.value),
}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _changes_shown(changes: dict, *, recent: str, baseline: str) -> dict:
    """``selectors.ranking_changes_from`` as the dashboard shows it: the two periods compared,
    the biggest moves of each group, whether anything moved, and the same as nested lists the
    template can loop over."""
    shown: dict = {
        "available": changes["available"],
        "recent_label": RANGES[recent],
        "baseline_label": RANGES[baseline],
    }
    for kind in ("artists", "tracks"):
        shown[kind] = {group: changes[kind][group][:CHANGES_LIMIT] for group in CHANGE_GROUPS}
    shown["empty"] = not any(
        shown[kind][group] for kind in ("artists", "tracks") for group in CHANGE_GROUPS
    )
    shown["sections"] = [
        {
            "kind": kind,
            "label": label,
            "groups": [
                {"key": key, "heading": heading, "entries": shown[kind][key]}
                for key, heading in CHANGE_GROUPS.items()
            ],
            "moved": any(shown[kind][key] for key in CHANGE_GROUPS),
        }
        for kind, label in (("artists", "Artists"), ("tracks", "Tracks"))
    ]
    return shown


def _genres_shown(genres: list[dict]) -> list[dict]:
    """The top genres, each with ``percent`` (its share of the weight) and ``bar`` (its bar's
    width: the top genre's bar is full, the others are measured against it)."""
    top = max((g["weight"] for g in genres), default=0) or 1
    return [
        {**g, "percent": round(100 * g["weight"]), "bar": round(100 * g["weight"] / top)}
        for g in genres
    ]


def _tracks(tracks: list[dict]) -> list[dict]:
    shaped = []
    for track in tracks:
        album = track.get("album") or {}
        seconds = round((track.get("duration_ms") or 0) / 1000)
        shaped.append(
            {
                **track,
                "artist_names": ", ".join(a["name"] for a in track.get("artists", [])),
                "album_type_label": ALBUM_TYPES.get(album.get("type", ""), ""),
                "duration": f"{seconds // 60}:{seconds % 60:02d}",
            }
        )
    return shaped


# The vibe lives in PostgreSQL; the dashboard keeps a copy next to its top lists so a cached page
# reads no table. analytics.receivers forgets it whenever a Vibe row is saved or deleted.
NO_VIBE = {"vibe": None}


def vibe_cache_key(*, user_id: int, time_range: str) -> str:
    return f"dashboard:vibe:v2:{user_id}:{time_range}"  # v2: scores in percent


def vibe_cached_get(*, user, time_range: str) -> dict | None:
    key = vibe_cache_key(user_id=user.pk, time_range=time_range)
    cached = cache_get(key)
    if cached is not None:
        return cached.get("vibe")
    vibe = analytics_selectors.vibe_get(user=user, time_range=time_range)
    cache_set(key, {"vibe": vibe} if vibe else NO_VIBE, settings.CACHE_TTL)
    return vibe


def vibe_cache_forget(*, user_id: int, time_range: str) -> None:
    cache_delete(vibe_cache_key(user_id=user_id, time_range=time_range))


def mood_get(*, user, time_range: str) -> dict:
    """The vibe (``analytics.selectors.vibe_shown``), the progress of the mood analysis and of
    the lyrics fetch it reads from."""
    vibe = vibe_cached_get(user=user, time_range=time_range)
    progress = progress_shown(analytics_selectors.mood_progress_get(user=user))
    lyrics = progress_shown(lyrics_progress_get(user=user))
    return {"vibe": vibe, "progress": progress, "lyrics": lyrics}


def dashboard_keys(*, user, time_range: str) -> list[str]:
    """Every cache key ``dashboard_get`` and ``grid_html`` read, for one ``cache_prefetch``."""
    spotify_id = user.spotify_id
    ranges = {time_range, TimeRange.SHORT.value, TimeRange.MEDIUM.value}
    return [
        *(selectors.top_cache_key(spotify_id=spotify_id, time_range=r) for r in sorted(ranges)),
        vibe_cache_key(user_id=user.pk, time_range=time_range),
        progress_key(kind=selectors.SYNC_PROGRESS, owner=spotify_id),
        progress_key(kind=analytics_selectors.MOOD_PROGRESS, owner=user.pk),
        progress_key(kind=LYRICS_PROGRESS, owner=user.pk),
        progress_key(kind=selectors.GENRES_PROGRESS, owner=user.pk),
        selectors.sync_cooldown_key(spotify_id=spotify_id),
        grid_cache_key(spotify_id=spotify_id, time_range=time_range),
    ]


GENRE_SOURCES = {"spotify": "Spotify", "musicbrainz": "MusicBrainz"}


def genre_info_get(*, top: dict | None, lookup: dict) -> dict:
    """What the genre card says about its genres: where they came from (``source``: "Spotify",
    "MusicBrainz" or "Spotify and MusicBrainz"; "" when none), how many ranked artists have
    none (``unclassified``), of which MusicBrainz had none for (``unmatched``), and the
    MusicBrainz lookup's progress (``lookup``, ``progress_shown``)."""
    summary = (top or {}).get("genres_summary") or {}
    sources = [GENRE_SOURCES[s] for s in summary.get("sources", []) if s in GENRE_SOURCES]
    return {
        "source": " and ".join(sources),
        "from_musicbrainz": "MusicBrainz" in sources,
        "unclassified": summary.get("unclassified", 0),
        "unmatched": summary.get("unmatched", 0),
        "artists": summary.get("artists", len((top or {}).get("artists", []))),
        "lookup": progress_shown(lookup),
    }


def _ranking_stamp(*, user, time_range: str, ranking) -> str:
    """What tells the other ranking of "what changed" (not the shown one) apart, for the version
    of the kept sections: a digest of the bytes Redis holds for it, so a page whose sections are
    kept never decodes that ranking's JSON (40 KB); else its sync time, from ``ranking`` (read
    in full, from PostgreSQL if need be)."""
    key = selectors.top_cache_key(spotify_id=user.spotify_id, time_range=time_range)
    stored = cache_bytes_get(key)
    if stored is not None:
        return hashlib.sha1(stored, usedforsecurity=False).hexdigest()
    return str((ranking(time_range) or {}).get("synced_at"))


def dashboard_get(*, user, time_range: str) -> dict:
    """Everything the dashboard page renders for one user and time range."""
    top = selectors.top_get(user=user, time_range=time_range)
    recent_range, baseline_range = CHANGE_PAIRS[time_range]

    others: dict[str, dict | None] = {}

    def ranking(other: str) -> dict | None:
        if other == time_range:
            return top
        if other not in others:  # once: without a cache, each read is 4 queries
            others[other] = selectors.top_get(user=user, time_range=other)
        return others[other]

    # Only the sections' template (``grid_html``) reads the changes and the tracks' shown form,
    # and with them the other ranking: worked out when it renders, not on every view whose
    # sections come from the cache.
    changes = SimpleLazyObject(
        lambda: _changes_shown(
            # The selector's "short" is the more recent period of the two, "medium" the longer.
            selectors.ranking_changes_from(
                short=ranking(recent_range), medium=ranking(baseline_range)
            ),
            recent=recent_range,
            baseline=baseline_range,
        )
    )
    data: dict = {
        "time_range": time_range,
        "range_label": RANGES[time_range],
        "ranges": RANGES,
        "top": top,
        "synced": top is not None,
        "synced_at": _parse_time(top["synced_at"]) if top else None,
        "artists": top["artists"] if top else [],
        "tracks": SimpleLazyObject(lambda: _tracks(top["tracks"])) if top else [],
        "genres": _genres_shown(top["genres"][:LIST_GENRES]) if top else [],
        "genres_available": bool(top and top.get("genres_available")),
        "genre_info": genre_info_get(top=top, lookup=selectors.genres_progress_get(user=user)),
        "popularity_shown": any(a.get("popularity") is not None for a in top["artists"])
        if top
        else False,
        "changes": changes,
        "changes_version": "|".join(
            str((top or {}).get("synced_at"))
            if r == time_range
            else _ranking_stamp(user=user, time_range=r, ranking=ranking)
            for r in (recent_range, baseline_range)
        ),
        "sync": progress_shown(selectors.sync_progress_get(user=user)),
        "sync_again_at": selectors.sync_cooldown_until(user=user),
        "mood": mood_get(user=user, time_range=time_range),
        "share_kinds": SHARE_KINDS,
        "read_only": user.is_demo,
    }
    data["empty"] = bool(top) and not top["artists"] and not top["tracks"]
    data["synced_just_now"] = bool(
        data["synced_at"] and timezone.now() - data["synced_at"] < timedelta(minutes=1)
    )
    return data


def page_seconds(data: dict) -> int:
    """How long the rendered dashboard may be kept: it says "synced just now" for a minute
    after a sync, and offers "Sync now" again when the cooldown ends."""
    now = timezone.now()
    moments = [data["sync_again_at"]]
    if data["synced_at"]:
        moments.append(data["synced_at"] + timedelta(minutes=1))
    ahead = [(m - now).total_seconds() for m in moments if m and m > now]
    return max(1, int(min(ahead)) + 1) if ahead else settings.PAGE_CACHE_SECONDS


def _diff(now: list[str], before: list[str] | None) -> dict:
    if before is None:
        return {"entered": [], "left": []}
    return {
        "entered": [name for name in now if name not in before],
        "left": [name for name in before if name not in now],
    }


HISTORY_PER_PAGE = 20


def history_get(documents: list[dict] | None, *, page: int = 1) -> dict:
    """Past syncs per time range, newest first, each with what entered or left its top 5;
    ``HISTORY_PER_PAGE`` syncs per range on a page (``page`` 1 is the newest).

    ``documents`` is `music.history.sync_history_for_user`'s answer (None: MongoDB is down).
    """
    if documents is None:
        return {"available": False, "ranges": []}
    by_range = {doc["time_range"]: doc for doc in documents}
    longest = max((len(doc.get("history", [])) for doc in documents), default=0)
    pages = max(1, -(-longest // HISTORY_PER_PAGE))
    page = min(max(1, page), pages)
    ranges = []
    for time_range, label in RANGES.items():
        document = by_range.get(time_range) or {}
        summaries = document.get("history", [])
        newest = len(summaries) - (page - 1) * HISTORY_PER_PAGE
        # One summary before the page's oldest, to say what changed at that sync.
        shown = summaries[max(0, newest - HISTORY_PER_PAGE - 1) : max(0, newest)]
        first_on_page = 1 if newest - HISTORY_PER_PAGE - 1 >= 0 else 0
        entries, previous = [], None
        for index, summary in enumerate(shown):  # oldest first
            if index >= first_on_page:
                entries.append(_history_entry(summary, previous))
            previous = summary
        entries.reverse()
        ranges.append(
            {
                "time_range": time_range,
                "label": label,
                "syncs": entries,
                "total": document.get("syncs_total") or len(summaries),
                "kept": len(summaries),
                "first_synced_at": document.get("first_synced_at"),
            }
        )
    return {
        "available": True,
        "ranges": ranges,
        "empty": not any(r["total"] for r in ranges),
        "page": page,
        "pages": pages,
    }


def _history_entry(summary: dict, previous: dict | None) -> dict:
    return {
        **summary,
        "synced_at": summary["synced_at"]
        if isinstance(summary["synced_at"], datetime)
        else _parse_time(summary["synced_at"]),
        "artists_change": _diff(
            summary.get("top_artists", []),
            previous.get("top_artists", []) if previous else None,
        ),
        "tracks_change": _diff(
            summary.get("top_tracks", []),
            previous.get("top_tracks", []) if previous else None,
        ),
        "first": previous is None,
    }


# --- The rendered sections, kept in the cache --------------------------------------------------
#
# Rendering 50 artists and 50 tracks costs more than everything else a cached page does, and
# the sections depend only on the data, never on the request. So the HTML is kept per user and
# range, tagged with a version built from what it shows (sync times, vibe time, mood progress):
# a new sync or vibe changes the version and the next view renders it again. The templates'
# own text is part of the version, so an upgrade never serves the old markup.

GRID_TEMPLATE = "analytics/_grid.html"
_TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATES_VERSION = hashlib.sha1(
    b"".join(p.read_bytes() for p in sorted(_TEMPLATE_DIR.rglob("*.html"))),
    usedforsecurity=False,
).hexdigest()[:12]


def grid_cache_key(*, spotify_id: str, time_range: str) -> str:
    return f"dashboard:html:{spotify_id}:{time_range}"


def _grid_version(data: dict) -> str:
    vibe = data["mood"]["vibe"] or {}
    progress = data["mood"]["progress"]
    lyrics = data["mood"]["lyrics"]
    parts = [
        TEMPLATES_VERSION,
        data["top"]["synced_at"] if data["top"] else "",
        data["changes_version"],
        vibe.get("computed_at", ""),
        progress["state"],
        str(progress.get("done")),
        str(progress.get("total")),
        str(progress.get("error")),
        f"{lyrics['state']}:{lyrics.get('done')}:{lyrics.get('total')}",
        # The genre lookup rewrites the top lists with the same sync time: its card text and
        # progress are part of what the sections show.
        repr(sorted((k, v) for k, v in data["genre_info"].items() if k != "lookup")),
        "{state}:{done}:{total}:{error}".format(**data["genre_info"]["lookup"]),
        str([g["name"] for g in data["genres"]]),
        str(data["read_only"]),
    ]
    return hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()


def _grid_signature(key: str, version: str, html: bytes) -> bytes:
    # Signed with SECRET_KEY: whoever can write to Redis still cannot make the page serve
    # markup (a script) that our templates did not render.
    return (
        salted_hmac(
            "analytics.dashboard.grid", f"{key}|{version}|".encode() + html, algorithm="sha256"
        )
        .hexdigest()
        .encode()
    )


def _grid_read(key: str, version: str, entry: bytes | None) -> str | None:
    """The HTML of an entry (``<version> <signature>\\n<html>``, bytes as stored) rendered under
    ``version`` and signed by us; None otherwise."""
    if not entry:
        return None
    head, _, html = entry.partition(b"\n")
    entry_version, _, signature = head.partition(b" ")
    if entry_version != version.encode() or not constant_time_compare(
        signature, _grid_signature(key, version, html)
    ):
        return None
    try:
        return html.decode()
    except UnicodeDecodeError:
        return None


def grid_html(*, user, data: dict) -> str:
    """The dashboard's sections as HTML, from the cache when what they show has not changed
    and the cached copy carries our signature. Kept as bytes (``cache_bytes_set``): a cache miss
    of the page reads the 100 KB of markup without decoding it from JSON."""
    key = grid_cache_key(spotify_id=user.spotify_id, time_range=data["time_range"])
    version = _grid_version(data)
    html = _grid_read(key, version, cache_bytes_get(key))
    if html is not None:
        return mark_safe(html)  # noqa: S308 - our template's output, signature checked
    html = render_to_string(GRID_TEMPLATE, data)
    encoded = html.encode()
    entry = b"%s %s\n%s" % (version.encode(), _grid_signature(key, version, encoded), encoded)
    cache_bytes_set(key, entry, settings.CACHE_TTL)
    return mark_safe(html)  # noqa: S308 - our own template's output


# --- The share card, kept in the cache ----------------------------------------------------------
#
# Drawing the 1080x1920 card costs far more than serving it; it depends only on the chosen list,
# the vibe and the drawing code, so it is kept per user, range and kind with that version.


def share_cache_key(*, spotify_id: str, time_range: str, kind: str) -> str:
    return f"dashboard:share:{spotify_id}:{time_range}:{kind}"


def share_card_get(*, user, time_range: str, kind: str, top: dict, vibe: dict | None) -> bytes:
    """The share card PNG of one list, drawn again only when what it shows has changed."""
    key = share_cache_key(spotify_id=user.spotify_id, time_range=time_range, kind=kind)
    version = "|".join(
        [SHARE_CODE_VERSION, str(top.get("synced_at")), (vibe or {}).get("computed_at", "")]
    )
    cached = cache_get(key)
    if isinstance(cached, dict) and cached.get("version") == version:
        try:
            return base64.b64decode(cached["png"], validate=True)
        except (KeyError, TypeError, ValueError):
            pass  # not ours: draw it again
    # Pictures from Spotify's image hosts only, each cached on its own (analytics.share_images).
    pictures = [share_image_get(url) for url, _name in share_picture_sources(top, kind)]
    png = share_card_render(
        top=top, kind=kind, range_label=RANGES[time_range], vibe=vibe, pictures=pictures
    )
    cache_set(key, {"version": version, "png": base64.b64encode(png).decode()}, settings.CACHE_TTL)
    return png


def dashboard_cache_forget(*, user_id: int, spotify_id: str | None) -> None:
    """Forget every dashboard copy of one user (their account is being deleted)."""
    for time_range in RANGES:
        vibe_cache_forget(user_id=user_id, time_range=time_range)
        if spotify_id:
            cache_delete(grid_cache_key(spotify_id=spotify_id, time_range=time_range))
            for kind in SHARE_KINDS:
                cache_delete(
                    share_cache_key(spotify_id=spotify_id, time_range=time_range, kind=kind)
                )
