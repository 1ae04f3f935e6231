"""The site's own pages in a real browser at a phone's and a desktop's width: the home page, the
error pages, the About page's diagram, the Account page, the admin login, and pictures that
fail to load. Screenshots go to build/screenshots/ (<page>-<width>.png)."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from music.services import demo_load

from .browser import horizontal_overflow, screenshot
from .dashboard_data import top_cache, top_payload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]

ACCENT = "rgb(30, 215, 96)"
WIDTHS = [360, 1440]


@pytest.fixture
def at(browser_context, live_server):
    """A page of the given width, logged in as ``user`` when one is given."""

    def open_page(width: int, user=None):
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            browser_context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": cookie.value,
                        "url": live_server.url,
                    }
                ]
            )
        page = browser_context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        return page

    return open_page


def assert_fits(page):
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow


@pytest.mark.parametrize("width", WIDTHS)
def test_home_shows_a_primary_login_the_demo_and_a_picture_when_a_visitor_arrives(
    at, live_server, width
):
    assert demo_load().ok
    page = at(width)
    page.goto(f"{live_server.url}/")
    login = page.get_by_role("button", name="Log in with Spotify")
    expect(login).to_be_visible()
    assert login.evaluate("b => getComputedStyle(b).backgroundColor") == ACCENT
    demo = page.get_by_role("button", name="Try the demo")
    expect(demo).to_be_visible()
    assert demo.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(239, 239, 239)"
    expect(page.locator("#login-allow-list")).to_contain_text("at most 5")
    expect(page.locator("#demo-what")).to_contain_text("made-up listener")
    shot = page.locator(".hero-shot img")
    expect(shot).to_be_visible()
    assert shot.evaluate("i => i.complete && i.naturalWidth") == 800
    assert_fits(page)
    screenshot(page, f"home-after-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_home_offers_the_dashboard_when_logged_in(at, live_server, alice, width):
    page = at(width, alice)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Open your dashboard").click()
    page.wait_for_url("**/dashboard/")
    current = page.locator('nav[aria-label="Main"] a[aria-current="page"]')
    expect(current).to_have_text("Dashboard")
    assert ACCENT in current.evaluate("a => getComputedStyle(a).boxShadow")


@pytest.mark.parametrize("width", WIDTHS)
def test_not_found_page_has_the_navigation_and_a_way_back_when_the_address_is_wrong(
    at, live_server, width
):
    page = at(width)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("This page does not exist")
    assert_fits(page)
    screenshot(page, f"404-{width}")
    page.get_by_role("link", name="Back to the home page").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_login_is_branded_when_opened(at, live_server, width):
    page = at(width)
    page.goto(f"{live_server.url}/admin/login/")
    expect(page.locator("#site-name")).to_contain_text("Personalify administration")
    assert page.locator("#header").evaluate("h => getComputedStyle(h).backgroundColor") == (
        "rgb(24, 27, 34)"
    )
    screenshot(page, f"admin-login-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_about_diagram_text_is_at_least_12px_when_drawn(at, live_server, width):
    page = at(width)
    page.goto(f"{live_server.url}/about/")
    if width < 700:
        expect(page.locator(".diagram-wide")).to_be_hidden()
        boxes = page.locator(".diagram-narrow .arch-box")
        expect(boxes.first).to_be_visible()
        sizes = boxes.evaluate_all(
            "bs => bs.flatMap(b => [b, ...b.querySelectorAll('small')])"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
    else:
        expect(page.locator(".diagram-narrow")).to_be_hidden()
        svg = page.locator(".diagram-wide")
        # The SVG is scaled: its text's drawn size is its font size times the scale.
        sizes = svg.evaluate(
            """s => { const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
                      return [...s.querySelectorAll('text')].map(
                        t => parseFloat(getComputedStyle(t).fontSize) * scale); }"""
        )
    assert min(sizes) >= 12, sizes
    assert_fits(page)
    screenshot(page, f"about-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_account_page_has_a_red_delete_and_the_time_zone_when_opened(at, live_server, alice, width):
    page = at(width, alice)
    page.goto(f"{live_server.url}/accounts/")
    delete = page.get_by_role("button", name="Delete my account and data…")
    assert delete.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(198, 40, 40)"
    expect(page.get_by_label("Time zone", exact=False)).to_be_visible()
    expect(page.locator('nav[aria-label="Main"] a[aria-current="page"]')).to_have_text("Account")
    assert_fits(page)
    screenshot(page, f"account-{width}")


def test_a_picture_that_fails_to_load_becomes_its_placeholder(at, live_server, alice):
    payload = top_payload(alice.spotify_id, n=3)
    payload["artists"][0].update(
        name="The Velvet Static", image=f"{live_server.url}/static/img/no-such-picture.jpg"
    )
    top_cache(payload)
    page = at(1440, alice)
    page.goto(f"{live_server.url}/dashboard/")
    first = page.locator("#artists li[data-rank]").first
    placeholder = first.locator(".thumb.placeholder")
    expect(placeholder).to_have_text("V")
    expect(first.locator("img")).to_have_count(0)
    assert placeholder.evaluate("s => getComputedStyle(s).borderRadius") == "50%"
    # The pictures that did load are still pictures.
    expect(page.locator("#artists li[data-rank]").nth(1).locator("img")).to_have_count(1)


def test_admin_login_button_is_readable_when_drawn(at, live_server):
    page = at(1440)
    page.goto(f"{live_server.url}/admin/login/")
    button = page.locator('.submit-row input[type="submit"]')
    colours = button.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
    )
    assert colours == [ACCENT, "rgb(6, 36, 15)"]
