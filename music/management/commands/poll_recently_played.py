"""Store users' new recently played tracks now:
``manage.py poll_recently_played --user SPOTIFY_ID | --all``.

What the Celery beat task does every RECENTLY_PLAYED_INTERVAL, run in this process. Prints one
line per user and a summary; exits non-zero if a user's plays could not be stored.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import user_active_spotify_list
from music.services.recently_played import plays_poll


class Command(BaseCommand):
    help = "Fetch recently played tracks from Spotify into the listening archive."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", action="append", metavar="SPOTIFY_ID", help="repeatable")
        who.add_argument("--all", action="store_true", help="every active Spotify user")

    def handle(self, *args, **options):
        if options["all"]:
            users = list(user_active_spotify_list())
        else:
            wanted = options["user"]
            users = list(get_user_model().objects.filter(spotify_id__in=wanted).order_by("pk"))
            unknown = sorted(set(wanted) - {u.spotify_id for u in users})
            if unknown:
                raise CommandError(f"No user with Spotify id: {', '.join(unknown)}")
        inserted = failed = 0
        for user in users:
            result = plays_poll(user=user)
            inserted += result.inserted
            line = (
                f"{user.spotify_id}: {result.status}, {result.fetched} fetched, "
                f"{result.inserted} new, {result.duplicates} already stored"
            )
            if result.message:
                line += f" ({result.message})"
            self.stdout.write(line)
            failed += result.status in {"archive_unavailable", "spotify_error"}
        self.stdout.write(
            f"Stored {inserted} new plays for {len(users) - failed} of {len(users)} users."
        )
        if failed:
            raise CommandError(f"{failed} user(s) could not be polled; the next poll catches up.")
