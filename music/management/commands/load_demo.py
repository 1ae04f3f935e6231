"""Create or refresh the read-only demo account: ``manage.py load_demo``.

Its data are the bundled Spotify-shaped JSON files in music/demo_data/, served by the fake
Spotify and synced through the real client and sync pipeline, plus a generated listening
history of a few months with one gap (replaced at each run). Safe to run again.
"""

from django.core.management.base import BaseCommand, CommandError

from music.services import demo_load
from music.services.demo import demo_listening_load


class Command(BaseCommand):
    help = "Create or refresh the read-only demo user from the bundled data (music/demo_data/)."

    def handle(self, *args, **options):
        result = demo_load()
        if not result.ok:
            raise CommandError(f"The demo could not be loaded: {result.reason}")
        counts = ", ".join(
            f"{r}: {c['artists']} artists, {c['tracks']} tracks" for r, c in result.counts.items()
        )
        plays = demo_listening_load()
        self.stdout.write(
            f"Demo user {result.spotify_id} loaded ({counts}); {plays} generated plays."
        )
