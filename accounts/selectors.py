"""Reads of users."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import DEMO_SPOTIFY_ID


def user_active_spotify_list() -> QuerySet:
    """Active users with a Spotify account, oldest first: the ones background work serves
    (the daily re-sync, ``--all`` in commands). Not the bundled demo."""
    return (
        get_user_model()
        .objects.filter(spotify_id__isnull=False, is_active=True)
        .exclude(spotify_id=DEMO_SPOTIFY_ID)
        .order_by("pk")
    )


def user_demo_get():
    """The read-only demo user, or None when ``load_demo`` has not run."""
    return get_user_model().objects.filter(spotify_id=DEMO_SPOTIFY_ID, is_active=True).first()
