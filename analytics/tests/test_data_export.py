"""'Download my data' and the privacy page's account of the listening archive."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from analytics.tests.dashboard_data import vibe_row
from music.models import Artist, UserArtist
from music.services.plays import PlayRow, plays_store

pytestmark = pytest.mark.django_db(databases=["default", "archive"])
START = datetime(2026, 3, 1, tzinfo=UTC)


def download(client) -> zipfile.ZipFile:
    response = client.get("/analytics/my-data.zip")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="personalify-data-')
    assert response["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_data_download_holds_plays_rankings_and_vibes_as_json_and_csv(alice_client, alice, bob):
    plays_store(plays=[PlayRow(spotify_id=sid, played_at=START + timedelta(minutes=4 * i),
                               track_id=f"t{i}", ms_played=1000 * i, track_name=f"Song {i}",
                               platform="android") for sid in ("alice-sp", "bob-sp")
                       for i in range(3)])  # fmt: skip
    artist = Artist.objects.create(id="a1", name="Aurora")
    UserArtist.objects.create(user=alice, time_range="short_term", artist=artist, rank=1)
    vibe_row(alice, "short_term")
    archive = download(alice_client)
    names = set(archive.namelist())
    for part in ("plays", "rankings", "sync_history", "vibes", "imports"):
        assert {f"{part}.json", f"{part}.csv"} <= names
    plays = json.loads(archive.read("plays.json"))
    assert [p["track_name"] for p in plays] == ["Song 0", "Song 1", "Song 2"]  # only hers
    assert plays[1]["played_at"] == "2026-03-01T00:04:00+00:00" and plays[1]["ms_played"] == 1000
    rows = list(csv.DictReader(io.StringIO(archive.read("plays.csv").decode())))
    assert [r["track_id"] for r in rows] == ["t0", "t1", "t2"] and rows[0]["platform"] == "android"
    assert json.loads(archive.read("rankings.json")) == [
        {"time_range": "short_term", "kind": "artist", "rank": 1, "id": "a1", "name": "Aurora"}
    ]
    assert json.loads(archive.read("vibes.json"))[0]["time_range"] == "short_term"


def test_data_download_says_what_is_missing_when_mongodb_is_down(alice_client, settings):
    from music.history import history_client_reset

    settings.MONGO_URI = "mongodb://127.0.0.1:1/"
    settings.MONGO_TIMEOUT_MS = 200
    history_client_reset()
    try:
        archive = download(alice_client)
    finally:
        history_client_reset()
    assert b"sync history store was unavailable" in archive.read("README.txt")
    assert json.loads(archive.read("sync_history.json")) == []


def test_data_download_is_linked_from_the_account_page(alice_client):
    assert b'href="/analytics/my-data.zip"' in alice_client.get("/accounts/").content


def test_privacy_page_says_the_plays_live_on_node_b_when_it_is_configured(client):
    html = client.get("/privacy/").content
    assert b"table <code>plays</code>" in html and b"node B" in html
    assert b"play_imports" in html and b"Download my data" in html
