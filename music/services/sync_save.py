"""The sync's writes: the shared catalogue, a user's rankings, the per-range sync states and
the history record of a synced range. Each writes any number of items in a fixed number of
statements; ``library_sync`` calls them inside its transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connections, router

from music.models import Artist, SyncState, Track, TrackArtist, UserArtist, UserTrack
from music.spotify import SpotifyArtist, SpotifyArtistRef, SpotifyTrack


def _artist_row(artist: SpotifyArtist) -> Artist:
    return Artist(
        id=artist.id,
        name=artist.name,
        popularity=artist.popularity,
        image_url=artist.images[0].url if artist.images else None,
        genres=list(artist.genres) if artist.genres is not None else None,
        images=[{"url": i.url, "height": i.height, "width": i.width} for i in artist.images],
        followers=artist.followers,
        url=artist.url,
    )


def _track_row(track: SpotifyTrack) -> Track:
    album = track.album
    return Track(
        id=track.id,
        name=track.name,
        popularity=track.popularity,
        preview_url=track.preview_url,
        duration_ms=track.duration_ms,
        explicit=track.explicit,
        album_id=album.id,
        album_name=album.name,
        album_type=album.album_type,
        album_release_date=album.release_date,
        album_image_url=album.images[0].url if album.images else None,
        url=track.url,
    )


def catalogue_upsert(fetched: dict[str, dict[str, list]]) -> None:
    """Upsert artists, tracks and credits in 4 statements, whatever the number of items."""
    # The ranges' lists overlap (an artist in several ranges): one row per id, built once.
    # The last list's copy of an item wins, the first credit of an artist gives its row.
    artist_items: dict[str, SpotifyArtist] = {}
    track_items: dict[str, SpotifyTrack] = {}
    for lists in fetched.values():
        artist_items.update((artist.id, artist) for artist in lists["artists"])
        track_items.update((track.id, track) for track in lists["tracks"])
    ref_items: dict[str, SpotifyArtistRef] = {}
    positions: dict[tuple[str, str], int] = {}
    for lists in fetched.values():
        for track in lists["tracks"]:
            for position, ref in enumerate(track.artists):
                ref_items.setdefault(ref.id, ref)
                positions[(track.id, ref.id)] = position
    artists = {id_: _artist_row(artist) for id_, artist in artist_items.items()}
    tracks = {id_: _track_row(track) for id_, track in track_items.items()}
    refs = {id_: Artist(id=id_, name=ref.name, url=ref.url) for id_, ref in ref_items.items()}
    credited = {
        key: TrackArtist(track_id=key[0], artist_id=key[1], position=position)
        for key, position in positions.items()
    }
    # Credited artists first, inserted only if unknown (they carry no genres or images) ...
    Artist.objects.bulk_create(refs.values(), ignore_conflicts=True)
    # ... then the full artist objects, which replace whatever was known.
    Artist.objects.bulk_create(
        artists.values(),
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[
            "name",
            "popularity",
            "image_url",
            "genres",
            "images",
            "followers",
            "url",
            "updated_at",
        ],
    )
    Track.objects.bulk_create(
        tracks.values(),
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[
            "name",
            "popularity",
            "preview_url",
            "duration_ms",
            "explicit",
            "album_id",
            "album_name",
            "album_type",
            "album_release_date",
            "album_image_url",
            "url",
            "updated_at",
        ],
    )
    TrackArtist.objects.bulk_create(
        credited.values(),
        update_conflicts=True,
        unique_fields=["track", "artist"],
        update_fields=["position"],
    )


def rankings_replace(user, fetched: dict[str, dict[str, list]]) -> None:
    """Replace the fetched ranges' rankings (4 statements for any number of ranges)."""
    ranges = list(fetched)
    UserArtist.objects.filter(user=user, time_range__in=ranges).delete()
    _rankings_insert(
        UserArtist,
        "artist",
        user,
        [
            (r, a.id, rank)
            for r in ranges
            for rank, a in enumerate(_unique(fetched[r]["artists"]), start=1)
        ],
    )
    UserTrack.objects.filter(user=user, time_range__in=ranges).delete()
    _rankings_insert(
        UserTrack,
        "track",
        user,
        [
            (r, t.id, rank)
            for r in ranges
            for rank, t in enumerate(_unique(fetched[r]["tracks"]), start=1)
        ],
    )


def _rankings_insert(model, item: str, user, rows: list[tuple[str, str, int]]) -> None:
    """Insert ``(time_range, item id, rank)`` rows of ``user`` in one statement that unnests
    three arrays: a sync writes ~300 ranking rows, and bulk_create's model per row (and its
    per-field preparation) cost several times what PostgreSQL takes to store them. Other
    databases (SQLite, `make run`'s embedded default) have no arrays: bulk_create there."""
    if not rows:
        return
    meta = model._meta
    connection = connections[router.db_for_write(model)]  # where bulk_create would write
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            model(user=user, time_range=time_range, **{f"{item}_id": item_id}, rank=rank)
            for time_range, item_id, rank in rows
        )
        return
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(meta.get_field(name).column) for name in ("user", "time_range", item, "rank")
    )
    time_ranges, ids, ranks = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
            "SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::integer[])",
            [user.spotify_id, time_ranges, ids, ranks],
        )


def _unique(items: list) -> list:
    """Spotify's lists should not repeat an id; if one does, keep its best rank."""
    seen: set[str] = set()
    return [i for i in items if not (i.id in seen or seen.add(i.id))]


def sync_states_write(
    user,
    *,
    sync_id: str,
    now: datetime,
    fetched: dict[str, dict[str, list]],
    errors: dict[str, str],
) -> None:
    if fetched:
        SyncState.objects.bulk_create(
            [
                SyncState(
                    user=user,
                    time_range=r,
                    status=SyncState.Status.OK,
                    synced_at=now,
                    attempted_at=now,
                    error="",
                    genres_available=any(a.genres for a in lists["artists"]),
                    artists_count=len(_unique(lists["artists"])),
                    tracks_count=len(_unique(lists["tracks"])),
                    sync_id=sync_id,
                )
                for r, lists in fetched.items()
            ],
            update_conflicts=True,
            unique_fields=["user", "time_range"],
            update_fields=[
                "status",
                "synced_at",
                "attempted_at",
                "error",
                "genres_available",
                "artists_count",
                "tracks_count",
                "sync_id",
            ],
        )
    if errors:
        # A failed range keeps its last successful sync time, counts and ranking.
        SyncState.objects.bulk_create(
            [
                SyncState(
                    user=user,
                    time_range=r,
                    status=SyncState.Status.FAILED,
                    attempted_at=now,
                    error=reason,
                )
                for r, reason in errors.items()
            ],
            update_conflicts=True,
            unique_fields=["user", "time_range"],
            update_fields=["status", "attempted_at", "error"],
        )


def history_payload(payload: dict) -> dict:
    """The part of a range's dashboard dict that its history record keeps."""
    return {
        "synced_at": payload["synced_at"],
        "artists": payload["artists"],
        "tracks": payload["tracks"],
        "genres": payload["genres"],
        "genres_available": payload["genres_available"],
    }
