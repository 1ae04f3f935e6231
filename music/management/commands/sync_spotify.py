"""Sync users' Spotify libraries now: ``manage.py sync_spotify --user SPOTIFY_ID | --all``.

Prints a progress bar on a terminal and a summary (synced, failed, skipped, with reasons).
Exits non-zero if any user failed.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import user_active_spotify_list
from music.services import library_sync
from music.spotify import TimeRange
from personalify.progress import progress_bar


class Command(BaseCommand):
    help = "Sync top artists and tracks from Spotify for one user (--user) or every user (--all)."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", action="append", metavar="SPOTIFY_ID", help="repeatable")
        who.add_argument("--all", action="store_true", help="every user with a Spotify id")
        parser.add_argument(
            "--time-range",
            action="append",
            choices=TimeRange.values,
            help="only this range (repeatable; default: all three)",
        )

    def handle(self, *args, **options):
        if options["all"]:
            users = user_active_spotify_list()
        else:
            wanted = options["user"]
            users = get_user_model().objects.filter(spotify_id__in=wanted).order_by("pk")
            unknown = sorted(set(wanted) - {u.spotify_id for u in users})
            if unknown:
                raise CommandError(f"No user with Spotify id: {', '.join(unknown)}")
        users = list(users)
        time_ranges = tuple(options["time_range"] or TimeRange.values)
        outcome: dict[str, list[tuple[str, str | None]]] = {
            "synced": [],
            "failed": [],
            "skipped": [],
        }
        malformed = cleaned = 0
        with progress_bar(self.stderr, total=len(users), unit="user") as bar:
            for user in users:
                bar.set_postfix_str(user.spotify_id)
                result = library_sync(user=user, time_ranges=time_ranges)
                outcome[result.status].append((user.spotify_id, result.reason))
                malformed += result.skipped
                cleaned += result.cleaned
                bar.update()
        self.stdout.write(
            f"Synced {len(outcome['synced'])}, failed {len(outcome['failed'])}, "
            f"skipped {len(outcome['skipped'])} (of {len(users)} users; "
            f"ranges: {', '.join(time_ranges)})."
        )
        if malformed:
            self.stdout.write(
                f"  {malformed} malformed item(s) from Spotify (no id or name) were skipped."
            )
        if cleaned:
            self.stdout.write(
                f"  {cleaned} item(s) from Spotify had text that cannot be stored"
                " (control characters, broken Unicode); it was cleaned and the items kept."
            )
        for status in ("failed", "skipped"):
            for spotify_id, reason in outcome[status]:
                self.stdout.write(f"  {status}: {spotify_id}: {reason}")
        if outcome["failed"]:
            raise CommandError(f"{len(outcome['failed'])} user(s) failed to sync.")
