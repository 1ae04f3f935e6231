"""Artists, tracks and each user's rankings, in the seed's tables.

``artists``, ``tracks``, ``user_artists`` and ``user_tracks`` keep the seed's names and columns
(so its SQL examples still work) and add what the dashboard needs. Rankings use the seed's
composite primary key (spotify_id, time_range, item id).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .spotify.ranges import TimeRange


def genres_found(genres, musicbrainz_genres) -> tuple[list[str], str | None]:
    """An artist's genres shown and where they came from, from its two genre columns (for a
    reader of plain values; ``Artist.genres_found`` on a model)."""
    if genres:
        return list(genres), "spotify"
    if musicbrainz_genres:
        return list(musicbrainz_genres), "musicbrainz"
    return [], None


class Artist(models.Model):
    """Public catalogue data of an artist, shared by every user who ranks it."""

    id = models.CharField(max_length=64, primary_key=True)
    name = models.TextField()
    popularity = models.IntegerField(null=True, blank=True)  # null: Spotify did not send it
    image_url = models.TextField(null=True, blank=True)  # noqa: DJ001 - seed column; NULL: none
    # null: Spotify sent no "genres" key (development mode); []: not classified.
    genres = models.JSONField(null=True, blank=True)
    images = models.JSONField(default=list, blank=True)
    followers = models.IntegerField(null=True, blank=True)
    url = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    # Genres from MusicBrainz, asked when Spotify sends none (music.services.genres):
    # ``musicbrainz_checked_at`` null: never asked; ``musicbrainz_id`` "": no MusicBrainz artist
    # links this Spotify artist; ``musicbrainz_genres``: names, most votes first ([]: none).
    musicbrainz_id = models.CharField(max_length=36, blank=True, default="")
    musicbrainz_genres = models.JSONField(default=list, blank=True)
    musicbrainz_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "artists"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def genres_found(self) -> tuple[list[str], str | None]:
        """The genres shown and where they came from: Spotify's when it sent some, else
        MusicBrainz's, else ``([], None)`` (unclassified)."""
        return genres_found(self.genres, self.musicbrainz_genres)


class Track(models.Model):
    """Public catalogue data of a track and its album."""

    id = models.CharField(max_length=64, primary_key=True)
    name = models.TextField()
    popularity = models.IntegerField(null=True, blank=True)
    preview_url = models.TextField(null=True, blank=True)  # noqa: DJ001 - seed column
    duration_ms = models.IntegerField(default=0)
    explicit = models.BooleanField(default=False)
    album_id = models.CharField(max_length=64, blank=True, default="")
    album_name = models.TextField(blank=True, default="")
    album_type = models.CharField(max_length=32, blank=True, default="")
    album_release_date = models.CharField(max_length=10, blank=True, default="")
    album_image_url = models.TextField(null=True, blank=True)  # noqa: DJ001 - NULL: no image
    url = models.TextField(blank=True, default="")
    artists = models.ManyToManyField(Artist, through="TrackArtist", related_name="tracks")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "tracks"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrackArtist(models.Model):
    """The credited artists of a track, in Spotify's order."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="credits")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="credits")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "track_artists"
        constraints = [
            models.UniqueConstraint(fields=["track", "artist"], name="track_artists_unique")
        ]
        ordering = ["track", "position"]

    def __str__(self) -> str:
        return f"{self.track_id} #{self.position}: {self.artist_id}"


class UserArtist(models.Model):
    """One artist in a user's top list for one time range (seed table ``user_artists``)."""

    pk = models.CompositePrimaryKey("user", "time_range", "artist")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        to_field="spotify_id",
        db_column="spotify_id",
        on_delete=models.CASCADE,
        related_name="ranked_artists",
    )
    time_range = models.CharField(max_length=16, choices=TimeRange.choices)
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="rankings")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "user_artists"
        indexes = [
            # The dashboard reads one user's range in rank order.
            models.Index(fields=["user", "time_range", "rank"], name="user_artists_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.time_range} #{self.rank}: {self.artist_id}"


class UserTrack(models.Model):
    """One track in a user's top list for one time range (seed table ``user_tracks``)."""

    pk = models.CompositePrimaryKey("user", "time_range", "track")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        to_field="spotify_id",
        db_column="spotify_id",
        on_delete=models.CASCADE,
        related_name="ranked_tracks",
    )
    time_range = models.CharField(max_length=16, choices=TimeRange.choices)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="rankings")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        db_table = "user_tracks"
        indexes = [
            models.Index(fields=["user", "time_range", "rank"], name="user_tracks_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.time_range} #{self.rank}: {self.track_id}"


class SyncState(models.Model):
    """How the last sync of one user's time range went, in words a person can act on."""

    class Status(models.TextChoices):
        NEVER = "never", "Never synced"
        OK = "ok", "Synced"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sync_states"
    )
    time_range = models.CharField(max_length=16, choices=TimeRange.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEVER)
    synced_at = models.DateTimeField(null=True, blank=True)  # last successful sync
    attempted_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")  # human sentence; empty when OK
    genres_available = models.BooleanField(default=False)
    artists_count = models.PositiveSmallIntegerField(default=0)
    tracks_count = models.PositiveSmallIntegerField(default=0)
    sync_id = models.UUIDField(null=True, blank=True)

    class Meta:
        db_table = "sync_states"
        constraints = [
            models.UniqueConstraint(fields=["user", "time_range"], name="sync_states_unique")
        ]
        ordering = ["user_id", "time_range"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.time_range}: {self.status}"


class HistoryOutbox(models.Model):
    """A sync-history record waiting for MongoDB (transactional outbox).

    Written in the sync's transaction; deleted once MongoDB has it. Delivery is idempotent by
    ``sync_id``, so a record delivered twice is stored once.
    """

    sync_id = models.UUIDField(default=uuid.uuid4)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        to_field="spotify_id",
        db_column="spotify_id",
        on_delete=models.CASCADE,
        related_name="history_outbox",
    )
    time_range = models.CharField(max_length=16, choices=TimeRange.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # A record MongoDB refused waits until then, so the others pass it; after
    # OUTBOX_MAX_ATTEMPTS refusals it is parked (left for the admin) instead.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    parked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "history_outbox"
        constraints = [
            models.UniqueConstraint(fields=["sync_id", "time_range"], name="history_outbox_unique")
        ]
        ordering = ["created_at", "id"]
        verbose_name_plural = "history outbox"

    def __str__(self) -> str:
        return f"{self.user_id} {self.time_range} {self.sync_id}"


class Play(models.Model):
    """One play of a track (or podcast episode) by one user: the listening archive.

    Lives on node B when one is configured (``personalify.archive`` routes it), else in the main
    database under the same name. No foreign keys: users and the catalogue are on node A, and
    an imported play may name a track the catalogue has never seen (its names are kept here).
    The primary key (user, played_at, track) is the uniqueness rule, and its index serves "one
    user over a time window" (a range scan on its first two columns), so no second index is
    paid for on every insert. Written only by ``music.services.plays.plays_store``.
    """

    class Source(models.TextChoices):
        API = "api", "Recently played (Spotify API)"
        EXPORT = "export", "Spotify data export"

    pk = models.CompositePrimaryKey("spotify_id", "played_at", "track_id")
    spotify_id = models.CharField(max_length=255)  # the user's Spotify id (users.spotify_id)
    played_at = models.DateTimeField()  # when the play ended (Spotify's played_at / ts)
    # The track's Spotify id; "" for a podcast episode (see episode_uri).
    track_id = models.CharField(max_length=64, blank=True)
    # Milliseconds listened. Spotify's recently-played list gives no length: its plays store the
    # track's duration (the list only shows tracks played to the end or for 30 s and more).
    ms_played = models.IntegerField(default=0)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)
    context_uri = models.TextField(blank=True, default="")  # playlist/album it was played from
    # Names as the source gave them: an imported track may be missing from the catalogue.
    track_name = models.TextField(blank=True, default="")
    artist_name = models.TextField(blank=True, default="")
    album_name = models.TextField(blank=True, default="")
    # What Spotify's data export adds ("" / NULL: the source did not say).
    platform = models.TextField(blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")
    reason_start = models.CharField(max_length=32, blank=True, default="")
    reason_end = models.CharField(max_length=32, blank=True, default="")
    shuffle = models.BooleanField(null=True, blank=True)
    skipped = models.BooleanField(null=True, blank=True)
    offline = models.BooleanField(null=True, blank=True)
    incognito = models.BooleanField(null=True, blank=True)
    # Podcasts: set for an episode, empty for a track.
    episode_name = models.TextField(blank=True, default="")
    episode_show_name = models.TextField(blank=True, default="")
    episode_uri = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        db_table = "plays"
        ordering = ["spotify_id", "-played_at"]

    def __str__(self) -> str:
        return f"{self.spotify_id} {self.played_at:%Y-%m-%d %H:%M:%S} {self.track_id}"


# --- Summaries of the plays -----------------------------------------------------------------
# Grouped copies of ``plays`` that the listening statistics read instead of every play (a year of
# a heavy listener is 200,000 plays; its summaries are tens of thousands of rows at most). They
# live beside ``plays`` (node B, or the main database) and are kept by triggers on ``plays``
# (``music.archive.summaries``): every statement that inserts, deletes or updates plays, from any
# path (import, polling, the demo, account deletion, setup_fdw's move, a DBA's DELETE), changes
# them in its own transaction, and a play that ON CONFLICT DO NOTHING left out is not counted.
# Buckets are UTC: quarter hours (every real zone offset is a whole number of them, so any
# user's local days and hours are unions of them) and UTC months, days for the coverage. Never
# written by the application; read only by ``analytics.listening``. On SQLite they stay empty
# (no triggers) and the statistics read ``plays`` itself.


class PlayQuarter(models.Model):
    """Plays and milliseconds of one user in one UTC quarter hour."""

    pk = models.CompositePrimaryKey("spotify_id", "quarter")
    spotify_id = models.CharField(max_length=255)
    quarter = models.IntegerField()  # floor(seconds since 1970-01-01 UTC / 900)
    plays = models.IntegerField()
    ms_played = models.BigIntegerField()

    class Meta:
        db_table = "play_quarters"

    def __str__(self) -> str:
        return f"{self.spotify_id} quarter {self.quarter}: {self.plays}"


class PlayMonthTrack(models.Model):
    """Plays, milliseconds and skips of one track by one user in one UTC month."""

    pk = models.CompositePrimaryKey("spotify_id", "month", "track_id")
    spotify_id = models.CharField(max_length=255)
    month = models.DateField()  # the first day of the UTC month
    track_id = models.CharField(max_length=64)
    plays = models.IntegerField()
    ms_played = models.BigIntegerField()
    skips = models.IntegerField()

    class Meta:
        db_table = "play_month_tracks"

    def __str__(self) -> str:
        return f"{self.spotify_id} {self.month:%Y-%m} {self.track_id}: {self.plays}"


class PlayMonthPlace(models.Model):
    """Plays and milliseconds of one user per platform and country in one UTC month."""

    pk = models.CompositePrimaryKey("spotify_id", "month", "platform", "country")
    spotify_id = models.CharField(max_length=255)
    month = models.DateField()
    platform = models.TextField()
    country = models.CharField(max_length=2)
    plays = models.IntegerField()
    ms_played = models.BigIntegerField()

    class Meta:
        db_table = "play_month_places"

    def __str__(self) -> str:
        return f"{self.spotify_id} {self.month:%Y-%m} {self.platform} {self.country}"


class PlayMonthEpisode(models.Model):
    """Plays and milliseconds of one podcast episode by one user in one UTC month."""

    pk = models.CompositePrimaryKey("spotify_id", "month", "episode_uri", "episode_show_name")
    spotify_id = models.CharField(max_length=255)
    month = models.DateField()
    episode_uri = models.CharField(max_length=128)
    episode_show_name = models.TextField()
    plays = models.IntegerField()
    ms_played = models.BigIntegerField()

    class Meta:
        db_table = "play_month_episodes"

    def __str__(self) -> str:
        return f"{self.spotify_id} {self.month:%Y-%m} {self.episode_uri}: {self.plays}"


class PlayDaySource(models.Model):
    """Plays of one user from one source in one UTC day, with the first and the last: the
    coverage of the user's history and its gaps."""

    pk = models.CompositePrimaryKey("spotify_id", "day", "source")
    spotify_id = models.CharField(max_length=255)
    day = models.DateField()  # UTC
    source = models.CharField(max_length=16)
    plays = models.IntegerField()
    first_played_at = models.DateTimeField()
    last_played_at = models.DateTimeField()

    class Meta:
        db_table = "play_day_sources"

    def __str__(self) -> str:
        return f"{self.spotify_id} {self.day} {self.source}: {self.plays}"


class PlayImport(models.Model):
    """One upload of Spotify's privacy export and what its import did, in counts.

    On node A (it is the user's, like a sync state); the plays it reads go to the archive. The
    cursor (``file_index``, ``item_index``: the next item to read) and the counts are saved after
    each stored batch, so a worker that dies mid-import is resumed from there by the next one
    (``music.tasks.play_import_resume_task``), and plays stored twice are ignored by the
    archive's unique key.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued — starting in a moment"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="play_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life of the worker running it: an import "running" without one for a while
    # was left by a worker that died, and is resumed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0)  # fences off a worker that was replaced
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    upload_names = models.JSONField(default=list)  # the uploaded files' names, as sent
    upload_dir = models.TextField(blank=True, default="")  # "" once the upload is deleted
    upload_bytes = models.BigIntegerField(default=0)
    # Progress: bytes of JSON read out of total_bytes, and the cursor.
    total_bytes = models.BigIntegerField(default=0)
    done_bytes = models.BigIntegerField(default=0)
    file_index = models.PositiveIntegerField(default=0)
    item_index = models.PositiveIntegerField(default=0)
    # Counts (what the page shows).
    files_total = models.PositiveIntegerField(default=0)  # history files found
    files_done = models.PositiveIntegerField(default=0)
    files_skipped = models.JSONField(default=list)  # names of files that are no history
    videos_skipped = models.PositiveIntegerField(default=0)  # video plays: counted, not kept
    plays_read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)  # new in the archive
    already_there = models.PositiveIntegerField(default=0)  # duplicates, earlier imports, API
    short_plays = models.PositiveIntegerField(default=0)  # under 30 s (kept: they are skips)
    podcasts = models.PositiveIntegerField(default=0)  # episodes (and audiobook chapters)
    unreadable = models.PositiveIntegerField(default=0)  # items that are no play
    tracks_added = models.PositiveIntegerField(default=0)  # catalogue rows made from names
    first_played_at = models.DateTimeField(null=True, blank=True)
    last_played_at = models.DateTimeField(null=True, blank=True)
    # [{"file", "position", "message"}]: files that broke, and where.
    problems = models.JSONField(default=list)
    error = models.TextField(blank=True, default="")  # why the whole import failed

    class Meta:
        db_table = "play_imports"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="play_imports_state_idx")]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.user_id}: {self.state}"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.total_bytes:
            return None
        return min(100, round(100 * self.done_bytes / self.total_bytes))
