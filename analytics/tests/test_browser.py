"""The dashboard in a real browser: Playwright driving Debian's Chromium against live_server."""

import io

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from accounts.selectors import user_demo_get
from lyrics.models import TrackLyrics
from music.services import demo_load
from music.spotify import TimeRange
from personalify.progress import WORKER_UNAVAILABLE
from personalify.testing.users import spotify_user_make

from .browser import horizontal_overflow, screenshot
from .dashboard_data import top_cache, top_payload, vibe_row

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]


@pytest.fixture
def carol(transactional_db):
    user = spotify_user_make(None, spotify_id="carol-sp", username="carol", display_name="Carol")
    for time_range in ("short_term", "medium_term", "long_term"):
        ids = [f"{time_range[:2]}{i}" for i in range(30)]
        shared = [f"a{i}" for i in range(30)]
        artist_ids = shared if time_range != "short_term" else [*shared[5:25], *ids[:10]]
        top_cache(top_payload(user.spotify_id, time_range, artist_ids=artist_ids, n=30))
    return user


@pytest.fixture
def vibe(carol):
    for time_range in TimeRange.values:
        vibe_row(carol, time_range)


@pytest.fixture
def logged_in(browser_context, live_server):
    """Log a user in by handing the browser a real session cookie."""

    def login(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        browser_context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )
        return browser_context.new_page()

    return login


def test_dashboard_range_switch_changes_the_url_and_the_lists(logged_in, live_server, carol, vibe):
    page = logged_in(carol)
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("#artists li[data-rank]").first.inner_text().find("Artist a5") >= 0
    page.get_by_role("link", name="Last 6 months").click()
    page.wait_for_url("**/dashboard/?range=medium_term")
    assert "Artist a0" in page.locator("#artists li[data-rank]").first.inner_text()
    assert (
        page.locator('nav[aria-label="Time range"] a[aria-current="page"]').inner_text()
        == "Last 6 months"
    )


def test_dashboard_is_keyboard_navigable_to_the_range_switch(logged_in, live_server, carol, vibe):
    page = logged_in(carol)
    page.goto(f"{live_server.url}/dashboard/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.range") == "long_term":
            break
    else:
        pytest.fail("the time range links are not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/?range=long_term")


def test_share_image_downloads_as_a_1080_by_1920_png(logged_in, live_server, carol, vibe):
    page = logged_in(carol)
    page.goto(f"{live_server.url}/dashboard/?range=medium_term")
    page.locator("input[name=kind][value=tracks]").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Save as image").click()
    download = download_info.value
    assert download.suggested_filename == "personalify-tracks-medium_term.png"
    image = Image.open(io.BytesIO(download.path().read_bytes()))
    assert image.format == "PNG" and image.size == (1080, 1920)


def test_sync_now_says_the_worker_is_unavailable_when_the_broker_is_down(
    logged_in, live_server, carol, vibe, broker_down
):
    page = logged_in(carol)
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("button", name="Sync now").click()
    error = page.locator("#sync-error")
    error.wait_for(state="visible")
    assert WORKER_UNAVAILABLE in error.inner_text()
    assert page.locator("#sync-progress").is_hidden()
    assert page.get_by_role("button", name="Sync now").is_enabled()


# --- The whole flow: log in through the local fake Spotify, sync, history, share ---------------


@pytest.fixture
def spotify_login(browser_context, live_server, fake_spotify_factory, settings):
    """Log in through the home page's button, the fake Spotify's consent and the callback."""
    fake = fake_spotify_factory(latency=0.05, n_items=25)
    settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/oauth/complete/spotify/"

    def login():
        page = browser_context.new_page()
        page.goto(f"{live_server.url}/")
        page.get_by_role("button", name="Log in with Spotify").click()
        page.wait_for_url(f"{live_server.url}/dashboard/**", timeout=60_000)
        return page

    login.fake = fake
    return login


def test_login_through_spotify_lands_on_a_synced_dashboard(spotify_login):
    page = spotify_login()
    catalogue = spotify_login.fake.catalogue
    assert page.locator("h1").inner_text() == "Your top music"
    first = page.locator("#artists li[data-rank]").first
    assert first.get_attribute("data-rank") == "1"
    assert page.locator("#artists li[data-rank]").count() == 25
    assert page.locator("#tracks li[data-rank]").count() == 25
    assert "Last synced" in page.locator("#sync").inner_text()
    assert catalogue is not None


def test_sync_now_shows_progress_and_finishes(spotify_login):
    page = spotify_login()
    spotify_login.fake.server.latency = 0.3  # slow enough to see the progress
    before = page.locator("#sync time").get_attribute("datetime")
    page.get_by_role("button", name="Sync now").click()
    page.locator("#sync-progress").wait_for(state="visible")
    # When the sync ends the page reloads itself with the new sync time.
    page.wait_for_function(
        "before => { const t = document.querySelector('#sync time');"
        " return t && t.getAttribute('datetime') !== before; }",
        arg=before,
        timeout=60_000,
    )
    assert page.locator("#sync-progress").is_hidden()
    assert page.locator("#sync-error").is_hidden()


def test_history_lists_the_syncs_after_sync_now(spotify_login):
    page = spotify_login()
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="History").click()
    page.wait_for_url("**/dashboard/history/")
    short = page.locator('section[data-range="short_term"] li.history-entry')
    assert short.count() >= 1
    assert page.locator('section[data-range="medium_term"] li.history-entry').count() >= 1
    screenshot(page, "history-1440")


def test_switching_ranges_after_login_keeps_the_range_in_the_url(spotify_login):
    page = spotify_login()
    page.get_by_role("link", name="Last year").click()
    page.wait_for_url("**/dashboard/?range=long_term")
    assert page.locator("#artists li[data-rank]").count() == 25
    page.reload()
    assert (
        page.locator('nav[aria-label="Time range"] a[aria-current="page"]').inner_text()
        == "Last year"
    )


@pytest.mark.parametrize("width", [360, 1440])
def test_dashboard_fits_the_screen_without_horizontal_overflow(spotify_login, width):
    page = spotify_login()
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    page.wait_for_selector("#genres svg")  # charts drawn by the app's own script
    page.wait_for_selector("#mood svg")
    for details in page.query_selector_all("details"):
        details.evaluate("d => d.open = true")
    overflow = horizontal_overflow(page)
    assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow
    for details in page.query_selector_all("details"):
        details.evaluate("d => d.open = false")
    screenshot(page, f"dashboard-{width}")


def test_history_shows_recent_plays_in_the_browsers_time_zone_and_remembers_it(
    chromium,
    live_server,
    carol,
):
    from datetime import UTC, datetime

    from music.services.plays import PlayRow, plays_store

    # 22:30 UTC on 1 July is 07:30 on 2 July in Tokyo.
    when = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    plays_store(plays=[PlayRow(spotify_id=carol.spotify_id, played_at=when, track_id="t1",
                               track_name="Night Song")])  # fmt: skip
    context = chromium.new_context(timezone_id="Asia/Tokyo")
    try:
        client = Client()
        client.force_login(carol)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/dashboard/history/")
        time_ = page.locator("#recently-played time")
        assert time_.inner_text() == "Thu 2 Jul, 07:30"  # rewritten by the script at once
        assert page.locator("#recently-played [data-tz]").inner_text() == "Asia/Tokyo"
        page.reload()  # now the server knows the zone from the cookie
        assert time_.inner_text() == "Thu 2 Jul, 07:30"
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies["tz"] == "Asia%2FTokyo"
    finally:
        context.close()


# --- From the dashboard to a song's emotion arc (the demo's bundled lyrics) --------------------
# In this module: the session's one Chromium is this module's fixture (a second module importing
# it would start a second Playwright in the same loop).


@pytest.fixture
def demo_page(browser_context, live_server):
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


# --- Listening history: upload Spotify's export, watch the import, read the statistics --------
# (In this module: the session's Chromium fixture may be imported by one module only.)

PLAYS = 450


@pytest.fixture
def dora_page(browser_context, live_server, archive_ready, settings, tmp_path):
    """Dora, logged in, with her statistics in Berlin time and her uploads in a temporary place."""
    settings.PLAY_IMPORT_DIR = str(tmp_path / "imports")
    settings.PLAY_IMPORT_BATCH_SIZE = 100
    dora = spotify_user_make(
        None, spotify_id="dora-sp", username="dora", display_name="Dora", time_zone="Europe/Berlin"
    )
    client = Client()
    client.force_login(dora)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return browser_context.new_page()


def test_upload_shows_live_progress_and_then_the_statistics(dora_page, live_server, broker_down):
    import threading
    from datetime import timedelta

    from music.models import PlayImport
    from music.services.plays_import import play_import_claim, play_import_run
    from personalify.testing.spotify_export import START, extended_items, json_bytes

    page = dora_page
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="Import your listening history").click()
    page.wait_for_url("**/listening/import/")
    export = json_bytes(extended_items(PLAYS, step=timedelta(minutes=37)))
    page.set_input_files(
        "#import-files",
        files=[
            {
                "name": "Streaming_History_Audio_2024_0.json",
                "mimeType": "application/json",
                "buffer": export,
            }
        ],
    )
    page.get_by_role("button", name="Import").click()
    # No worker yet (the broker is down): the import waits, and says so.
    page.locator(".import-job .import-state").wait_for()
    assert "Waiting for the worker" in page.locator(".import-job .import-state").inner_text()

    # The worker: this thread, holding after its first stored batch until the page showed it.
    job = PlayImport.objects.get()
    shown, go = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def hold(state: PlayImport) -> None:
        if state.imported == 100 and not shown.is_set():
            shown.set()
            go.wait(timeout=60)

    def work() -> None:
        try:
            play_import_run(
                import_id=job.pk, attempt=play_import_claim(import_id=job.pk), on_checkpoint=hold
            )
        except BaseException as exc:
            failures.append(exc)
            shown.set()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        assert shown.wait(timeout=60)
        # Locator assertions, not wait_for_function: the CSP forbids evaluating strings.
        expect(page.locator('[data-count="imported"]')).to_have_text("100", timeout=30_000)
        assert "Importing" in page.locator(".import-job .import-state").inner_text()
        screenshot(page, "import-progress-1440")
    finally:
        go.set()
        worker.join(timeout=60)
    assert not failures, failures
    # Done: the page reloads itself and shows the final counts.
    expect(page.locator(".import-job .import-state")).to_contain_text("Imported", timeout=30_000)
    assert page.locator('[data-count="imported"]').inner_text() == str(PLAYS)

    last = START + timedelta(minutes=37 * (PLAYS - 1))
    page.goto(
        f"{live_server.url}/analytics/listening/?period=custom&from={START:%Y-%m-%d}"
        f"&to={last:%Y-%m-%d}"
    )
    assert page.locator("#total-plays").inner_text() == str(PLAYS)
    assert page.locator("#top-tracks li").count() == 20
    assert page.locator("#clock td").count() == 7 * 24
    page.get_by_role("link", name="Minutes").click()
    page.wait_for_url("**metric=ms**")
    assert page.locator("#top-tracks .ranked-value").first.inner_text().endswith("min")
    page.locator("#top-artists a").first.click()
    page.wait_for_url("**/analytics/listening/artist/**")
    assert page.locator("#first-listen").is_visible()
    for width in (360, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(
            f"{live_server.url}/analytics/listening/?period=custom&from={START:%Y-%m-%d}"
            f"&to={last:%Y-%m-%d}"
        )
        overflow = horizontal_overflow(page)
        assert overflow["scrollWidth"] <= overflow["innerWidth"], overflow
        screenshot(page, f"listening-{width}")
