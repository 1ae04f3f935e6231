"""Fetch the lyrics of users' ranked tracks now: ``manage.py fetch_lyrics --user ID | --all``.

LRCLib first, then Genius; each track once, stored ones skipped unless ``--force``. Prints a
progress bar on a terminal and a summary per user; the mood is read again when lyrics changed.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import user_active_spotify_list
from lyrics.services import lyrics_fetch_for_user
from personalify.progress import progress_bar


class Command(BaseCommand):
    help = "Fetch the lyrics of the ranked tracks of one user (--user) or every user (--all)."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", metavar="SPOTIFY_ID", help="The user's Spotify id.")
        who.add_argument("--all", action="store_true", help="Every user with a Spotify id.")
        parser.add_argument(
            "--force", action="store_true", help="Ask again for tracks already stored."
        )

    def handle(self, *args, **options):
        if options["all"]:
            users = list(user_active_spotify_list())
        else:
            users = list(get_user_model().objects.filter(spotify_id=options["user"]))
            if not users:
                raise CommandError(f"No user with Spotify id {options['user']!r}.")
        for user in users:
            with progress_bar(self.stderr, desc=user.spotify_id, unit="track") as bar:

                def progress(done: int, total: int, bar=bar) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                result = lyrics_fetch_for_user(
                    user=user, force=options["force"], on_progress=progress
                )
            counts = ", ".join(f"{n} {status}" for status, n in sorted(result.statuses.items()))
            self.stdout.write(
                f"{user.spotify_id}: {result.total} ranked tracks, {result.asked} looked up"
                f"{f' ({counts})' if counts else ''}; {result.changed} new."
            )
            for source, why in result.skipped_sources.items():
                self.stdout.write(f"  {source} skipped: {why}")
        self.stdout.write(self.style.SUCCESS(f"Fetched lyrics for {len(users)} user(s)."))
