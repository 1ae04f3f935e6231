"""Placeholders: the first meaningful letter of a name and a stable, readable colour."""

import colorsys

import pytest

from analytics.pictures import (
    LIGHTNESS,
    PLACEHOLDER_TEXT,
    SATURATION,
    contrast_ratio,
    placeholder_colour,
    placeholder_letter,
    placeholder_rgb,
)

from .dashboard_data import page, top_cache, top_payload


@pytest.mark.parametrize(
    ("name", "letter"),
    [
        ("The Velvet Static", "V"),
        ("the velvet static", "V"),
        ("A Tribe Called Quest", "T"),
        ("An Horse", "H"),
        ("Anthrax", "A"),  # "An" only as a word of its own
        ("Theory of a Deadman", "T"),
        ("The The", "T"),  # nothing meaningful would be left: keep the article
        ("The", "T"),
        ("(G)I-DLE", "G"),
        ("$uicideboy$", "U"),
        ("...And You Will Know Us", "A"),
        ("2Pac", "2"),
        ("21 Savage", "2"),
        ("  élan vital", "É"),
        ("e\u0301lan", "É"),  # decomposed accent: one letter, not a bare combining mark
        ("ßtraße", "ß"),  # its upper case is two letters: kept as it is
        ("Ólafur Arnalds", "Ó"),
        ("坂本龍一", "坂"),
        ("!!!", "!"),
        ("", "?"),
        (None, "?"),
    ],
)
def test_placeholder_letter_is_the_first_meaningful_one_when_the_name_has_one(name, letter):
    assert placeholder_letter(name) == letter


def test_placeholder_colour_is_the_same_when_the_name_is_the_same():
    assert placeholder_colour("The Velvet Static") == placeholder_colour("The Velvet Static")
    assert placeholder_colour("The Velvet Static") == placeholder_colour(" the velvet static")


def test_placeholder_colour_differs_when_the_names_differ():
    names = [f"The Band {i}" for i in range(20)]
    assert len({placeholder_colour(name) for name in names}) > 10


def test_placeholder_colour_is_readable_with_white_text_when_any_hue_is_drawn():
    for hue in range(360):
        rgb = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue / 360, LIGHTNESS, SATURATION))
        assert contrast_ratio(rgb, PLACEHOLDER_TEXT) >= 4.5, hue
    assert contrast_ratio(placeholder_rgb("The Velvet Static"), PLACEHOLDER_TEXT) >= 4.5


@pytest.mark.django_db(databases=["default", "archive"])
def test_dashboard_placeholders_show_the_meaningful_letter_when_artists_have_no_picture(
    alice_client, alice
):
    payload = top_payload(alice.spotify_id, n=3)
    for number, artist in enumerate(payload["artists"]):
        artist["name"], artist["image"] = f"The {'XYZ'[number]}ebras", None
    top_cache(payload)
    tree = page(alice_client.get("/dashboard/"))
    spans = tree.xpath('//section[@id="artists"]//span[contains(@class,"placeholder")]')
    assert [span.text for span in spans] == ["X", "Y", "Z"]
    assert spans[0].get("style") == f"background-color: {placeholder_colour('The Xebras')}"


@pytest.mark.django_db(databases=["default", "archive"])
def test_dashboard_pictures_carry_their_placeholder_when_artists_have_one(alice_client, alice):
    payload = top_payload(alice.spotify_id, n=1)
    payload["artists"][0].update(name="The Velvet Static", image="https://i.scdn.co/image/ab67")
    top_cache(payload)
    tree = page(alice_client.get("/dashboard/"))
    img = tree.xpath('//section[@id="artists"]//img')[0]
    assert img.get("data-placeholder") == "V"
    assert img.get("data-placeholder-colour") == placeholder_colour("The Velvet Static")
    assert img.get("alt") == "Photo of The Velvet Static"
