"""From the items of Spotify's export to plays: normalised rows, catalogue rows from names, and
plays the archive already holds under another precision.

- ``play_from_item``: one export item to a ``PlayRow`` (or why it is not one).
- ``NameCatalogue``: tracks the catalogue does not know get a row made from the export's names
  (track, artist, album), never an API call; account-data plays (no ids) are matched to known
  tracks by exact names, else kept under an id made from their names (``local:…``).
- ``overlaps_drop``: the same play can reach the archive from several sources at different
  precisions (account data: the minute; extended history: the second; recently played: the
  millisecond); a play of the same track ending within ``tolerance`` of one already stored is
  the same play, and is left out.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime, timedelta

from django.db import connections

from music.models import Artist, Play, Track, TrackArtist
from music.services.export_files import ACCOUNT_MUSIC, ACCOUNT_PODCAST, EXTENDED
from music.services.plays import PlayRow
from personalify.archive import archive_alias, archive_errors

LOCAL_PREFIX = "local:"  # ids made from names; Spotify's ids never contain ':'
SHORT_PLAY_MS = 30_000  # Spotify counts a stream from 30 s; shorter plays are kept (skips)
# The same play seen at two precisions: within a minute when one side has minute precision
# (account data), within a few seconds otherwise (export vs recently played).
MINUTE_TOLERANCE = timedelta(seconds=60)
SECOND_TOLERANCE = timedelta(seconds=10)


def local_id(*parts: str) -> str:
    """A stable id for something known by name only (the same names give the same id)."""
    digest = hashlib.sha1("\x1f".join(p.casefold() for p in parts).encode()).hexdigest()  # noqa: S324
    return f"{LOCAL_PREFIX}{digest[:24]}"


def _text(item: dict, key: str) -> str:
    value = item.get(key)
    return value.strip() if value else ""  # a non-text value raises: the item is unreadable


def _flag(item: dict, key: str) -> bool | None:
    value = item.get(key)
    return value if isinstance(value, bool) else None


def _time(value: object, *, minute: bool) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:  # account data: "2024-01-01 12:34", in UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _ms(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, int(value))


def _uri_id(uri: str, kind: str) -> str:
    prefix = f"spotify:{kind}:"
    return uri[len(prefix) :] if uri.startswith(prefix) and len(uri) > len(prefix) else ""


@dataclass(frozen=True)
class ItemRead:
    """What one export item is: a play (``row``), or a reason it is not (``problem``)."""

    row: PlayRow | None = None
    podcast: bool = False
    needs_match: bool = False  # an account-data track: its id comes from NameCatalogue

    @property
    def unreadable(self) -> bool:
        return self.row is None


UNREADABLE = ItemRead()


def _read(row: PlayRow | None, *, podcast: bool = False, needs_match: bool = False) -> ItemRead:
    return UNREADABLE if row is None else ItemRead(row, podcast, needs_match)


def play_from_item(item: object, *, kind: str, spotify_id: str) -> ItemRead:
    """One item of a history file of ``kind`` as a play of ``spotify_id``."""
    if not isinstance(item, dict):
        return UNREADABLE
    try:
        if kind == EXTENDED:
            return _extended(item, spotify_id)
        if kind in (ACCOUNT_MUSIC, ACCOUNT_PODCAST):
            podcast = kind == ACCOUNT_PODCAST or "podcastName" in item
            return _account(item, spotify_id, podcast=podcast)
    except (AttributeError, TypeError, ValueError):  # a field of the wrong type
        return UNREADABLE
    return UNREADABLE


# PlayRow's checks, done once here for the import's hot loop (PlayRow(**values) makes a frozen
# dataclass field by field and checks every text column; this is about twice as fast overall).
_ROW_DEFAULTS = {f.name: f.default for f in dataclass_fields(PlayRow)}
_ROW_LIMITS = {
    f.name: f.max_length
    for f in Play._meta.concrete_fields
    if f.get_internal_type() == "CharField" and f.name in _ROW_DEFAULTS
}
assert "__slots__" not in PlayRow.__dict__, "play_row below fills the instance's __dict__"


def play_row(values: dict) -> PlayRow | None:
    """``PlayRow(**values)``, or None where PlayRow would refuse them (a text over its column's
    length or holding NUL, no track and no episode). ``values`` come from ``_extended`` and
    ``_account``: an aware time, ms >= 0 and the user's id are theirs to give."""
    limits = _ROW_LIMITS
    for name, value in values.items():
        if value.__class__ is str and (
            "\x00" in value or len(value) > limits.get(name, len(value))
        ):
            return None
    if not values.get("track_id") and not values.get("episode_uri"):
        return None
    row = object.__new__(PlayRow)
    row.__dict__.update(_ROW_DEFAULTS)
    row.__dict__.update(values)
    return row


def _extended(item: dict, spotify_id: str) -> ItemRead:
    # The import's hot loop (one call per play of a 200,000-play export): ``_text``, ``_flag``
    # and ``play_row`` written out, with the same results (tests: test_play_from_item_*).
    get = item.get
    played_at = _time(get("ts"), minute=False)
    ms_played = _ms(get("ms_played"))
    if played_at is None or ms_played is None:
        return UNREADABLE
    platform = get("platform")
    platform = platform.strip() if platform else ""
    country = get("conn_country")
    country = country.strip()[:2].upper() if country else ""
    reason_start = get("reason_start")
    reason_start = reason_start.strip()[:32] if reason_start else ""
    reason_end = get("reason_end")
    reason_end = reason_end.strip()[:32] if reason_end else ""
    shuffle, skipped = get("shuffle"), get("skipped")
    offline, incognito = get("offline"), get("incognito_mode")
    values = {
        "spotify_id": spotify_id,
        "played_at": played_at,
        "ms_played": ms_played,
        "source": Play.Source.EXPORT,
        "platform": platform,
        "country": country,
        "reason_start": reason_start,
        "reason_end": reason_end,
        "shuffle": shuffle if shuffle.__class__ is bool else None,
        "skipped": skipped if skipped.__class__ is bool else None,
        "offline": offline if offline.__class__ is bool else None,
        "incognito": incognito if incognito.__class__ is bool else None,
    }
    track = get("master_metadata_track_name")
    track = track.strip() if track else ""
    track_uri = get("spotify_track_uri")
    track_uri = track_uri.strip() if track_uri else ""
    if track or track_uri:
        artist = get("master_metadata_album_artist_name")
        artist = artist.strip() if artist else ""
        album = get("master_metadata_album_album_name")
        album = album.strip() if album else ""
        track_id = _uri_id(track_uri, "track") or (local_id(artist, track) if track else "")
        if not track_id:
            return UNREADABLE
        texts = (spotify_id, platform, country, reason_start, reason_end, track_id, track)
        if (
            "\x00" in "".join((*texts, artist, album))
            or len(track_id) > _ROW_LIMITS["track_id"]
            or len(spotify_id) > _ROW_LIMITS["spotify_id"]
        ):
            return UNREADABLE
        values["track_id"] = track_id
        values["track_name"] = track
        values["artist_name"] = artist
        values["album_name"] = album
        row = object.__new__(PlayRow)
        row.__dict__.update(_ROW_DEFAULTS)
        row.__dict__.update(values)
        return ItemRead(row)
    # Podcast episodes, and audiobook chapters (spoken word, kept the same way).
    episode = _text(item, "episode_name") or _text(item, "audiobook_chapter_title")
    show = _text(item, "episode_show_name") or _text(item, "audiobook_title")
    uri = _text(item, "spotify_episode_uri") or _text(item, "audiobook_chapter_uri")
    if not uri and not episode:
        return UNREADABLE
    uri = uri or local_id(show, episode)
    values.update(track_id="", episode_name=episode, episode_show_name=show, episode_uri=uri)
    return _read(play_row(values), podcast=True)


def _account(item: dict, spotify_id: str, *, podcast: bool) -> ItemRead:
    played_at = _time(item.get("endTime"), minute=True)
    ms_played = _ms(item.get("msPlayed"))
    if played_at is None or ms_played is None:
        return UNREADABLE
    common = {
        "spotify_id": spotify_id,
        "played_at": played_at,
        "ms_played": ms_played,
        "source": Play.Source.EXPORT,
    }
    if podcast:
        show, episode = _text(item, "podcastName"), _text(item, "episodeName")
        if not episode:
            return UNREADABLE
        common.update(
            track_id="",
            episode_name=episode,
            episode_show_name=show,
            episode_uri=local_id(show, episode),
        )
        return _read(play_row(common), podcast=True)
    track, artist = _text(item, "trackName"), _text(item, "artistName")
    if not track:
        return UNREADABLE
    # The id is settled by NameCatalogue.match (a known track, else one made from the names).
    common.update(track_id=local_id(artist, track), track_name=track, artist_name=artist)
    return _read(play_row(common), needs_match=True)


class NameCatalogue:
    """Catalogue rows for the tracks of an import, made from the export's names.

    Remembers what it has seen during one import run (bounded by the export's distinct tracks
    and artists, not by its plays), so each batch costs a few queries on node A at most.
    """

    def __init__(self) -> None:
        self.known_tracks: set[str] = set()
        self.artist_ids: dict[str, str] = {}  # name -> id
        self.matches: dict[tuple[str, str], str] = {}  # (track, artist) -> track id
        self.tracks_added = 0
        self._artists_made: set[str] = set()

    def match(self, rows: list[PlayRow]) -> list[PlayRow]:
        """Account-data rows with the id of the catalogue track of the same names, where one
        exists (the smallest id when several do: the same answer every time)."""
        wanted = {(r.track_name, r.artist_name) for r in rows} - set(self.matches)
        if wanted:
            found = (
                TrackArtist.objects.filter(
                    track__name__in={t for t, _ in wanted},
                    artist__name__in={a for _, a in wanted},
                    position=0,
                )
                .exclude(track__id__startswith=LOCAL_PREFIX)
                .order_by("track_id")
                .values_list("track__name", "artist__name", "track_id")
            )
            for track, artist, track_id in found:
                self.matches.setdefault((track, artist), track_id)
            for pair in wanted:
                self.matches.setdefault(pair, local_id(pair[1], pair[0]))
        return [_replace_track(r, self.matches[(r.track_name, r.artist_name)]) for r in rows]

    def add(self, rows: Iterable[PlayRow]) -> None:
        """Tracks (and their album artist) unknown to the catalogue, created from names."""
        names: dict[str, PlayRow] = {}
        for row in rows:
            if row.track_id and row.track_id not in self.known_tracks:
                names.setdefault(row.track_id, row)
        if not names:
            return
        existing = set(Track.objects.filter(id__in=list(names)).values_list("id", flat=True))
        self.known_tracks.update(existing)
        missing = {tid: row for tid, row in names.items() if tid not in existing}
        if not missing:
            return
        self._artists_resolve({r.artist_name for r in missing.values() if r.artist_name})
        Artist.objects.bulk_create(
            [
                Artist(id=artist_id, name=name, genres=None)
                for name, artist_id in self.artist_ids.items()
                if artist_id.startswith(LOCAL_PREFIX) and artist_id not in self._artists_made
            ],
            ignore_conflicts=True,
        )
        self._artists_made.update(a for a in self.artist_ids.values() if a.startswith(LOCAL_PREFIX))
        Track.objects.bulk_create(
            [
                Track(id=tid, name=row.track_name or "Unknown track", album_name=row.album_name)
                for tid, row in missing.items()
            ],
            ignore_conflicts=True,
        )
        TrackArtist.objects.bulk_create(
            [
                TrackArtist(track_id=tid, artist_id=self.artist_ids[row.artist_name], position=0)
                for tid, row in missing.items()
                if row.artist_name
            ],
            ignore_conflicts=True,
        )
        self.known_tracks.update(missing)
        self.tracks_added += len(missing)

    def _artists_resolve(self, names: set[str]) -> None:
        unknown = names - set(self.artist_ids)
        if not unknown:
            return
        # An artist of the same exact name in the catalogue is taken as that artist.
        found = (
            Artist.objects.filter(name__in=unknown)
            .exclude(id__startswith=LOCAL_PREFIX)
            .order_by("id")
            .values_list("name", "id")
        )
        for name, artist_id in found:
            self.artist_ids.setdefault(name, artist_id)
        for name in unknown:
            self.artist_ids.setdefault(name, local_id(name))


def _replace_track(row: PlayRow, track_id: str) -> PlayRow:
    if row.track_id == track_id:
        return row
    values = {f: getattr(row, f) for f in row.__dataclass_fields__}
    values["track_id"] = track_id
    return PlayRow(**values)


def _identity(track_id: str, track: str, artist: str, episode_uri: str) -> tuple:
    if episode_uri:
        return ("episode", episode_uri)
    if track:
        return ("names", track.casefold(), artist.casefold())
    return ("track", track_id)


def _minute_precise(moment: datetime) -> bool:
    return moment.second == 0 and moment.microsecond == 0


def overlaps_drop(rows: list[PlayRow], *, spotify_id: str) -> tuple[list[PlayRow], int]:
    """``rows`` without the plays the archive already holds at another precision; returns the
    rows to store and how many were left out. One query on the archive over the batch's span.
    Repeats within the batch itself are left for the unique key (``ON CONFLICT DO NOTHING``)."""
    if not rows:
        return rows, 0
    start = min(r.played_at for r in rows) - MINUTE_TOLERANCE
    end = max(r.played_at for r in rows) + MINUTE_TOLERANCE
    stored: dict[tuple, list[datetime]] = defaultdict(list)
    with archive_errors(), connections[archive_alias()].cursor() as cursor:
        cursor.execute(
            f"SELECT played_at, track_id, track_name, artist_name, episode_uri "  # noqa: S608
            f"FROM {Play._meta.db_table} WHERE spotify_id = %s AND played_at BETWEEN %s AND %s",
            [spotify_id, start, end],
        )
        for played_at, *identity in cursor:
            stored[_identity(*identity)].append(played_at)
            stored[("track", identity[0])].append(played_at)
    if not stored:
        return rows, 0
    kept = []
    for row in rows:
        times = stored.get(
            _identity(row.track_id, row.track_name, row.artist_name, row.episode_uri), []
        )
        if not row.episode_uri:
            times = times + stored.get(("track", row.track_id), [])
        if any(_same_play(row.played_at, t) for t in times):
            continue
        kept.append(row)
    return kept, len(rows) - len(kept)


def _same_play(a: datetime, b: datetime) -> bool:
    tolerance = MINUTE_TOLERANCE if _minute_precise(a) or _minute_precise(b) else SECOND_TOLERANCE
    return abs(a - b) < tolerance
