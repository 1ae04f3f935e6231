"""Playwright driving Debian's Chromium against Django's live_server (see shared machine.md).

The browser may only reach the live server: Spotify's image CDN is answered locally with a
generated picture, every other outside request is aborted and recorded (and fails the test).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"  # see its README
PALETTE = [(30, 215, 96), (122, 162, 255), (255, 204, 102), (255, 138, 128), (199, 146, 234)]


def cover_png(url: str) -> bytes:
    """A stand-in cover picture, its colour derived from the URL (stable screenshots)."""
    digest = hashlib.sha256(url.encode()).digest()
    base = PALETTE[digest[0] % len(PALETTE)]
    image = Image.new("RGB", (64, 64), tuple(int(c * 0.55) for c in base))
    for y in range(64):
        for x in range(0, 64, 2):
            if (x + y + digest[1]) % 24 < 12:
                image.putpixel((x, y), base)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# One Playwright and one Chromium per test process, however many test modules import the
# fixture below (each import is a fixture of its own; two Playwrights cannot share the loop).
_SHARED: dict = {"users": 0}


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's with `apt-get install -y chromium` "
            "(.ci/run does). Playwright's own browser download is not used.",
            pytrace=False,
        )
    if not _SHARED["users"]:
        # Playwright's sync API keeps an asyncio loop running in this thread; Django refuses ORM
        # calls from such a thread unless told it is fine (it is: this is test set-up code).
        _SHARED["previous"] = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
    _SHARED["users"] += 1
    yield _SHARED["browser"]
    _SHARED["users"] -= 1
    if not _SHARED["users"]:
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()
        previous = _SHARED.pop("previous")
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Offline:
    """Route handler: loopback passes, Spotify's image CDN gets a local picture, rest aborts."""

    def __init__(self):
        self.blocked: list[str] = []

    def __call__(self, route):
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if host in LOOPBACK or url.startswith(("data:", "blob:")):
            route.continue_()
        elif host.endswith("scdn.co"):
            route.fulfill(status=200, content_type="image/png", body=cover_png(url))
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def browser_context(chromium):
    """A fresh browser profile with downloads on; fails the test if it tried the internet."""
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1440, "height": 900})
    offline = Offline()
    context.route("**/*", offline)
    yield context
    context.close()
    assert not offline.blocked, f"the page tried to reach the internet: {offline.blocked}"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # A full-page capture does not scroll, so lazy images below the fold would stay blank.
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page) -> dict:
    """The page's scroll width against the viewport, and the elements sticking out on the right."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const culprits = [];
          for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.width && box.right > width + 0.5) {
              const name = `${el.tagName.toLowerCase()}.${el.className}`;
              culprits.push(`${name} right=${Math.round(box.right)}`);
            }
          }
          return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
                  culprits: culprits.slice(0, 10)};
        }"""
    )


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now (all its WCAG 2.x A/AA and best-practice
    rules), each as ``{"id", "impact", "help", "targets"}``. The page's context must have been
    made with ``bypass_csp=True``: the Content-Security-Policy rightly refuses the injected
    script otherwise."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE} (vendored: see its README)", pytrace=False)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => {
          const results = await axe.run(document, {resultTypes: ["violations"]});
          return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
          }));
        }"""
    )
    return found
