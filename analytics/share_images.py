"""Pictures for the share card: artist photos and album covers fetched on the server.

Only from Spotify's image hosts (``SHARE_IMAGE_ORIGINS``, scheme and host patterns), with a
short timeout, no redirects, a size cap on the bytes and on the pixels, and JPEG/PNG/WebP only.
Each picture is kept in the cache as a small JPEG (a failure too, for less long), so a card
drawn again costs no request. Anything that goes wrong gives None: the card draws the
placeholder instead.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from personalify.cache import cache_get, cache_set
from personalify.http import http_session

logger = logging.getLogger(__name__)

FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 4096 * 4096  # a decompression bomb is refused before it is decoded
SIDE = 160  # pixels kept: the card draws pictures 128 px wide
FAILED = "-"  # cached in place of a picture that could not be fetched


def share_image_cache_key(url: str) -> str:
    return "share:image:" + hashlib.sha256(url.encode()).hexdigest()[:40]


def share_image_url_allowed(url: str | None) -> bool:
    """True when the URL's scheme and host match one of SHARE_IMAGE_ORIGINS (a pattern such as
    ``https://image-cdn-*.spotifycdn.com``), with no user name or password in it."""
    if not url or len(url) > 2048:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if (
        parts.username
        or parts.password
        or not parts.hostname
        or parts.scheme not in {"http", "https"}
    ):
        return False
    origin = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")
    return any(fnmatchcase(origin, pattern) for pattern in settings.SHARE_IMAGE_ORIGINS)


def _download(url: str) -> bytes | None:
    session = http_session(timeout=settings.SHARE_IMAGE_TIMEOUT, connect_retries=0)
    cap = settings.SHARE_IMAGE_MAX_BYTES
    with session, session.get(url, stream=True, allow_redirects=False) as response:
        if response.status_code != 200:
            return None
        if not response.headers.get("Content-Type", "").startswith("image/"):
            return None
        if int(response.headers.get("Content-Length") or 0) > cap:
            return None
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body.extend(chunk)
            if len(body) > cap:
                return None
    return bytes(body)


def _thumbnail(data: bytes) -> bytes | None:
    with Image.open(io.BytesIO(data)) as image:
        if image.format not in FORMATS or image.width * image.height > MAX_PIXELS:
            return None
        image.draft("RGB", (SIDE, SIDE))  # JPEG: decode at a reduced scale
        picture = image.convert("RGB")
    side = min(picture.size)
    left, top = (picture.width - side) // 2, (picture.height - side) // 2
    picture = picture.crop((left, top, left + side, top + side)).resize((SIDE, SIDE))
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=85)
    return out.getvalue()


def share_image_get(url: str | None) -> Image.Image | None:
    """The square picture at ``url`` (SIDE x SIDE, RGB), or None when it is not on an allowed
    host or cannot be fetched; cached either way."""
    if not share_image_url_allowed(url):
        return None
    key = share_image_cache_key(url)
    cached = cache_get(key)
    if cached == FAILED:
        return None
    jpeg = None
    if isinstance(cached, str):
        try:
            jpeg = base64.b64decode(cached, validate=True)
        except ValueError:
            jpeg = None
    if jpeg is None:
        try:
            data = _download(url)
            jpeg = _thumbnail(data) if data else None
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
            # requests' errors are OSErrors; so are Pillow's truncated files.
            logger.info("Share card picture not fetched (%s): %s", type(exc).__name__, exc)
            jpeg = None
        if jpeg is None:
            cache_set(key, FAILED, settings.SHARE_IMAGE_FAILED_CACHE_SECONDS)
            return None
        cache_set(key, base64.b64encode(jpeg).decode(), settings.SHARE_IMAGE_CACHE_SECONDS)
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            return image.convert("RGB")
    except (OSError, UnidentifiedImageError):
        return None
