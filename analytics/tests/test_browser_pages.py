"""The site's own pages (home, errors) in a real browser at a phone's and a desktop's width."""

import pytest

from .browser import browser_context, chromium, horizontal_overflow, screenshot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]


@pytest.mark.parametrize("width", [360, 1440])
def test_home_fits_the_screen_when_a_visitor_arrives(browser_context, live_server, width):  # noqa: F811
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/")
    overflow = horizontal_overflow(page)
    screenshot(page, f"home-before-{width}")
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow
