"""Import and statistics in a real browser: upload an export, watch its progress, read it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.test import Client

from music.models import PlayImport
from music.services.plays_import import play_import_claim, play_import_run
from personalify.testing.spotify_export import START, extended_items, json_bytes
from personalify.testing.users import spotify_user_make

from .browser import browser_context, chromium, horizontal_overflow, screenshot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
]
PLAYS = 450


@pytest.fixture
def dora_page(browser_context, live_server, archive_ready, settings, tmp_path):  # noqa: F811
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
        page.wait_for_function(
            "document.querySelector('[data-count=\"imported\"]').textContent === '100'",
            timeout=30_000,
        )
        assert "Importing" in page.locator(".import-job .import-state").inner_text()
        screenshot(page, "import-progress-1440")
    finally:
        go.set()
        worker.join(timeout=60)
    assert not failures, failures
    # Done: the page reloads itself and shows the final counts.
    page.wait_for_function(
        "document.querySelector('.import-job .import-state').textContent.includes('Imported')",
        timeout=30_000,
    )
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
