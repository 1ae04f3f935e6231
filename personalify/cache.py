"""Cache key function: keys are stored exactly as the code names them.

Django's default prefixes every key with ``:<version>:``; the seed documents plain keys such as
``top:<spotify_id>:<time_range>`` that an operator reads with ``redis-cli GET``.

Also: cache calls that survive a Redis outage (``cache_get``/``cache_set``/...).
"""

import logging
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache


def plain_key(key: str, key_prefix: str, version: int) -> str:
    return f"{key_prefix}{key}" if key_prefix else key


# --- Cache calls that survive a Redis outage ---------------------------------------------------
#
# The cache is an accelerator: when Redis is down, callers fall back to PostgreSQL. The outage is
# logged once (not once per request) and again when the cache answers.
#
# A Redis that accepts connections and never answers costs a socket timeout per call, and a page
# makes several calls. So after a failure the cache is skipped for ``CACHE_BACKOFF_SECONDS``: calls
# fail at once without touching the network, then one call probes, and the others keep skipping
# until that probe has answered.

logger = logging.getLogger("personalify.cache")
_state = {"down": False, "retry_at": 0.0}
_state_lock = threading.Lock()


class CacheUnavailable(Exception):
    """The cache backend could not be reached."""


def _mark(down: bool, exc: Exception | None = None) -> None:
    with _state_lock:
        if down and not _state["down"]:
            logger.warning(
                "Cache unavailable (%s: %s); serving from PostgreSQL until it is back.",
                type(exc).__name__,
                exc,
            )
        elif not down and _state["down"]:
            logger.warning("Cache is reachable again.")
        _state["down"] = down
        _state["retry_at"] = time.monotonic() + settings.CACHE_BACKOFF_SECONDS if down else 0.0


def _skipping() -> bool:
    """True while the cache is in its back-off; the first call after it ends probes (and moves
    the end on, so concurrent callers keep skipping while that probe waits)."""
    if not _state["down"]:
        return False
    with _state_lock:
        now = time.monotonic()
        if now < _state["retry_at"]:
            return True
        _state["retry_at"] = now + settings.CACHE_BACKOFF_SECONDS
        return False


def cache_state_reset() -> None:
    """Forget an outage (tests that point the cache elsewhere and back)."""
    with _state_lock:
        _state.update(down=False, retry_at=0.0)


def cache_call(method: str, *args, **kwargs):
    """Call ``cache.<method>``; raise CacheUnavailable (logged once per outage) if it fails, and
    at once, without a network call, during the back-off after a failure. A ``get`` of a key
    read by the enclosing ``cache_prefetch`` is answered from that read."""
    prefetched = _prefetched.get()
    if prefetched is not None and args:
        if method == "get" and args[0] in prefetched["keys"]:
            return _prefetched_value(prefetched, args[0], args[1] if len(args) > 1 else None)
        prefetched["keys"].discard(args[0])  # written or deleted: read it again from now on
    return _guarded(getattr(cache, method), *args, **kwargs)


# --- Many keys in one round trip ----------------------------------------------------------------
#
# A page that reads a dozen small keys pays a dozen round trips (each one waits behind other
# processes on a busy machine). ``cache_prefetch`` reads them all with one MGET; within the
# block, cache_get / cache_call("get") / cache_bytes_get of those keys answer from it (a write
# or delete of a key drops it from the block's copy). On Redis each value is decoded when it is
# first read, not before: a page that reads a key as bytes, or not at all, never pays for its
# JSON. Scoped to the block by a context variable (per thread/task).
_prefetched: ContextVar[dict | None] = ContextVar("personalify_cache_prefetched", default=None)


@contextmanager
def cache_prefetch(keys):
    keys = list(keys)
    try:
        found = _guarded(_stored_many, keys)
    except CacheUnavailable:
        found = None  # each read goes to the cache (or its fallback) as usual
    token = _prefetched.set(None if found is None else {"keys": set(keys), **found})
    try:
        yield
    finally:
        _prefetched.reset(token)


def _stored_many(keys: list[str]) -> dict:
    """``{"stored": {key: bytes as Redis holds them}, "decoded": {}}`` on Redis; the cache API's
    values as ``decoded`` elsewhere (the local-memory default keeps objects, not bytes)."""
    client = cache_redis_client()
    if client is None:
        return {"stored": {}, "decoded": cache.get_many(keys)}
    values = client.get_client(write=False).mget([client.make_key(key) for key in keys])
    stored = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
    return {"stored": stored, "decoded": {}}


def _prefetched_value(prefetched: dict, key: str, default):
    decoded = prefetched["decoded"]
    if key not in decoded:
        stored = prefetched["stored"].get(key)
        if stored is None:
            return default
        try:
            decoded[key] = cache_redis_client().decode(stored)
        except ValueError as exc:  # not our JSON: as if the cache had refused the read
            raise CacheUnavailable(f"the value of {key} could not be decoded") from exc
    return decoded[key]


# --- Bytes stored as they are -------------------------------------------------------------------
#
# A large value that is only ever bytes (rendered HTML) costs its JSON encoding and decoding for
# nothing: on Redis it is written and read with the raw client, elsewhere through the cache API.


def cache_bytes_get(key: str) -> bytes | None:
    """The bytes ``cache_bytes_set`` stored under ``key`` (None when there are none, or the cache
    is down). Within ``cache_prefetch``, answered from its read."""
    prefetched = _prefetched.get()
    if prefetched is not None and key in prefetched["keys"]:
        value = prefetched["stored"].get(key, prefetched["decoded"].get(key))
    else:
        try:
            value = _guarded(_bytes_read, key)
        except CacheUnavailable:
            return None
    return bytes(value) if isinstance(value, bytes | bytearray | memoryview) else None


def _bytes_read(key: str):
    client = cache_redis_client()
    if client is None:
        return cache.get(key)
    return client.get_client(write=False).get(client.make_key(key))


def cache_bytes_set(key: str, value: bytes, timeout: int) -> bool:
    """Store ``value`` under ``key`` for ``timeout`` seconds; False when the cache is down."""
    prefetched = _prefetched.get()
    if prefetched is not None:
        prefetched["keys"].discard(key)

    def write():
        client = cache_redis_client()
        if client is None:
            cache.set(key, value, timeout)
        else:
            client.get_client(write=True).set(client.make_key(key), value, ex=max(1, int(timeout)))

    try:
        _guarded(write)
    except CacheUnavailable:
        return False
    return True


def _guarded(function, *args, **kwargs):
    if _skipping():
        raise CacheUnavailable("the cache failed moments ago; it is skipped for a short back-off")
    try:
        result = function(*args, **kwargs)
    except ValueError as exc:
        # The cache answered, and refused the call (incr of a key that expired): not an outage,
        # so no back-off; the caller reads the cause.
        raise CacheUnavailable(str(exc)) from exc
    except Exception as exc:
        _mark(True, exc)
        raise CacheUnavailable(str(exc)) from exc
    if _state["down"]:
        _mark(False)
    return result


def cache_guarded(function, *args, **kwargs):
    """Run ``function`` (a cache operation of its own, e.g. a Redis script) with the outage
    handling of ``cache_call``: CacheUnavailable when it fails or during the back-off."""
    return _guarded(function, *args, **kwargs)


def cache_get(key: str, default=None):
    """cache.get, or ``default`` when the cache is down."""
    try:
        return cache_call("get", key, default)
    except CacheUnavailable:
        return default


def cache_set(key: str, value, timeout: int | None = None) -> bool:
    """cache.set; False when the cache is down."""
    try:
        cache_call("set", key, value, timeout)
    except CacheUnavailable:
        return False
    return True


def cache_delete(key: str) -> bool:
    """cache.delete; False when the cache is down."""
    try:
        cache_call("delete", key)
    except CacheUnavailable:
        return False
    return True


# --- Compare-and-act on one key (locks) -------------------------------------------------------
#
# A lock holder renews or releases its lock only while the key still holds its own token: on
# Redis one Lua script does the compare and the act atomically; the in-memory cache of the
# embedded default lives in this process only, so a process-wide lock makes it atomic there.

_IF_EQUAL = {
    "delete": "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('del', KEYS[1]) end return 0",
    "expire": "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0",
}
_local_compare_lock = threading.Lock()


def cache_redis_client():
    """django-redis' client of the cache (``make_key``, ``encode``, ``get_client``) when the cache
    is Redis, for operations the cache API lacks (scripts, raw bytes); None otherwise."""
    client = getattr(cache, "client", None)
    return client if client is not None and hasattr(client, "get_client") else None


def _if_equal(action: str, key: str, expected: str, timeout: float | None = None) -> bool:
    client = cache_redis_client()
    if client is not None:
        args = [client.encode(expected, allow_int=False)]
        if action == "expire":
            args.append(int(timeout * 1000))
        redis = client.get_client(write=True)
        return bool(redis.eval(_IF_EQUAL[action], 1, client.make_key(key), *args))
    with _local_compare_lock:
        if cache.get(key) != expected:
            return False
        return cache.delete(key) if action == "delete" else cache.touch(key, timeout)


def cache_delete_if(key: str, expected: str) -> bool:
    """Delete ``key`` only if it holds ``expected`` (atomically); CacheUnavailable when down."""
    return _guarded(_if_equal, "delete", key, expected)


def cache_touch_if(key: str, expected: str, timeout: float) -> bool:
    """Give ``key`` a new life of ``timeout`` seconds only if it holds ``expected``
    (atomically): False when it holds something else or nothing; CacheUnavailable when down."""
    return _guarded(_if_equal, "expire", key, expected, timeout)
