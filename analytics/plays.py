"""The listening archive as the History page shows it: the last plays, in the user's time zone.

The time zone comes from the ``tz`` cookie that the page's script sets from the browser
(``Intl.DateTimeFormat().resolvedOptions().timeZone``); anything that is not a known IANA name
is ignored (UTC is used and said).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings

from accounts import timezones
from music.archive.selectors import RECENT_LIMIT, plays_recent_list
from personalify.archive import UNAVAILABLE, ArchiveNotSetUp, ArchiveUnavailable

TZ_COOKIE = timezones.TZ_COOKIE


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def user_zone(name: str | None) -> ZoneInfo | None:
    """The browser's time zone from the cookie, or None when missing or not an IANA name."""
    name = unquote(name or "")  # the script writes it URL-encoded ("America%2FNew_York")
    if not name or len(name) > 64 or name not in _zones():
        return None
    return ZoneInfo(name)


def plays_recent_get(*, user, tz_name: str | None) -> dict:
    """The History page's plays section: the last plays, or why they cannot be shown."""
    zone = user_zone(tz_name)
    context = {
        "tz_name": zone.key if zone else "UTC",
        "plays": [],
        "plays_error": "",
        "plays_limit": RECENT_LIMIT,
        "poll_minutes": settings.RECENTLY_PLAYED_INTERVAL // 60,
    }
    try:
        context["plays"] = plays_recent_list(spotify_id=user.spotify_id)
    except ArchiveNotSetUp as exc:
        context["plays_error"] = f"{UNAVAILABLE}. {exc}" if user.is_staff else f"{UNAVAILABLE}."
    except ArchiveUnavailable:
        context["plays_error"] = f"{UNAVAILABLE}: try again in a moment."
    return context
