"""Stored lyrics: one row per source song, and each Spotify track's link to one.

``Lyrics`` is public catalogue data (no user in it): the text, timed lines and where they came
from. ``TrackLyrics`` says what the lookup for one Spotify track found, including "not found"
and "unavailable", so sources are not asked again before ``retry_at``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from music.models import Track


class Status(models.TextChoices):
    FOUND = "found", "Found"
    INSTRUMENTAL = "instrumental", "Instrumental"
    NOT_FOUND = "not_found", "Not found"
    UNAVAILABLE = "unavailable", "Unavailable"


class Source(models.TextChoices):
    LRCLIB = "lrclib", "LRCLib"
    GENIUS = "genius", "Genius"
    DEMO = "demo", "Bundled with the demo"


class Lyrics(models.Model):
    """One song's lyrics from one source (LRCLib id, Genius id, or the demo's track id)."""

    source = models.CharField(max_length=16, choices=Source.choices)
    source_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.FOUND)
    title = models.TextField(blank=True, default="")
    artist = models.TextField(blank=True, default="")
    url = models.TextField(blank=True, default="")  # the public page (Genius), for the link
    image_url = models.TextField(blank=True, default="")
    text = models.TextField(blank=True, default="")
    # Synced lyrics: [[seconds, "line"], ...] in time order; empty when not timed.
    lines = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")  # why a page gave nothing (unavailable)
    fetched_at = models.DateTimeField()
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "lyrics"
        verbose_name_plural = "lyrics"
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="lyrics_unique_source"),
            # Nothing empty is stored as found.
            models.CheckConstraint(
                condition=~Q(status="found") | ~Q(text=""), name="lyrics_found_has_text"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} {self.title} ({self.status})"

    @property
    def synced(self) -> bool:
        return bool(self.lines)


class TrackLyrics(models.Model):
    """What the lyrics lookup of one Spotify track found, and when to ask again."""

    track = models.OneToOneField(
        Track, on_delete=models.CASCADE, primary_key=True, related_name="lyrics_link"
    )
    lyrics = models.ForeignKey(
        Lyrics, on_delete=models.SET_NULL, null=True, blank=True, related_name="tracks"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    error = models.TextField(blank=True, default="")
    fetched_at = models.DateTimeField()
    retry_at = models.DateTimeField(null=True, blank=True)  # not found / unavailable only

    class Meta:
        db_table = "track_lyrics"
        verbose_name_plural = "track lyrics"
        indexes = [models.Index(fields=["status", "retry_at"], name="track_lyrics_retry_idx")]

    def __str__(self) -> str:
        return f"{self.track_id}: {self.status}"
