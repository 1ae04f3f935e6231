"""The genre card in a real browser: a development-mode account's MusicBrainz genres, and the
lookup's progress kept current while the page polls."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from music.selectors import GENRES_PROGRESS
from personalify.progress import progress_set
from personalify.testing.users import spotify_user_make

from .browser import SCREENSHOTS, horizontal_overflow, screenshot
from .dashboard_data import genres_for, top_cache, top_payload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]

MB_GENRES = ["shoegaze", "dream pop", "post-punk", "jazz"]


@pytest.fixture
def dave(transactional_db):
    """A development-mode account whose genres came from MusicBrainz (12 of 50 without)."""
    user = spotify_user_make(None, spotify_id="dave-sp", username="dave", display_name="Dave")
    payload = top_payload(user.spotify_id, n=50, dev_mode=True)
    for artist in payload["artists"]:
        rank = artist["rank"]
        matched = rank <= 38
        artist["genres"] = [MB_GENRES[rank % 4], MB_GENRES[(rank + 1) % 4]] if matched else []
        artist["genres_source"] = "musicbrainz" if matched else None
        artist["musicbrainz_checked"] = True
    genres = genres_for(payload["artists"])
    top_cache(
        {
            **payload,
            "genres": genres,
            "genres_available": True,
            "genres_summary": {
                "sources": ["musicbrainz"],
                "unclassified": 12,
                "unmatched": 12,
                "artists": 50,
            },
        }
    )
    return user


@pytest.fixture
def open_dashboard(browser_context, live_server):
    def open_as(user, width: int):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        browser_context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        page = browser_context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/dashboard/")
        return page

    return open_as


@pytest.mark.parametrize("width", [360, 1440])
def test_genre_card_shows_musicbrainz_genres_and_the_unmatched_count(open_dashboard, dave, width):
    page = open_dashboard(dave, width)
    card = page.locator("#genres")
    expect(card.locator(".genre").first).to_be_visible()
    expect(card).to_contain_text("Genres from MusicBrainz")
    expect(card).to_contain_text("12 of 50 artists have no genres on MusicBrainz.")
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow["culprits"]
    screenshot(page, f"dashboard-genres-musicbrainz-{width}")
    card.screenshot(path=str(SCREENSHOTS / f"genres-card-musicbrainz-{width}.png"))


def test_genre_card_follows_the_lookup_and_reloads_when_it_ends(open_dashboard, dave):
    progress_set(kind=GENRES_PROGRESS, owner=dave.pk, state="running", done=3, total=20)
    page = open_dashboard(dave, 1440)
    text = page.locator(".genres-lookup-text")
    expect(text).to_have_text("Looking up genres on MusicBrainz: 3 of 20 artists…")
    progress_set(kind=GENRES_PROGRESS, owner=dave.pk, state="running", done=7, total=20)
    expect(text).to_have_text("Looking up genres on MusicBrainz: 7 of 20 artists…")
    page.locator("#genres").screenshot(path=str(SCREENSHOTS / "genres-card-lookup-1440.png"))
    progress_set(kind=GENRES_PROGRESS, owner=dave.pk, state="done", done=20, total=20)
    expect(page.locator(".genres-lookup")).to_have_count(0, timeout=10_000)  # reloaded
    expect(page.locator("#genres")).to_contain_text("Genres from MusicBrainz")
