"""Placeholders for pictures that are missing or fail: a letter and a colour from the name.

The letter is the first meaningful one ("The Velvet Static" -> "V", "(G)I-DLE" -> "G"); the
colour is derived from the name, the same on every page and on the share card, and dark enough
for white text at WCAG AA (4.5:1) whatever the hue.
"""

from __future__ import annotations

import colorsys
import hashlib
import unicodedata

# Leading articles skipped when a word follows them ("The The" keeps its second "The").
ARTICLES = ("the ", "a ", "an ")
# HLS lightness and saturation of every placeholder: white text on them is above 4.5:1 for
# every hue (checked for all 360 hues in analytics/tests/test_pictures.py).
LIGHTNESS, SATURATION = 0.30, 0.45
PLACEHOLDER_TEXT = (255, 255, 255)


def _without_article(name: str) -> str:
    lowered = name.casefold()
    for article in ARTICLES:
        rest = name[len(article) :].lstrip()
        if lowered.startswith(article) and any(c.isalnum() for c in rest):
            return rest
    return name


def placeholder_letter(name: str | None) -> str:
    """The first letter or digit of the name after a leading "The", "A" or "An" and any leading
    punctuation, upper-case ("2Pac" -> "2", "$uicideboy$" -> "U"); the first visible character
    when it has neither ("!!!"); "?" for an empty name."""
    text = unicodedata.normalize("NFC", (name or "").strip())
    if not text:
        return "?"
    text = _without_article(text)
    for char in text:
        if char.isalnum():
            upper = char.upper()
            return upper if len(upper) == 1 else char  # "ß".upper() is "SS"
    return next((c for c in text if not c.isspace()), "?")


def placeholder_rgb(name: str | None) -> tuple[int, int, int]:
    """A colour derived from the name: the same name always gets the same colour."""
    key = unicodedata.normalize("NFC", (name or "").strip()).casefold()
    hue = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") % 360
    red, green, blue = colorsys.hls_to_rgb(hue / 360, LIGHTNESS, SATURATION)
    return round(red * 255), round(green * 255), round(blue * 255)


def placeholder_colour(name: str | None) -> str:
    """The placeholder colour as CSS hex ("#2b5e7a")."""
    return "#{:02x}{:02x}{:02x}".format(*placeholder_rgb(name))


def contrast_ratio(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(rgb):
        def channel(value):
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(v) for v in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)
