"""The app icons (PNG) for the web app manifest, drawn from the same design as static/img/icon.svg.

Generated once and committed: `python -m personalify.icons` rewrites static/img/icon-*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

BG = (15, 17, 21)
ACCENT = (30, 215, 96)
INK = (6, 36, 15)
# The SVG's three strokes (viewBox 64): cubic Béziers as start, control 1, control 2, end.
STROKES = [
    ((20, 26), (29, 23), (38, 24), (45, 28)),
    ((22, 33), (29, 31), (36, 32), (41, 35)),
    ((24, 40), (29, 39), (34, 39), (38, 41)),
]
SIZES = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),
}
OUT_DIR = Path(__file__).resolve().parent.parent / "static" / "img"


def _bezier(points, steps: int = 48) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def icon_render(size: int, *, maskable: bool = False) -> Image.Image:
    """One icon. Maskable: full-bleed background, the mark inside the central safe zone."""
    scale = 4  # draw large, then downsample: smooth edges without an SVG renderer
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=BG)
        unit = big / 64 * 0.8  # the mark shrinks into the 80 % safe circle
        offset = big * 0.1
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=round(big * 14 / 64), fill=BG)
        unit, offset = big / 64, 0.0

    def at(x: float, y: float) -> tuple[float, float]:
        return offset + x * unit, offset + y * unit

    cx, cy = at(32, 32)
    radius = 22 * unit
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=ACCENT)
    half = 3.5 * unit / 2
    for stroke in STROKES:
        # A round brush stamped along the curve: round caps and joins, no seams.
        for x, y in (at(px, py) for px, py in _bezier(stroke, steps=400)):
            draw.ellipse((x - half, y - half, x + half, y + half), fill=INK)
    return image.resize((size, size), Image.LANCZOS)


def main() -> int:
    for name, (size, maskable) in SIZES.items():
        icon_render(size, maskable=maskable).save(OUT_DIR / name, format="PNG", optimize=True)
        print(f"wrote static/img/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
