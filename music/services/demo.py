"""The read-only demo account, synced from bundled Spotify-shaped JSON (``music/demo_data/``).

The bundled files are served over HTTP by the same fake Spotify the tests use, so the demo goes
through the real Spotify client and the real sync pipeline, not a separate code path.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import DEMO_SPOTIFY_ID
from music.spotify import SpotifyClient

from .sync import SyncResult, library_sync

DEMO_DATA_DIR = Path(__file__).resolve().parent.parent / "demo_data"


def demo_load() -> SyncResult:
    """Create (or refresh) the demo user and sync it from the bundled data. Idempotent."""
    from personalify.testing.spotify import FakeSpotify

    with FakeSpotify(data_dir=DEMO_DATA_DIR, user_id=DEMO_SPOTIFY_ID) as fake:
        client = SpotifyClient(access_token=fake.access_token, base_url=fake.api_url)
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
