"""Fixed-window request counters in the cache, who a visitor is for them, and the spacing of
requests to an outside service for the whole site."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from .cache import CacheUnavailable, cache_call, cache_guarded, cache_redis_client, cache_set

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


# --- Spacing between requests to an outside service, for the whole site -----------------------
#
# Some services allow one request per interval per client address (MusicBrainz: one a second),
# so every process of the site (web workers, Celery workers) must share one clock. On Redis one
# Lua script reads Redis's own clock and claims the next moment atomically, so two hosts with
# different clocks still space their requests. With the in-memory cache of the embedded default
# (one process) a process-wide lock does the same.

_SPACING_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local ms = tonumber(ARGV[1])
if ARGV[2] == 'pause' then
  local resume = now + ms
  if resume > free_at then
    redis.call('SET', KEYS[1], string.format('%d', resume), 'PX', ms + 60000)
  end
  return 0
end
if free_at > now then
  return free_at - now
end
redis.call('SET', KEYS[1], string.format('%d', now + ms), 'PX', ms + 60000)
return 0
"""
_local_spacing: dict[str, float] = {}
_local_spacing_lock = threading.Lock()


def _spacing(key: str, ms: int, action: str) -> float:
    client = cache_redis_client()
    if client is not None:  # Redis: the whole site
        redis = client.get_client(write=True)
        return int(redis.eval(_SPACING_SCRIPT, 1, client.make_key(key), ms, action)) / 1000
    with _local_spacing_lock:  # the in-memory cache lives in this process only
        now = time.monotonic()
        free_at = _local_spacing.get(key, 0.0)
        if action == "pause":
            _local_spacing[key] = max(free_at, now + ms / 1000)
            return 0.0
        if free_at > now:
            return free_at - now
        _local_spacing[key] = now + ms / 1000
        return 0.0


def spacing_claim(*, key: str, interval: float) -> float:
    """Claim the right to send one request now, at most one per ``interval`` seconds under
    ``key`` for the whole site: 0 when claimed, else the seconds to wait before claiming again.

    Raises CacheUnavailable when Redis is configured but down: the caller must not guess (every
    process falling back to its own clock would multiply the rate by the number of processes).
    """
    return cache_guarded(_spacing, f"spacing:{key}", round(interval * 1000), "claim")


def spacing_pause(*, key: str, seconds: float) -> None:
    """No request under ``key`` may be claimed for ``seconds`` (a 503/429 Retry-After), by any
    process of the site. CacheUnavailable when Redis is configured but down."""
    cache_guarded(_spacing, f"spacing:{key}", round(seconds * 1000), "pause")


def spacing_wait(
    *,
    key: str,
    interval: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Wait until a request under ``key`` may be sent (``spacing_claim`` until it is claimed)."""
    while (wait := spacing_claim(key=key, interval=interval)) > 0:
        sleep(wait)
