"""The rows of ``queries``' statements computed in Python, for a database that is not
PostgreSQL (the embedded SQLite default of ``make run``, where the demo runs offline).

Each function returns exactly the rows its statement returns, so ``stats`` cannot tell them
apart (``analytics/tests/test_listening_python_rows.py`` compares them with PostgreSQL's).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from music.models import Play, Track, TrackArtist

from .queries import DAY, QUARTER, SKIP_MS

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _bin(moment: datetime, size: int) -> datetime:
    seconds = (moment - EPOCH) // timedelta(seconds=size) * size
    return EPOCH + timedelta(seconds=seconds)


def _window(spotify_id: str, start: datetime, end: datetime):
    return Play.objects.filter(spotify_id=spotify_id, played_at__gte=start, played_at__lt=end)


def _skipped(skipped: bool | None, ms: int) -> bool:
    return bool(skipped) or (skipped is None and ms < SKIP_MS)


def per_track(spotify_id, start, end) -> list[tuple]:
    groups: dict[str, list[int]] = {}
    plays = _window(spotify_id, start, end).exclude(track_id="")
    for track_id, ms, skipped in plays.values_list("track_id", "ms_played", "skipped").iterator():
        entry = groups.setdefault(track_id, [0, 0, 0])
        entry[0] += 1
        entry[1] += ms
        entry[2] += _skipped(skipped, ms)
    tracks = Track.objects.in_bulk(list(groups))
    credited: dict[str, list] = defaultdict(list)
    for credit in (
        TrackArtist.objects.filter(track_id__in=list(groups))
        .select_related("artist")
        .order_by("track_id", "position")
    ):
        credited[credit.track_id].append(credit.artist)
    rows = []
    for track_id, (plays_n, ms, skips) in groups.items():
        track = tracks.get(track_id)
        artists = credited.get(track_id)
        rows.append(
            (
                track_id,
                plays_n,
                ms,
                skips,
                track.name if track else "",
                track.album_name if track else "",
                track.album_id if track else "",
                track.album_image_url if track else None,
                track.url if track else "",
                "",
                [a.id for a in artists] if artists else None,
                [a.name for a in artists] if artists else None,
            )
        )
    return rows


def track_names(spotify_id, track_ids) -> list[tuple]:
    groups: dict[str, list[str]] = {}
    plays = Play.objects.filter(spotify_id=spotify_id, track_id__in=track_ids)
    for track_id, *names in plays.values_list(
        "track_id", "track_name", "artist_name", "album_name"
    ):
        entry = groups.setdefault(track_id, ["", "", ""])
        groups[track_id] = [max(old, new) for old, new in zip(entry, names, strict=True)]
    return [(track_id, *names) for track_id, names in groups.items()]


def per_quarter(spotify_id, start, end) -> list[tuple]:
    groups: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for played_at, ms in _window(spotify_id, start, end).values_list("played_at", "ms_played"):
        entry = groups[(played_at - EPOCH) // timedelta(seconds=QUARTER) * QUARTER]
        entry[0] += 1
        entry[1] += ms
    return [(bucket, n, ms) for bucket, (n, ms) in groups.items()]


def per_platform_country(spotify_id, start, end) -> list[tuple]:
    groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    plays = _window(spotify_id, start, end).values_list("platform", "country", "ms_played")
    for platform, country, ms in plays:
        entry = groups[(platform, country)]
        entry[0] += 1
        entry[1] += ms
    return [(p, c, n, ms) for (p, c), (n, ms) in groups.items()]


def per_episode(spotify_id, start, end) -> list[tuple]:
    groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    plays = _window(spotify_id, start, end).exclude(episode_uri="")
    for show, uri, ms in plays.values_list("episode_show_name", "episode_uri", "ms_played"):
        entry = groups[(show, uri)]
        entry[0] += 1
        entry[1] += ms
    return [(show, uri, n, ms) for (show, uri), (n, ms) in groups.items()]


def _per_day(plays, *, by_source: bool) -> list[tuple]:
    groups: dict[tuple, list] = {}
    for played_at, source, ms in plays.values_list("played_at", "source", "ms_played"):
        key = (_bin(played_at, DAY), source if by_source else "")
        entry = groups.setdefault(key, [0, 0, played_at, played_at])
        entry[0] += 1
        entry[1] += ms
        entry[2], entry[3] = min(entry[2], played_at), max(entry[3], played_at)
    if by_source:
        return [(day, source, n, lo, hi) for (day, source), (n, _, lo, hi) in groups.items()]
    return [(day, n, ms, lo, hi) for (day, _), (n, ms, lo, hi) in groups.items()]


def per_day_source(spotify_id) -> list[tuple]:
    return _per_day(Play.objects.filter(spotify_id=spotify_id), by_source=True)


def artist_per_day(spotify_id, track_ids) -> list[tuple]:
    plays = Play.objects.filter(spotify_id=spotify_id, track_id__in=track_ids)
    return _per_day(plays, by_source=False)


def artist_per_track(spotify_id, track_ids) -> list[tuple]:
    groups: dict[str, list] = {}
    plays = Play.objects.filter(spotify_id=spotify_id, track_id__in=track_ids)
    for track_id, name, ms in plays.values_list("track_id", "track_name", "ms_played"):
        entry = groups.setdefault(track_id, [0, 0, ""])
        entry[0] += 1
        entry[1] += ms
        entry[2] = max(entry[2], name)
    names = dict(Track.objects.filter(id__in=list(groups)).values_list("id", "name"))
    rows = [(t, names.get(t) or name or t, n, ms) for t, (n, ms, name) in groups.items()]
    return sorted(rows, key=lambda r: (-r[2], -r[3], r[1]))
