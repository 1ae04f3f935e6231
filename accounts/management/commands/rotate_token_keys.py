"""Re-encrypt every stored Spotify token with the first of TOKEN_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand

from accounts.services import spotify_tokens_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt stored Spotify tokens with the first TOKEN_ENCRYPTION_KEYS key (run after "
        "putting a new key first; then the old keys can be removed)."
    )

    def handle(self, *args, **options):
        rotated, unreadable = spotify_tokens_rotate()
        self.stdout.write(f"Re-encrypted the tokens of {rotated} Spotify logins.")
        if unreadable:
            self.stderr.write(
                f"{unreadable} logins could not be decrypted with any key; "
                "those users are asked to log in again."
            )
