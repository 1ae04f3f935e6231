"""axe-core on every page, at a phone's and a desktop's width, in Debian's Chromium.

The pages are the real ones against live_server, as the demo listener (its data, lyrics and
listening archive are loaded) or as a visitor. axe is injected into a browser context made with
``bypass_csp=True`` (only these contexts: the Content-Security-Policy is meant to refuse an
injected script, and every other browser test runs under it).
"""

import json

import pytest
from django.conf import settings
from django.test import Client

from accounts.selectors import user_demo_get
from lyrics.models import TrackLyrics
from music.models import UserTrack
from music.services import demo_load

from .browser import SCREENSHOTS, Offline, axe_violations, chromium  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]

VISITOR_PAGES = {
    "home": "/",
    "about": "/about/",
    "privacy": "/privacy/",
    "terms": "/terms/",
    "404": "/no-such-page/",
    "admin-login": "/admin/login/",
}
EMOTION_TEXT = "I miss you so much it hurts.\nBut morning comes and I smile again."


def demo_pages() -> dict[str, str]:
    """Every page the demo listener can open, with the ids of its own data in the URLs."""
    track_id = TrackLyrics.objects.filter(status="found").values_list("track_id", flat=True).first()
    artist_id = (
        UserTrack.objects.filter(user=user_demo_get())
        .values_list("track__artists__id", flat=True)
        .first()
    )
    return {
        "dashboard-4-weeks": "/dashboard/?range=short_term",
        "dashboard-6-months": "/dashboard/?range=medium_term",
        "dashboard-year": "/dashboard/?range=long_term",
        "history": "/dashboard/history/",
        "mood": "/analytics/mood/",
        "emotions": "/analytics/emotions/",
        "lyrics-search": "/lyrics/",
        "song": f"/lyrics/track/{track_id}/",
        "listening": "/analytics/listening/?period=all",
        "listening-artist": f"/analytics/listening/artist/{artist_id}/",
        "import": "/listening/import/",
        "account": "/accounts/",
    }


@pytest.fixture
def axe_context(chromium, live_server, archive_ready):  # noqa: F811 - the fixture imported above
    """Two browser profiles that may run axe: a visitor's and the demo listener's."""
    assert demo_load().ok
    client = Client()
    client.force_login(user_demo_get())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    offline = Offline()
    contexts = {}
    for who in ("visitor", "demo"):
        context = chromium.new_context(bypass_csp=True, viewport={"width": 1440, "height": 900})
        context.route("**/*", offline)
        contexts[who] = context
    contexts["demo"].add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    yield contexts
    for context in contexts.values():
        context.close()
    assert not offline.blocked, f"a page tried to reach the internet: {offline.blocked}"


def _check(page, url: str, found: dict, name: str) -> None:
    response = page.goto(url)
    assert response.status == (404 if name == "404" else 200), (name, url, response.status)
    page.wait_for_load_state("networkidle")
    for details in page.query_selector_all("details"):
        details.evaluate("d => d.open = true")  # what is behind "Show all" counts too
    violations = axe_violations(page)
    if violations:
        found[name] = violations


@pytest.mark.parametrize("width", [360, 1440])
def test_every_page_has_no_axe_violations(axe_context, live_server, width):
    found: dict[str, list] = {}
    checked = []
    visitor = axe_context["visitor"].new_page()
    visitor.set_viewport_size({"width": width, "height": 900})
    for name, path in VISITOR_PAGES.items():
        _check(visitor, f"{live_server.url}{path}", found, name)
        checked.append(name)
    demo = axe_context["demo"].new_page()
    demo.set_viewport_size({"width": width, "height": 900})
    for name, path in demo_pages().items():
        _check(demo, f"{live_server.url}{path}", found, name)
        checked.append(name)
    # The emotions page with its result, "Show all" open.
    demo.goto(f"{live_server.url}/analytics/emotions/")
    demo.fill("textarea", EMOTION_TEXT)
    demo.get_by_role("button", name="Analyse").click()
    demo.wait_for_selector("#emotion-result")
    for details in demo.query_selector_all("details"):
        details.evaluate("d => d.open = true")
    if violations := axe_violations(demo):
        found["emotions-result"] = violations
    checked.append("emotions-result")
    assert len(checked) == 19
    report = SCREENSHOTS.parent / f"axe-{width}.json"  # build/, for reading a failure in full
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({"checked": checked, "violations": found}, indent=1))
    assert found == {}, found
