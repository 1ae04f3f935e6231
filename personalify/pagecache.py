"""Whole rendered pages of one logged-in user, kept in the cache until what they show changes.

A page whose data have not changed costs one cache round trip: a single MGET of the user's two
page-version keys (``page:version:<user id>`` and ``page:version:<spotify id>``) and the page's
entry (``page:<user id>:<digest of the path, its chosen query parameters and the tz cookie>``).
The entry carries the versions it was rendered under; when they still match, the stored HTML is
served. Whatever changes what a page shows bumps a version (``page_version_bump``: progress
records, syncs' top lists, vibes, plays, the user row), so the next view renders it again.

- Isolation: the entry's key holds the user's id; nothing is shared between users.
- CSRF: pages are rendered with a placeholder in place of every ``{% csrf_token %}`` value
  (the ``page_cache`` context processor), replaced on every response by this request's token.
- Messages: a request with pending messages is rendered as usual and not kept.
- Time: an entry lives at most PAGE_CACHE_SECONDS; a view may shorten that for one response
  (``response.page_cache_seconds``, 0 = do not keep), e.g. until a cooldown ends.
- Trust: entries are signed (HMAC-SHA256, key derived from SECRET_KEY), so whoever
  can write to Redis still cannot make a page serve markup that our templates did not render.
- Cost: an entry is the page compressed once (``personalify.gzipparts``: split at the CSRF
  placeholders, each piece deflated on its own), read and written as bytes with Redis' raw
  client. A client that takes gzip (every browser) gets the compressed page with this
  response's token spliced in as stored deflate blocks: no decompression, no recompression, a
  tenth of the bytes through Redis, the signature check and the socket. Any other client gets
  it decompressed.
- PAGE_CACHE = False turns it off (every page rendered; the benchmark measures that too).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import uuid
import zlib
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from .cache import CacheUnavailable, cache_guarded, cache_redis_client
from .gzipparts import accepts_gzip, gzip_join, pack, plain_join

CSRF_PLACEHOLDER = "pagecache-csrf-token-4f1d0c"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
HEADER = "X-Page-Cache"
logger = logging.getLogger(__name__)
_RENDERING = "_page_cache_rendering"
_SEPARATOR = b"\n"
# In every page's key: entries of an earlier layout (whole HTML before pages were packed) are
# never read as packed pages after an upgrade.
_LAYOUT = "packed-2"


@functools.cache
def templates_version() -> str:
    """A digest of every template of the project: an upgrade never serves old markup."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha1(usedforsecurity=False)
    paths = sorted(base.glob("*/templates/**/*.html")) + sorted(base.glob("templates/**/*.html"))
    for path in paths:
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def _signing_key(secret: str) -> bytes:
    return hashlib.sha256(b"personalify.pagecache|" + secret.encode()).digest()


def _signature(key: str, version: bytes, content_type: bytes, packed: bytes) -> bytes:
    # HMAC-SHA256 (OpenSSL's, with the CPU's SHA instructions where it has them): ~10 us over
    # the dashboard's 12 KB packed page, on every kept page served.
    mac = hmac.new(
        _signing_key(settings.SECRET_KEY),
        key.encode() + b"|" + version + b"|" + content_type + b"|",
        "sha256",
    )
    mac.update(packed)
    return mac.hexdigest().encode()


# --- The store: raw bytes on Redis, the cache API elsewhere (the local-memory default) -------


def _redis():
    client = cache_redis_client()
    return client.get_client(write=True) if client is not None else None


def _mget(keys: list[str]) -> list[bytes | None]:
    def read():
        redis = _redis()
        if redis is not None:
            return redis.mget(keys)
        found = cache.get_many(keys)
        return [found.get(k) for k in keys]

    return cache_guarded(read)


def _set(key: str, value: bytes, seconds: int, *, only_new: bool = False) -> bool:
    def write():
        redis = _redis()
        if redis is not None:
            return bool(redis.set(key, value, ex=max(1, int(seconds)), nx=only_new))
        if only_new:
            return cache.add(key, value, seconds)
        cache.set(key, value, seconds)
        return True

    return cache_guarded(write)


def page_version_key(owner) -> str:
    return f"page:version:{owner}"


def page_version_bump(owner) -> None:
    """Every cached page of ``owner`` (a user id or a Spotify id) is out of date. A user id and
    a Spotify id that happen to be equal only cost each other a render."""
    if owner is None or owner == "":
        return
    with contextlib.suppress(CacheUnavailable):  # entries live at most PAGE_CACHE_SECONDS
        _set(page_version_key(owner), uuid.uuid4().hex[:16].encode(), _version_seconds())


def _version_seconds() -> int:
    return settings.PAGE_CACHE_VERSION_SECONDS


def _owners(user) -> list:
    return [user.pk] + ([user.spotify_id] if user.spotify_id else [])


def _versions_create(keys: list[str], found: list[bytes | None]) -> bytes:
    """The version keys that are missing (new, expired or evicted) get one; an entry is never
    tagged with a missing version (an evicted version could not tell it apart)."""
    versions = []
    for key, value in zip(keys, found, strict=True):
        if value is None:
            fresh = uuid.uuid4().hex[:16].encode()
            if not _set(key, fresh, _version_seconds(), only_new=True):
                fresh = _mget([key])[0]
                if fresh is None:
                    raise CacheUnavailable("a page version could not be read back")
            value = fresh
        versions.append(bytes(value))
    return b"|".join(versions)


def _page_key(request, params: tuple[str, ...]) -> str:
    parts = [_LAYOUT, templates_version(), request.get_host(), request.path]
    parts += [f"{name}={request.GET.get(name, '')}" for name in params]
    parts.append(request.COOKIES.get(settings.PAGE_CACHE_COOKIE, ""))
    digest = hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()[:20]
    return f"page:{request.user.pk}:{digest}"


def _entry_read(key: str, version: bytes, entry: bytes | None) -> tuple[bytes, str] | None:
    """``(packed page, content type)`` of an entry written under ``version`` and signed by us."""
    if not entry:
        return None
    try:
        head, packed = bytes(entry).split(_SEPARATOR, 1)
        entry_version, content_type, signature = head.split(b" ", 2)
    except ValueError:
        return None
    if entry_version != version:
        return None
    if not hmac.compare_digest(signature, _signature(key, version, content_type, packed)):
        return None
    return packed, content_type.decode()


def _entry(key: str, version: bytes, packed: bytes, content_type: str) -> bytes:
    kept_type = content_type.replace(" ", "").encode()  # the head is split at spaces
    head = b" ".join([version, kept_type, _signature(key, version, kept_type, packed)])
    return head + _SEPARATOR + packed


def _with_token(request, html: bytes) -> bytes:
    return html.replace(_PLACEHOLDER, get_token(request).encode())


def _serve(request, response: HttpResponse, packed: bytes, state: str) -> HttpResponse:
    """``response`` carrying the kept page with this request's CSRF token: gzip when the client
    takes it."""
    token = get_token(request).encode()
    if accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response.content = gzip_join(packed, token)
        response["Content-Encoding"] = "gzip"
    else:
        response.content = plain_join(packed, token)
    patch_vary_headers(response, ("Accept-Encoding",))
    response[HEADER] = state
    return response


def page_cache_context(request) -> dict:
    """Context processor: while a page is rendered for the cache, its CSRF tokens are a
    placeholder (each response gets its own request's token)."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, _RENDERING, False) else {}


def page_cached(params: tuple[str, ...] = ()):
    """Keep the view's 200 responses per user, path and ``params`` (the query parameters the
    page depends on; a request with any other parameter is rendered and not kept). The view
    must be behind login_required and answer GET only."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                not settings.PAGE_CACHE
                or request.method != "GET"
                or not request.user.is_authenticated
                or set(request.GET) - set(params)
                or len(get_messages(request))
            ):
                return view(request, *args, **kwargs)
            version_keys = [page_version_key(owner) for owner in _owners(request.user)]
            key = _page_key(request, params)
            try:
                *versions, entry = _mget([*version_keys, key])
                if all(v is not None for v in versions):
                    version = b"|".join(bytes(v) for v in versions)
                    hit = _entry_read(key, version, entry)
                    if hit is not None:
                        packed, content_type = hit
                        # Not a packed page (cannot be ours unless SECRET_KEY leaked): render.
                        with contextlib.suppress(ValueError, zlib.error):
                            return _serve(
                                request, HttpResponse(content_type=content_type), packed, "hit"
                            )
                else:
                    version = _versions_create(version_keys, versions)
            except CacheUnavailable:
                return view(request, *args, **kwargs)
            setattr(request, _RENDERING, True)
            try:
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()  # a TemplateResponse: rendered now, with the placeholder
            finally:
                setattr(request, _RENDERING, False)
            if response.streaming:
                return response
            seconds = getattr(response, "page_cache_seconds", settings.PAGE_CACHE_SECONDS)
            if response.status_code == 200 and not response.cookies and seconds > 0:
                content_type = response.get("Content-Type", "text/html")
                packed = pack(response.content.split(_PLACEHOLDER))
                with contextlib.suppress(CacheUnavailable):
                    _set(
                        key,
                        _entry(key, version, packed, content_type),
                        min(seconds, settings.PAGE_CACHE_SECONDS),
                    )
                return _serve(request, response, packed, "miss")  # as the next hit will be
            response.content = _with_token(request, response.content)
            response[HEADER] = "miss"
            return response

        return wrapper

    return decorate


def page_cache_forget_user(*, user_id: int) -> None:
    """Delete every cached page of one user (their account is being deleted)."""
    page_version_bump(user_id)  # in case the pattern delete below cannot run
    pattern_delete = getattr(cache, "delete_pattern", None)  # django-redis (SCAN, not KEYS)
    if pattern_delete is None:
        return  # the local-memory cache: entries expire within PAGE_CACHE_SECONDS
    try:
        pattern_delete(f"page:{user_id}:*")
    except Exception:  # noqa: BLE001 - the entries expire within PAGE_CACHE_SECONDS anyway
        logger.warning("Could not delete the cached pages of a deleted account")
