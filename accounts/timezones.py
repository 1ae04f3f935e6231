"""The time zone every time on a page is shown in: the one chosen on the Account page, else the
browser's (the ``tz`` cookie that analytics/timezone.js keeps), else UTC."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, available_timezones

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

TZ_COOKIE = "tz"  # written by analytics/timezone.js; not secret, no token


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name (URL-encoded or not), or None when missing or unknown."""
    name = unquote(name or "")  # the script writes it URL-encoded ("America%2FNew_York")
    if not name or len(name) > 64 or name not in _zones():
        return None
    return ZoneInfo(name)


def request_zone(request: HttpRequest) -> ZoneInfo | None:
    """The account's zone when it chose one, else the browser's; None for neither (UTC)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.time_zone:
        return zone_named(user.time_zone)
    return zone_named(request.COOKIES.get(TZ_COOKIE))


class TimeZoneMiddleware:
    """Activates the request's zone, so every ``|date`` and ``|time`` of every page shows it.
    After AuthenticationMiddleware (it reads the user's choice)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = request_zone(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
