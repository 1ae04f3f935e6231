"""The share card's pictures: fetched on the server from Spotify's image hosts only, with a
timeout and size caps, cached, and the placeholder when anything goes wrong."""

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from PIL import Image

from analytics.pictures import placeholder_rgb
from analytics.share_images import SIDE, share_image_cache_key, share_image_get
from analytics.share_images import share_image_url_allowed as allowed
from personalify.testing.images import BLUE, RED, fake_image_server

from .dashboard_data import top_cache, top_payload

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


@pytest.fixture
def images(settings):
    with fake_image_server(delay=1.0) as server:
        settings.SHARE_IMAGE_ORIGINS = [server.url]
        yield server


def close(rgb, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, expected, strict=True))


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://i.scdn.co/image/ab6761610000e5eb1a2b", True),
        ("https://mosaic.scdn.co/640/ab67616d0000b273", True),
        ("https://image-cdn-ak.spotifycdn.com/image/ab67", True),
        ("https://image-cdn-fa.spotifycdn.com/image/ab67", True),
        ("http://i.scdn.co/image/ab67", False),  # not over HTTPS
        ("https://i.scdn.co.evil.example/image/ab67", False),
        ("https://evil.example/i.scdn.co/image/ab67", False),
        ("https://user@i.scdn.co/image/ab67", False),
        ("https://i.scdn.co:8443/image/ab67", False),
        ("https://cdn.spotifycdn.com/image/ab67", False),
        ("file:///etc/passwd", False),
        ("", False),
        (None, False),
    ],
)
def test_share_image_url_is_allowed_only_when_it_is_on_spotifys_image_hosts(settings, url, ok):
    settings.SHARE_IMAGE_ORIGINS = [
        "https://i.scdn.co",
        "https://mosaic.scdn.co",
        "https://image-cdn-*.spotifycdn.com",
    ]
    assert allowed(url) is ok


@pytest.mark.parametrize(("path", "colour"), [("/image/red.jpg", RED), ("/image/blue.png", BLUE)])
def test_share_image_get_returns_the_square_picture_when_the_host_serves_one(images, path, colour):
    picture = share_image_get(images.url + path)
    assert picture.size == (SIDE, SIDE)
    assert close(picture.getpixel((SIDE // 2, SIDE // 2)), colour)


def test_share_image_get_asks_the_host_once_when_asked_twice(images):
    url = images.url + "/image/red.jpg"
    share_image_get(url)
    assert share_image_get(url) is not None
    assert len(images.requests_to("/image/red.jpg")) == 1
    assert isinstance(cache.get(share_image_cache_key(url)), str)


@pytest.mark.parametrize(
    "path",
    [
        "/image/gone",  # 404
        "/image/page",  # not an image
        "/image/moved",  # a redirect is not followed
        "/image/huge.jpg",  # over the byte cap
        "/image/bomb.png",  # over the pixel cap
        "/image/broken.jpg",  # not what it says
    ],
)
def test_share_image_get_is_none_and_remembered_when_the_picture_is_unusable(images, path):
    url = images.url + path
    assert share_image_get(url) is None
    assert share_image_get(url) is None
    assert len(images.requests_to(path)) == 1  # the failure is cached too


def test_share_image_get_is_none_when_the_host_is_too_slow(images, settings):
    settings.SHARE_IMAGE_TIMEOUT = 0.2
    assert share_image_get(images.url + "/image/slow.jpg") is None


def test_share_image_get_is_none_when_the_picture_is_larger_than_the_cap(images, settings):
    settings.SHARE_IMAGE_MAX_BYTES = 1000  # the red JPEG is larger
    assert share_image_get(images.url + "/image/red.jpg") is None


def test_share_image_get_never_asks_a_host_that_is_not_allowed(images, settings):
    settings.SHARE_IMAGE_ORIGINS = ["https://i.scdn.co"]
    assert share_image_get(images.url + "/image/red.jpg") is None
    assert images.requests == []


# The first row's picture on the card: its centre, and a point inside it clear of the letter.
CENTRE, BESIDE_LETTER = (96 + 90 + 64, 560 + 8 + 64), (96 + 90 + 24, 560 + 8 + 24)


def card(client, kind):
    response = client.get(reverse("analytics:share-image"), {"range": "short_term", "kind": kind})
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def test_share_card_shows_the_artists_photo_when_it_can_be_fetched(alice_client, alice, images):
    payload = top_payload(alice.spotify_id, n=5)
    for artist in payload["artists"]:
        artist["image"] = images.url + "/image/red.jpg"
    top_cache(payload)
    assert close(card(alice_client, "artists").getpixel(CENTRE), RED)


def test_share_card_shows_the_album_cover_when_it_can_be_fetched(alice_client, alice, images):
    payload = top_payload(alice.spotify_id, n=5)
    for track in payload["tracks"]:
        track["album"]["image"] = images.url + "/image/blue.png"
    top_cache(payload)
    assert close(card(alice_client, "tracks").getpixel(CENTRE), BLUE)


@pytest.mark.parametrize("path", ["/image/gone", "/image/huge.jpg"])
def test_share_card_shows_the_placeholder_when_the_picture_fails(alice_client, alice, images, path):
    payload = top_payload(alice.spotify_id, n=5)
    for artist in payload["artists"]:
        artist["image"] = images.url + path
    top_cache(payload)
    name = payload["artists"][0]["name"]
    assert close(card(alice_client, "artists").getpixel(BESIDE_LETTER), placeholder_rgb(name), 2)


def test_share_card_shows_the_placeholder_when_the_host_is_not_spotifys(
    alice_client, alice, images, settings
):
    settings.SHARE_IMAGE_ORIGINS = ["https://i.scdn.co"]
    payload = top_payload(alice.spotify_id, n=5)
    payload["artists"][0]["image"] = images.url + "/image/red.jpg"
    top_cache(payload)
    name = payload["artists"][0]["name"]
    assert close(card(alice_client, "artists").getpixel(BESIDE_LETTER), placeholder_rgb(name), 2)
    assert images.requests == []
