"""From the dashboard to a song's emotion arc, in a real browser (the demo's bundled lyrics)."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.selectors import user_demo_get
from lyrics.models import TrackLyrics
from music.services import demo_load

from .browser import browser_context, chromium, horizontal_overflow, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_page(browser_context, live_server):  # noqa: F811 - the fixture imported above
    """The demo loaded (lyrics and moods included) and a browser logged in as it."""
    assert demo_load().ok
    demo = user_demo_get()
    client = Client()
    client.force_login(demo)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    return browser_context.new_page()


@pytest.mark.parametrize("width", [360, 1440])
def test_dashboard_track_opens_its_lyrics_with_an_emotion_arc(demo_page, live_server, width):
    page = demo_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/dashboard/")
    found = set(TrackLyrics.objects.filter(status="found").values_list("track_id", flat=True))
    links = page.locator("#tracks a.lyrics-link")
    href = next(
        h
        for h in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
        if h.rstrip("/").rsplit("/", 1)[1] in found
    )
    page.locator(f'#tracks a.lyrics-link[href="{href}"]').first.click()
    page.wait_for_url(f"**{href}")
    page.wait_for_selector("#arc-chart svg")  # drawn by the app's own script
    points = page.locator("#arc-chart svg circle.arc-point").count()
    lines = page.locator("#arc-chart svg path.arc-line").count()
    sections = page.locator(".arc-list li").count()
    assert sections >= 4 and lines >= 1 and points == lines * sections
    assert (
        page.locator("#arc-chart svg")
        .get_attribute("aria-label")
        .startswith("Emotion arc of the song:")
    )
    assert page.locator(".lyrics-line").count() > 10
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow
    screenshot(page, f"lyrics-{width}")
