"""The dashboard and the emotions page on a phone (360 px) and a desktop (1440 px), as the demo
listener, in Debian's Chromium: section links, no holes in the grid, readable mood bars, the
busy state and the result of an analysis. Screenshots go to build/screenshots/*-after.png."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.selectors import user_demo_get
from music.services import demo_load

from .browser import SCREENSHOTS, browser_context, chromium, screenshot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]

SECTIONS = ["artists", "tracks", "genres", "mood", "changes", "share"]
TEXT = "I miss you so much it hurts.\nThe nights are long and cold.\nBut morning comes and I smile."


@pytest.fixture
def demo(browser_context, live_server):  # noqa: F811 - the fixture imported above
    assert demo_load().ok
    client = Client()
    client.force_login(user_demo_get())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return browser_context.new_page()


def _height(page, name: str) -> int:
    height = page.evaluate("document.documentElement.scrollHeight")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with (SCREENSHOTS / "heights.txt").open("a") as out:  # read by whoever compares layouts
        out.write(f"{name} {height}\n")
    return height


def test_dashboard_section_links_stay_on_screen_and_reach_mood_at_360(demo, live_server):
    page = demo
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/dashboard/")
    links = page.locator('nav[aria-label="Sections"] a')
    assert links.evaluate_all("as => as.map(a => a.hash.slice(1))") == SECTIONS
    nav = page.locator('nav[aria-label="Sections"]')
    assert nav.bounding_box()["y"] < 780  # on the first screen
    _height(page, "dashboard-360")
    screenshot(page, "dashboard-360-after")
    page.get_by_role("link", name="Mood", exact=True).click()
    page.wait_for_url("**#mood")
    heading = page.locator("#mood-title").bounding_box()
    bar = nav.bounding_box()
    assert bar["y"] == 0  # stuck to the top while the page scrolled
    assert bar["y"] + bar["height"] <= heading["y"] < 780  # the heading shows under the bar
    # The mood bars: full-size labels, none cut off, bars a phone can see.
    rows = page.locator("#mood .emotion-bars li")
    assert rows.count() >= 3
    for label in page.locator("#mood .emotion-label").all():
        size = label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 15 and label.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.locator("#mood .emotion-track").first.bounding_box()["width"] >= 100


def test_dashboard_grid_leaves_no_large_gap_at_1440(demo, live_server):
    page = demo
    page.set_viewport_size({"width": 1440, "height": 900})
    for time_range in ("short_term", "medium_term", "long_term"):
        page.goto(f"{live_server.url}/dashboard/?range={time_range}")
        # Below each card, the next card in its column (or the footer) starts within 120 px.
        gaps = page.evaluate(
            """() => {
              const cards = [...document.querySelectorAll('.dash-grid > .dash-card')]
                .map(c => ({id: c.id, box: c.getBoundingClientRect()}));
              const end = document.querySelector('.dash-grid').getBoundingClientRect().bottom;
              return cards.map(({id, box}) => {
                const below = cards.filter(o => o.box.top >= box.bottom - 1
                  && o.box.left < box.right && o.box.right > box.left);
                const next = below.length ? Math.min(...below.map(o => o.box.top)) : end;
                return [id, Math.round(next - box.bottom)];
              });
            }"""
        )
        spill = page.evaluate(
            """() => [...document.querySelectorAll('.dash-card')].flatMap(card => {
                 const edge = card.getBoundingClientRect().right;
                 return [...card.querySelectorAll('*')]
                   .filter(e => e.getBoundingClientRect().right > edge + 0.5
                                && !e.closest('.table-wrap, details:not([open])'))
                   .map(e => `${card.id} ${e.tagName}.${e.className}`);
               })"""
        )
        assert spill == [], spill  # nothing sticks out of its card
        if time_range == "short_term":
            _height(page, "dashboard-1440")
            screenshot(page, "dashboard-1440-after")
        assert max(gap for _, gap in gaps) <= 200, (time_range, gaps)
    genre_bars = page.locator("#genres .bar > span").evaluate_all(
        "spans => spans.map(s => s.getBoundingClientRect().width / s.parentElement.clientWidth)"
    )
    assert genre_bars[0] == pytest.approx(1, abs=0.01)  # the top genre fills its bar
    assert all(b <= genre_bars[0] for b in genre_bars)


@pytest.mark.parametrize("width", [360, 1440])
def test_emotions_shows_a_busy_state_submits_once_and_brings_the_result_into_view(
    demo, live_server, width
):
    page = demo
    page.set_viewport_size({"width": width, "height": 780})
    page.goto(f"{live_server.url}/analytics/emotions/")
    # A listener after the page's own records each submit and keeps the page here, so the
    # busy state can be read: "sent" when the page let the submit through, "blocked" if not.
    page.evaluate(
        """() => { window.submits = [];
          window.hold = e => { window.submits.push(e.defaultPrevented ? 'blocked' : 'sent');
                               e.preventDefault(); };
          document.getElementById('emotion-form').addEventListener('submit', window.hold); }"""
    )
    page.fill("textarea", TEXT)
    page.get_by_role("button", name="Analyse").click()
    button = page.locator("#emotion-submit")
    expect(button).to_be_disabled()
    expect(button).to_have_text("Analysing…")
    expect(page.locator("#emotion-form")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#emotion-busy")).to_contain_text("Analysing")
    button.click(force=True)  # a second press while busy: disabled, so no submit at all
    page.evaluate("() => document.getElementById('emotion-form').requestSubmit()")  # and Enter
    assert page.evaluate("() => window.submits") == ["sent", "blocked"]
    with page.expect_navigation():
        page.evaluate("() => document.getElementById('emotion-form').submit()")
    result = page.locator("#emotion-result")
    expect(result).to_be_focused()
    box = result.bounding_box()
    assert 0 <= box["y"] < 780 / 2  # brought into view, its top on the upper half
    fine = result.locator('ul[aria-label="Finer emotions"] li')
    assert 3 <= fine.count() < 28  # the rest is behind "Show all 28"
    assert result.get_by_text("Show all 28").is_visible()
    screenshot(page, f"emotions-{width}-after")


def test_dashboard_of_a_development_mode_account_hides_what_spotify_did_not_send(
    browser_context,  # noqa: F811 - the fixture imported above
    live_server,
    fake_spotify_factory,
    fake_musicbrainz,
):
    """A user synced against the fake Spotify in its 2026 development-mode shapes (no genres,
    popularity or followers), its genres then looked up on the fake MusicBrainz: the README's
    screenshot is this page."""
    from music.musicbrainz import MusicBrainzClient
    from music.services import library_sync
    from music.services.genres import artist_genres_lookup
    from music.spotify import TimeRange
    from personalify.testing.users import spotify_user_make

    fake = fake_spotify_factory(dev_mode=True, n_items=25)
    user = spotify_user_make(fake, spotify_id="devmode-sp", display_name="Robin")
    library_sync(user=user)
    styles = [{"shoegaze": 9, "dream pop": 4}, {"indie rock": 6}, {"synth-pop": 5, "new wave": 2}]
    for i, artist in enumerate(fake.catalogue.ranking("artists", TimeRange.SHORT)[:-2]):
        fake_musicbrainz.add(artist["id"], artist["name"], genres=styles[i % len(styles)])
    assert artist_genres_lookup(user=user, client=MusicBrainzClient()).error == ""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("#artists li[data-rank]").count() == 25
    assert page.locator("#artists .popularity").count() == 0
    assert page.locator("#genres li[data-genre]").count() == 5  # MusicBrainz's, not Spotify's
    assert "Genres from MusicBrainz" in page.locator("#genres").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 1500})  # down to Mood and Share
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-devmode-1440.png"))
