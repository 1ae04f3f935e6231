"""The demo's bundled lyrics: lyrics pages, arcs and a mood read from lyrics, offline."""

import json

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from accounts.selectors import user_demo_get
from analytics.selectors import vibe_list
from lyrics.demo import demo_lyrics
from lyrics.models import TrackLyrics
from music.models import UserTrack
from music.services import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert demo_load().ok
    return user_demo_get()


def test_demo_bundles_lyrics_or_instrumental_for_every_ranked_track(demo):
    ranked = set(UserTrack.objects.filter(user=demo).values_list("track_id", flat=True))
    assert ranked <= set(demo_lyrics())
    statuses = dict(TrackLyrics.objects.values_list("track_id", "status"))
    assert set(statuses) == ranked
    assert set(statuses.values()) == {"found", "instrumental"}


def test_demo_mood_is_read_from_lyrics_when_loaded(demo):
    vibes = vibe_list(user=demo)
    assert len(vibes) == 3
    for vibe in vibes:
        assert vibe["lyrics"] > 0.8 * (vibe["analysed"] + vibe["skipped"])
        assert vibe["coverage"].startswith("read from the lyrics of")


def test_demo_track_page_shows_lyrics_and_an_arc_without_any_network(demo, client):
    client.force_login(demo)
    track_id = next(
        t for t, s in TrackLyrics.objects.values_list("track_id", "status") if s == "found"
    )
    response = client.get(reverse("analytics:lyrics-track", args=[track_id]))
    page = lxml_html.fromstring(response.content.decode())
    assert response.status_code == 200
    assert "Bundled with the demo" in page.text_content()
    arc = json.loads(page.xpath('//script[@id="arc-data"]')[0].text)
    assert len(arc) >= 4
    assert len({p["top"] for p in arc}) >= 2  # the song turns somewhere
