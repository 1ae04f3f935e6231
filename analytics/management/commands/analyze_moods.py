"""Read the vibe of users' rankings (all time ranges) and store it, with a progress bar."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from analytics.services import moods_analyse
from personalify.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Analyse the mood of the top tracks of one user (--user SPOTIFY_ID) or of everyone (--all)."
    )

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", metavar="SPOTIFY_ID", help="The user's Spotify id.")
        who.add_argument("--all", action="store_true", help="Every user with a Spotify id.")

    def handle(self, *args, **options):
        users = get_user_model().objects.exclude(spotify_id=None).order_by("pk")
        if options["user"]:
            users = users.filter(spotify_id=options["user"])
            if not users.exists():
                raise CommandError(f"No user with Spotify id {options['user']!r}.")
        vibes = 0
        for user in users:
            with progress_bar(self.stderr, desc=user.spotify_id, unit="track") as bar:

                def progress(done: int, total: int, bar=bar) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                stored = moods_analyse(user=user, on_progress=progress)
            vibes += len(stored)
            for vibe in stored:
                self.stdout.write(
                    f"  {vibe.time_range}: {vibe.sentence} (confidence {vibe.confidence_level}; "
                    f"{vibe.analysed_count} read, {vibe.skipped_count} skipped)"
                )
        self.stdout.write(self.style.SUCCESS(f"Stored {vibes} vibes for {users.count()} users."))
