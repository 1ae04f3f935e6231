from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models

# The read-only demo account created by `manage.py load_demo` (music/demo_data/).
DEMO_SPOTIFY_ID = "personalify-demo"
DEMO_READ_ONLY = "The demo is read-only: log in with Spotify to use your own music."


class User(AbstractUser):
    """A Personalify user, stored in the seed's ``users`` table.

    ``id``, ``spotify_id`` and ``display_name`` are the seed's columns; the rest is what
    Django's auth needs. Staff accounts made with createsuperuser have no Spotify id.
    """

    spotify_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    display_name = models.CharField(max_length=255, blank=True, default="")
    # Spotify refused the refresh token (invalid_grant): every page asks to log in again.
    needs_reauth = models.BooleanField(default=False)
    # IANA name ("Europe/Berlin") the listening statistics use for days and hours; "" = the
    # browser's zone (the tz cookie), else UTC.
    time_zone = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        db_table = "users"

    def __str__(self) -> str:
        return self.display_name or self.spotify_id or self.username

    @property
    def zone(self) -> ZoneInfo:
        """The user's time zone (UTC when unset or unknown to this server)."""
        try:
            return ZoneInfo(self.time_zone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    @property
    def is_demo(self) -> bool:
        """The read-only demo account: shown to visitors, never synced or deleted by them."""
        return self.spotify_id == DEMO_SPOTIFY_ID


class UserSession(AbstractBaseSession):
    """A login session (SESSION_ENGINE accounts.sessions), with whose it is, indexed.

    Deleting an account finds its sessions with one indexed query instead of decoding every
    session; expired sessions are cleared daily (accounts.tasks).
    """

    user_pk = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        db_table = "user_sessions"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
