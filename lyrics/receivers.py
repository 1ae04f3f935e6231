"""Lyrics' part of events sent by music: a finished sync queues the fetch of the lyrics of the
user's ranked tracks (when LYRICS_FETCH_AFTER_SYNC is on; always for the offline demo)."""

from __future__ import annotations

from django.conf import settings
from django.dispatch import receiver

from music.signals import library_synced

from .services import lyrics_fetch_request


@receiver(library_synced)
def lyrics_fetch_after_sync(sender, user, **kwargs) -> None:
    if settings.LYRICS_FETCH_AFTER_SYNC or user.is_demo:
        lyrics_fetch_request(user=user)
