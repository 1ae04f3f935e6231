"""Fixed-window request counters in the cache, and who a visitor is for them."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from .cache import CacheUnavailable, cache_call, cache_set

# Stands for "no address known" (an IP address, as django-axes requires one).
UNKNOWN_ADDRESS = str(ipaddress.IPv4Address(0))


# Seconds of one counting window (the privacy page says how long counters live).
RATE_LIMIT_WINDOW = 60


def rate_limit_hit(*, key: str, limit: int, window: int = RATE_LIMIT_WINDOW) -> bool:
    """Count one request under ``key``; True when it is over ``limit`` in the current window.

    Fails open when the cache is down (the outage is logged once by personalify.cache).
    """
    key = f"ratelimit:{key}"
    try:
        cache_call("add", key, 0, timeout=window)
        count = cache_call("incr", key)
    except CacheUnavailable as exc:
        if not isinstance(exc.__cause__, ValueError):
            return False
        # The key expired between add and incr (incr raises ValueError): a new window starts.
        cache_set(key, 1, timeout=window)
        count = 1
    return count > limit


def client_address(request: HttpRequest) -> str:
    """The caller's IP address: REMOTE_ADDR, or the address the TLS proxy saw when behind one.

    Behind the proxy (settings.SECURE_PROXY_SSL_HEADER set) the last X-Forwarded-For entry is
    the one the proxy appended; earlier entries are the client's to invent. Never empty and
    always an IP address ("0.0.0.0" when none is known), as django-axes requires.
    """
    candidates = [request.META.get("REMOTE_ADDR", "")]
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        candidates.insert(0, forwarded.rsplit(",", 1)[-1].strip())
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return UNKNOWN_ADDRESS


def visitor_keys(request: HttpRequest) -> dict[str, str]:
    """Who is asking, for per-visitor limits: the session (when there is one) and the address."""
    keys = {"address": client_address(request)}
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        keys["session"] = session_key
    return keys
