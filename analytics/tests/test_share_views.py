"""The share card: a PNG of the chosen top 5 and the vibe, only of the user's own data."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from .dashboard_data import (
    top_cache,
    top_payload,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("analytics:dashboard")


def test_share_image_is_404_when_the_data_is_someone_elses(alice_client, bob):
    top_cache(top_payload(bob.spotify_id))
    response = alice_client.get(
        reverse("analytics:share-image"), {"range": "short_term", "kind": "artists"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["artists", "tracks", "genres"])
def test_share_image_is_a_1080_by_1920_png_download(alice_client, alice, vibe, kind):
    top_cache(top_payload(alice.spotify_id))
    response = alice_client.get(
        reverse("analytics:share-image"), {"range": "short_term", "kind": kind}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="personalify-{kind}-short_term.png"'
    )
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1080, 1920)


def test_share_image_is_404_when_the_kind_is_unknown(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    response = alice_client.get(reverse("analytics:share-image"), {"kind": "email"})
    assert response.status_code == 404


def test_share_image_renders_without_a_vibe_when_spotify_gave_no_genres(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, dev_mode=True))
    response = alice_client.get(reverse("analytics:share-image"), {"kind": "artists"})
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (1080, 1920)


def test_share_image_is_404_when_the_chosen_list_is_empty(alice_client, alice):
    # The page disables "Top genres" when Spotify gave none: the URL does not offer it either.
    top_cache(top_payload(alice.spotify_id, dev_mode=True))
    response = alice_client.get(reverse("analytics:share-image"), {"kind": "genres"})
    assert response.status_code == 404


class _CountingDraw:
    """An ImageDraw that counts its text measurements."""

    def __init__(self):
        from PIL import ImageDraw

        self.draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
        self.measured = 0

    def textlength(self, text, font):
        self.measured += 1
        return self.draw.textlength(text, font=font)


@pytest.mark.parametrize("length", [200, 2_000, 20_000])
def test_share_card_fits_a_name_with_a_bounded_number_of_measurements_whatever_its_length(
    length,
):
    from analytics.share import _fit, _font

    draw = _CountingDraw()
    fitted = _fit(draw, "W" * length, _font(60, True), 800)
    assert fitted.endswith("…") and draw.textlength(fitted, _font(60, True)) <= 800
    assert draw.measured <= 12
