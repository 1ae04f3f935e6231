"""The 1080 x 1920 "story" card a user can save and share, drawn on the server with Pillow.

It shows only what the user chose (top 5 artists, tracks or genres of one time range) and the
vibe sentence: no name, no Spotify id, no e-mail.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .pictures import PLACEHOLDER_TEXT, placeholder_letter, placeholder_rgb

WIDTH, HEIGHT = 1080, 1920
MARGIN = 96
BG = (15, 17, 21)
PANEL = (24, 27, 34)
TEXT = (232, 234, 237)
MUTED = (169, 176, 188)
ACCENT = (30, 215, 96)
ITEMS = 5
# Debian's DejaVu when present (wide Unicode coverage); else Pillow's bundled font.
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu")]
# A drawing change makes every cached card stale (analytics.dashboard.share_card_get).
_SOURCE = Path(__file__).read_bytes()
SHARE_CODE_VERSION = hashlib.sha1(_SOURCE, usedforsecurity=False).hexdigest()[:12]


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for directory in FONT_DIRS:
        if (directory / name).exists():
            return ImageFont.truetype(str(directory / name), size)
    return ImageFont.load_default(size=size)


# No glyph of the card's fonts is narrower than this many pixels: a line of width w never holds
# more than w // NARROWEST characters, so longer text is cut before anything is measured.
NARROWEST = 4


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """Cut text with an ellipsis so it fits in width pixels.

    At most ``width // NARROWEST`` characters are ever measured, and the cut is found by binary
    search: the cost does not grow with the length of the text (a 2,000-character name costs
    what a 200-character one does).
    """
    text = text[: width // NARROWEST + 1]
    if draw.textlength(text, font=font) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with "…" is in [low, high)
    while low + 1 < high:
        middle = (low + high) // 2
        if draw.textlength(text[:middle] + "…", font=font) <= width:
            low = middle
        else:
            high = middle
    return text[:low].rstrip() + "…"


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, lines: int) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width:
            line = candidate
            continue
        if line:
            out.append(line)
        line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = [*out[: lines - 1], _fit(draw, " ".join(out[lines - 1 :]), font, width)]
    return out


PICTURE = 128  # side of a row's picture on the card


def share_picture_sources(top: dict, kind: str) -> list[tuple[str | None, str]]:
    """(picture URL, name its placeholder is drawn from) for each row of the card: the artist's
    photo, the track's album cover; genres have no picture (an empty list)."""
    if kind == "artists":
        return [(a.get("image"), a["name"]) for a in top["artists"][:ITEMS]]
    if kind == "tracks":
        return [
            ((t.get("album") or {}).get("image"), (t.get("album") or {}).get("name") or t["name"])
            for t in top["tracks"][:ITEMS]
        ]
    return []


def _mask(round_: bool) -> Image.Image:
    """An anti-aliased circle or rounded square (drawn 4x larger, then scaled down)."""
    big = Image.new("L", (PICTURE * 4, PICTURE * 4), 0)
    shape = ImageDraw.Draw(big)
    box = (0, 0, PICTURE * 4 - 1, PICTURE * 4 - 1)
    if round_:
        shape.ellipse(box, fill=255)
    else:
        shape.rounded_rectangle(box, radius=16 * 4, fill=255)
    return big.resize((PICTURE, PICTURE), Image.LANCZOS)


def _picture_draw(image: Image.Image, xy: tuple[int, int], picture, name: str, round_: bool):
    """The fetched picture, else the placeholder the site shows: the name's letter on its colour."""
    tile = Image.new("RGB", (PICTURE, PICTURE), placeholder_rgb(name))
    if picture is not None:
        tile = picture.convert("RGB").resize((PICTURE, PICTURE), Image.LANCZOS)
    else:
        draw = ImageDraw.Draw(tile)
        draw.text(
            (PICTURE / 2, PICTURE / 2),
            placeholder_letter(name),
            font=_font(64, True),
            fill=PLACEHOLDER_TEXT,
            anchor="mm",
        )
    image.paste(tile, xy, _mask(round_))


def _rows(top: dict, kind: str) -> list[tuple[str, str]]:
    """(title, detail) for the first five items of the chosen list."""
    if kind == "artists":
        return [(a["name"], ", ".join(a.get("genres") or [])) for a in top["artists"][:ITEMS]]
    if kind == "tracks":
        return [
            (t["name"], ", ".join(a["name"] for a in t.get("artists", [])))
            for t in top["tracks"][:ITEMS]
        ]
    return [(g["name"], f"{round(g['weight'] * 100)}%") for g in top["genres"][:ITEMS]]


def share_card_render(
    *, top: dict, kind: str, range_label: str, vibe: dict | None, pictures: list | None = None
) -> bytes:
    """A PNG story card of the chosen top 5 and the vibe. ``pictures``: a PIL image or None per
    row of artists or tracks (None draws the placeholder); genres have none."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BG)
    draw = ImageDraw.Draw(image)
    # A soft accent glow at the top: a vertical gradient band.
    for y in range(560):
        mix = (1 - y / 560) ** 2 * 0.35
        draw.line(
            [(0, y), (WIDTH, y)],
            fill=tuple(round(b + (a - b) * mix) for a, b in zip(ACCENT, BG, strict=True)),
        )
    inner = WIDTH - 2 * MARGIN

    draw.text((MARGIN, 140), "Personal", font=_font(56, True), fill=TEXT)
    draw.text(
        (MARGIN + draw.textlength("Personal", font=_font(56, True)), 140),
        "ify",
        font=_font(56, True),
        fill=ACCENT,
    )
    title = {"artists": "My top artists", "tracks": "My top tracks", "genres": "My top genres"}
    draw.text((MARGIN, 300), title[kind], font=_font(96, True), fill=TEXT)
    draw.text((MARGIN, 420), range_label, font=_font(52), fill=MUTED)

    rows = _rows(top, kind)
    sources = share_picture_sources(top, kind)
    pictures = list(pictures or [])
    y = 560
    if not rows:
        draw.text((MARGIN, y), "Nothing here yet.", font=_font(56), fill=MUTED)
    for rank, (name, detail) in enumerate(rows, start=1):
        draw.rounded_rectangle((MARGIN - 24, y - 16, WIDTH - MARGIN + 24, y + 160), 28, fill=PANEL)
        draw.text((MARGIN, y + 18), str(rank), font=_font(96, True), fill=ACCENT)
        text_x = MARGIN + 130
        if sources:
            picture = pictures[rank - 1] if rank <= len(pictures) else None
            name = sources[rank - 1][1]
            _picture_draw(image, (MARGIN + 90, y + 8), picture, name, kind == "artists")
            text_x = MARGIN + 90 + PICTURE + 32
        width = WIDTH - MARGIN - text_x
        draw.text(
            (text_x, y + 20),
            _fit(draw, name, _font(60, True), width),
            font=_font(60, True),
            fill=TEXT,
        )
        if detail:
            draw.text(
                (text_x, y + 100), _fit(draw, detail, _font(40), width), font=_font(40), fill=MUTED
            )
        y += 196

    # Five rows end at y = 1540; the vibe (at most three lines) fits above the footer.
    if vibe and vibe.get("sentence"):
        draw.text((MARGIN, 1560), "The vibe", font=_font(42, True), fill=ACCENT)
        for i, line in enumerate(_wrap(draw, vibe["sentence"], _font(52), inner, 3)):
            draw.text((MARGIN, 1625 + i * 66), line, font=_font(52), fill=TEXT)

    draw.text((MARGIN, HEIGHT - 76), "Made with Personalify", font=_font(34), fill=MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
