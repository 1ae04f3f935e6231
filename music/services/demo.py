"""The read-only demo account, synced from bundled Spotify-shaped JSON (``music/demo_data/``).

The bundled files are read by ``BundledSpotifyClient``, the real client with its transport
replaced, so the demo goes through the real parsing and the real sync pipeline.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import DEMO_SPOTIFY_ID
from music.spotify.bundled import BundledSpotifyClient

from .sync import SyncResult, library_sync

DEMO_DATA_DIR = Path(__file__).resolve().parent.parent / "demo_data"


def demo_load() -> SyncResult:
    """Create (or refresh) the demo user and sync it from the bundled data. Idempotent."""
    client = BundledSpotifyClient(data_dir=DEMO_DATA_DIR)
    profile = client.me()
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(
            spotify_id=DEMO_SPOTIFY_ID,
            defaults={"username": DEMO_SPOTIFY_ID, "display_name": profile.display_name},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    return library_sync(user=user, client=client)
