"""The history page: past syncs from MongoDB, newest first, only the user's own."""

import pytest
from django.urls import reverse

from .dashboard_data import (
    page,
)

pytestmark = pytest.mark.django_db(databases=["default", "archive"])

DASHBOARD = reverse("analytics:dashboard")


def _history(spotify_id, sync_id, when, artists, time_range="short_term"):
    from music.history import sync_history_record

    sync_history_record(
        spotify_id=spotify_id,
        time_range=time_range,
        sync_id=sync_id,
        synced_at=when,
        artists=[{"rank": i + 1, "name": name} for i, name in enumerate(artists)],
        tracks=[{"rank": 1, "name": "Only Song"}],
        genres=[],
        genres_available=False,
    )


def test_history_lists_past_syncs_newest_first_with_what_entered_and_left(alice_client, alice):
    from datetime import UTC, datetime

    _history(alice.spotify_id, "s1", datetime(2026, 11, 1, 9, 0, tzinfo=UTC), ["A", "B", "C"])
    _history(alice.spotify_id, "s2", datetime(2026, 11, 8, 9, 0, tzinfo=UTC), ["B", "D", "C"])
    tree = page(alice_client.get(reverse("analytics:history")))
    entries = tree.xpath('//section[@data-range="short_term"]//li[@class="history-entry"]')
    assert [e.xpath(".//time/@datetime")[0] for e in entries] == [
        "2026-11-08T09:00:00+00:00",
        "2026-11-01T09:00:00+00:00",
    ]
    newest = " ".join(entries[0].text_content().split())
    assert "in Top 5 artists: D" in newest and "out Top 5 artists: A" in newest
    assert "First sync" in entries[1].text_content()
    assert "Not synced yet" in tree.xpath('//section[@data-range="long_term"]')[0].text_content()


def test_history_never_shows_another_users_syncs(alice_client, bob):
    from datetime import UTC, datetime

    _history(bob.spotify_id, "b1", datetime(2026, 11, 1, tzinfo=UTC), ["Bobs Band"])
    body = alice_client.get(reverse("analytics:history")).content.decode()
    assert "Bobs Band" not in body and "No syncs yet" in body


def test_history_says_so_when_mongodb_is_down(alice_client, settings):
    from music.history import history_client_reset

    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    settings.MONGO_TIMEOUT_MS = 200
    history_client_reset()
    try:
        tree = page(alice_client.get(reverse("analytics:history")))
    finally:
        history_client_reset()
    assert "history store is not reachable" in tree.text_content()


# --- Recently played: the listening archive on node B --------------------------------------


def _plays(spotify_id: str, n: int, *, newest):
    from datetime import timedelta

    from music.services.plays import PlayRow, plays_store

    plays_store(
        plays=[
            PlayRow(
                spotify_id=spotify_id,
                played_at=newest - timedelta(minutes=4 * i),
                track_id=f"t{i}",
                track_name=f"Song {i}",
                artist_name="Some Artist",
            )
            for i in range(n)
        ]
    )


def test_history_shows_the_last_50_plays_in_the_time_zone_of_the_cookie(alice_client, alice, bob):
    from datetime import UTC, datetime

    _plays(alice.spotify_id, 60, newest=datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    _plays(bob.spotify_id, 3, newest=datetime(2026, 7, 2, 9, 0, tzinfo=UTC))
    alice_client.cookies["tz"] = "Europe/Paris"
    tree = page(alice_client.get(reverse("analytics:history")))
    plays = tree.xpath('//section[@id="recently-played"]//li[@class="play"]')
    assert len(plays) == 50
    first = plays[0]
    assert "Song 0" in first.text_content() and "Some Artist" in first.text_content()
    # 22:30 UTC is 00:30 the next day in Paris (summer time).
    assert first.xpath(".//time")[0].text == "Thu 2 Jul, 00:30"
    assert "Europe/Paris" in tree.xpath("//*[@data-tz]")[0].text
    html = alice_client.get(reverse("analytics:history")).content.decode()
    assert html.count("Some Artist") == 50


def test_history_shows_times_in_utc_when_the_cookie_is_not_a_time_zone(alice_client, alice):
    from datetime import UTC, datetime

    _plays(alice.spotify_id, 1, newest=datetime(2026, 7, 1, 22, 30, tzinfo=UTC))
    alice_client.cookies["tz"] = "../../etc/passwd"
    tree = page(alice_client.get(reverse("analytics:history")))
    assert tree.xpath('//section[@id="recently-played"]//time')[0].text == "Wed 1 Jul, 22:30"
    assert tree.xpath("//*[@data-tz]")[0].text == "UTC"


def test_history_never_shows_another_users_plays(alice_client, bob):
    from datetime import UTC, datetime

    _plays(bob.spotify_id, 3, newest=datetime(2026, 7, 1, tzinfo=UTC))
    tree = page(alice_client.get(reverse("analytics:history")))
    assert tree.xpath('//section[@id="recently-played"]//li[@class="play"]') == []
    assert "No plays stored yet" in tree.xpath('//section[@id="recently-played"]')[0].text_content()


@pytest.mark.django_db(transaction=True, databases=["default", "archive"])
def test_history_says_the_archive_is_unavailable_when_node_b_is_down(
    alice_client, alice, node_b_down
):
    response = alice_client.get(reverse("analytics:history"))
    assert response.status_code == 200
    tree = page(response)
    assert (
        "Listening archive unavailable"
        in tree.xpath('//section[@id="recently-played"]')[0].text_content()
    )
    assert tree.xpath("//h1")[0].text == "Sync history"  # the rest of the page still works
