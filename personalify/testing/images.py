"""A fake image host (Spotify's i.scdn.co stand-in) serving real JPEG and PNG bytes, and the
ways a real one fails: not found, not an image, too large, a redirect, too slow, a bomb."""

from __future__ import annotations

import io

from PIL import Image

from .fakehttp import FakeHTTPServer, Reply

RED, BLUE = (220, 30, 30), (30, 60, 220)


def picture_bytes(colour: tuple[int, int, int], *, format: str = "JPEG", size=(300, 300)) -> bytes:  # noqa: A002
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=format)
    return out.getvalue()


def fake_image_server(*, delay: float = 0.0) -> FakeHTTPServer:
    """Routes: /image/red.jpg (a 300x300 JPEG), /image/blue.png (PNG), /image/huge.jpg (over
    2 MiB of JPEG, declared), /image/gone
    (404), /image/page (HTML), /image/moved (302 to red.jpg), /image/slow.jpg (after ``delay``),
    /image/bomb.png (a 20000x20000 PNG header), /image/broken.jpg (not JPEG bytes)."""
    server = FakeHTTPServer()
    jpeg = {"Content-Type": "image/jpeg"}
    server.route("GET", "/image/red.jpg", Reply(body=picture_bytes(RED), headers=jpeg))
    png = picture_bytes(BLUE, format="PNG")
    server.route("GET", "/image/blue.png", Reply(body=png, headers={"Content-Type": "image/png"}))
    huge = picture_bytes(RED) + b"\0" * (2 * 1024 * 1024 + 1)
    server.route("GET", "/image/huge.jpg", Reply(body=huge, headers=jpeg))
    server.route("GET", "/image/gone", Reply(404, body=b"", headers=jpeg))
    server.route("GET", "/image/page", Reply(body="<html>not an image</html>"))
    server.route(
        "GET", "/image/moved", Reply(302, body=b"", headers={"Location": "/image/red.jpg"})
    )
    server.route(
        "GET", "/image/slow.jpg", Reply(body=picture_bytes(RED), headers=jpeg, delay=delay)
    )
    bomb = picture_bytes(BLUE, format="PNG", size=(1, 1))
    # The IHDR says 20000 x 20000 (the CRC is not checked before the size is).
    bomb = bomb[:16] + (20000).to_bytes(4, "big") * 2 + bomb[24:]
    server.route("GET", "/image/bomb.png", Reply(body=bomb, headers={"Content-Type": "image/png"}))
    server.route("GET", "/image/broken.jpg", Reply(body=b"\xff\xd8 not really", headers=jpeg))
    return server
