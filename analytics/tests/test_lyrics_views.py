"""The lyrics pages: Genius search, a Genius song with its emotions and arc, a ranked track."""

import json

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from lyrics.models import Lyrics, TrackLyrics
from lyrics.services import track_lyrics_store
from lyrics.services.lookup import Outcome
from lyrics.tests.conftest import lrclib_add
from music.services import library_sync

from .dashboard_data import top_cache, top_payload

pytestmark = pytest.mark.django_db

SEARCH = reverse("analytics:lyrics-search")
SONG = (
    "[Verse 1]\nWe laughed until the sun came up\nI never felt so alive\n\n"
    "[Chorus]\nDancing, dancing, all night long\n\n"
    "[Verse 2]\nNow the rooms are cold and empty\nI miss you every night\n\n"
    "[Outro]\nGoodbye, goodbye"
)


def tree(response):
    return lxml_html.fromstring(response.content.decode())


def text(response) -> str:
    return " ".join(tree(response).text_content().split())


@pytest.fixture
def song(fake_genius):
    return fake_genius.add_song("Static Hearts", "The Velvet Static", SONG)


def song_url(song) -> str:
    return reverse("analytics:lyrics-genius", args=[song["id"]])


@pytest.mark.parametrize(
    "url", [SEARCH, reverse("analytics:lyrics-genius", args=[1]), "/lyrics/track/abc/"]
)
def test_lyrics_pages_redirect_to_login_when_anonymous(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/?next=")


def test_navigation_links_the_lyrics_page_when_logged_in(alice_client):
    nav = tree(alice_client.get(SEARCH)).xpath('//nav[@aria-label="Main"]//a/@href')
    assert SEARCH in nav


def test_search_page_shows_title_artist_art_and_genius_link_when_genius_has_hits(
    alice_client, song
):
    response = alice_client.get(SEARCH, {"q": "static hearts"})
    assert response.status_code == 200
    item = tree(response).xpath('//ol[contains(@class,"lyrics-results")]/li')[0]
    assert item.xpath('.//a[@class="item-title"]/@href') == [song_url(song)]
    assert "Static Hearts" in item.text_content() and "The Velvet Static" in item.text_content()
    assert item.xpath(".//img/@src") == [song["song_art_image_thumbnail_url"]]
    assert song["url"] in item.xpath(".//a/@href")


def test_search_page_says_nothing_matches_when_genius_has_no_hit(alice_client, fake_genius):
    assert "Nothing on Genius matches “zzz”" in text(alice_client.get(SEARCH, {"q": "zzz"}))


def test_search_page_says_what_the_owner_must_set_when_no_genius_token(alice_client, settings):
    settings.GENIUS_ACCESS_TOKEN = ""
    response = alice_client.get(SEARCH, {"q": "static"})
    page = tree(response)
    assert "GENIUS_ACCESS_TOKEN" in page.xpath('string(//*[@id="genius-off"])')
    assert page.xpath('//input[@name="q"]') == []


def test_search_is_refused_with_429_when_the_user_searches_too_often(
    alice_client, bob, client, fake_genius, settings
):
    settings.LYRICS_RATE_LIMIT = 2
    for _ in range(2):
        assert alice_client.get(SEARCH, {"q": "a"}).status_code == 200
    refused = alice_client.get(SEARCH, {"q": "a"})
    assert refused.status_code == 429 and "Too many lyrics searches" in text(refused)
    client.force_login(bob)  # another user's limit is their own
    assert client.get(SEARCH, {"q": "a"}).status_code == 200


def test_search_says_the_token_was_refused_when_genius_answers_401(
    alice_client, fake_genius, settings
):
    fake_genius.token = "another-token"
    response = alice_client.get(SEARCH, {"q": "static"})
    assert response.status_code == 503 and "check GENIUS_ACCESS_TOKEN" in text(response)


def test_search_says_genius_is_down_when_it_keeps_failing(alice_client, fake_genius):
    from personalify.testing.fakehttp import Reply

    fake_genius.api.route("GET", "/search", Reply(500, body="oops"))
    response = alice_client.get(SEARCH, {"q": "static"})
    assert response.status_code == 503 and "Genius did not answer" in text(response)


def test_song_page_shows_cleaned_lyrics_with_section_headers(alice_client, song):
    response = alice_client.get(song_url(song))
    assert response.status_code == 200
    page = tree(response)
    headers = page.xpath('//p[@class="lyrics-header"]/text()')
    assert headers == ["[Verse 1]", "[Chorus]", "[Verse 2]", "[Outro]"]
    lines = page.xpath('//p[@class="lyrics-line"]/text()')
    assert lines[0] == "We laughed until the sun came up"
    assert "Contributors" not in page.text_content() and "Embed" not in text(response)


def test_song_page_shows_overall_emotions_backend_and_one_arc_point_per_section(alice_client, song):
    response = alice_client.get(song_url(song))
    page = tree(response)
    section = page.xpath('//section[@id="song-emotions"]')[0]
    bars = section.xpath('.//ul[starts-with(@aria-label, "Broad emotions")]/li')
    fine = section.xpath('.//ul[starts-with(@aria-label, "Finer emotions")]/li')
    assert len(bars) == 7 and len(fine) == 28  # the small ones behind "Show all"
    said = " ".join(section.text_content().split())
    assert "Read by Personalify's own emotion model, which runs on this server" in said
    arc = json.loads(page.xpath('//script[@id="arc-data"]')[0].text)
    assert [p["label"] for p in arc] == ["[Verse 1]", "[Chorus]", "[Verse 2]", "[Outro]"]
    assert all(
        set(p["coarse"]) == {"anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise"}
        for p in arc
    )
    assert page.xpath('//div[@id="arc-chart"]/@data-timed') == ["0"]


def test_song_page_is_served_from_storage_without_asking_genius_again(
    alice_client, song, fake_genius
):
    alice_client.get(song_url(song))
    asked = len(fake_genius.api.requests) + len(fake_genius.web.requests)
    assert alice_client.get(song_url(song)).status_code == 200
    assert len(fake_genius.api.requests) + len(fake_genius.web.requests) == asked


def test_song_page_says_lyrics_are_unavailable_with_the_genius_link_when_challenged(
    alice_client, fake_genius
):
    song = fake_genius.add_song("T", "A", SONG, markup="challenge")
    page = tree(alice_client.get(song_url(song)))
    message = page.xpath('//*[@id="lyrics-message"]')[0]
    assert "Lyrics are not available from Genius right now" in message.text_content()
    assert message.xpath(".//a/@href") == [song["url"]]
    assert page.xpath('//script[@id="arc-data"]') == []
    assert Lyrics.objects.get().text == ""


def test_song_page_answers_404_when_genius_has_no_such_song(alice_client, fake_genius):
    assert alice_client.get(reverse("analytics:lyrics-genius", args=[42])).status_code == 404


def test_song_page_says_what_the_owner_must_set_when_no_token_and_not_stored(
    alice_client, settings
):
    settings.GENIUS_ACCESS_TOKEN = ""
    response = alice_client.get(reverse("analytics:lyrics-genius", args=[42]))
    assert response.status_code == 503 and "GENIUS_ACCESS_TOKEN" in text(response)


@pytest.fixture
def synced_client(client, synced_user):
    client.force_login(synced_user)
    return client


def test_track_page_looks_up_lrclib_and_draws_the_arc_against_time_when_synced(
    synced_client, ranked_tracks, fake_lrclib, settings
):
    settings.GENIUS_ACCESS_TOKEN = ""
    track = ranked_tracks[0]
    lrclib_add(
        fake_lrclib,
        track,
        synced="[00:01.00] Sunshine in my pocket\n[00:04.00] We laugh all day\n[00:08.00]\n"
        "[00:10.00] Then you left me crying\n[00:14.00] The night is cold",
    )
    response = synced_client.get(reverse("analytics:lyrics-track", args=[track.id]))
    page = tree(response)
    assert "Lyrics from LRCLib (timed)" in text(response)
    arc = json.loads(page.xpath('//script[@id="arc-data"]')[0].text)
    assert [(p["label"], p["seconds"]) for p in arc] == [("0:01", 1.0), ("0:10", 10.0)]
    assert page.xpath('//div[@id="arc-chart"]/@data-timed') == ["1"]
    assert page.xpath('//span[@class="lyrics-time"]/text()')[0] == "0:01"
    assert TrackLyrics.objects.get(track=track).status == "found"


def test_track_page_says_instrumental_when_the_track_has_no_words(
    synced_client, ranked_tracks, fake_lrclib, settings
):
    settings.GENIUS_ACCESS_TOKEN = ""
    lrclib_add(fake_lrclib, ranked_tracks[0], instrumental=True)
    response = synced_client.get(reverse("analytics:lyrics-track", args=[ranked_tracks[0].id]))
    assert "This track is instrumental" in text(response)


def test_track_page_says_nothing_was_found_when_no_source_has_the_track(
    synced_client, ranked_tracks, fake_lrclib, settings
):
    settings.GENIUS_ACCESS_TOKEN = ""
    response = synced_client.get(reverse("analytics:lyrics-track", args=[ranked_tracks[0].id]))
    assert "No lyrics were found for this track" in text(response)


def test_track_page_answers_404_for_a_track_the_user_does_not_rank(
    alice_client, synced_user, ranked_tracks
):
    track = ranked_tracks[0]
    track_lyrics_store(
        track_id=track.id,
        outcome=Outcome(status="found", source="lrclib", source_id="1", text="Secret words"),
    )
    response = alice_client.get(reverse("analytics:lyrics-track", args=[track.id]))
    assert response.status_code == 404


def test_dashboard_links_each_track_to_its_lyrics_page(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    page = tree(alice_client.get(reverse("analytics:dashboard")))
    links = page.xpath('//section[@id="tracks"]//a[contains(@class,"lyrics-link")]/@href')
    ids = [t["id"] for t in top_payload(alice.spotify_id)["tracks"]]
    assert links == [reverse("analytics:lyrics-track", args=[i]) for i in ids]


def test_sync_then_lyrics_fetch_run_after_a_sync_when_fetching_after_sync_is_on(
    spotify_user, fake_lrclib, settings, django_capture_on_commit_callbacks
):
    settings.LYRICS_FETCH_AFTER_SYNC = True
    settings.GENIUS_ACCESS_TOKEN = ""
    with django_capture_on_commit_callbacks(execute=True):
        assert library_sync(user=spotify_user).ok
    assert TrackLyrics.objects.count() == len(fake_lrclib.requests) > 0


def test_dashboard_mood_section_shows_the_lyrics_fetch_progress_while_it_runs(alice_client, alice):
    from lyrics.services import lyrics_progress_set

    top_cache(top_payload(alice.spotify_id))
    lyrics_progress_set(user_id=alice.pk, state="running", done=3, total=10)
    page = tree(alice_client.get(reverse("analytics:dashboard")))
    progress = page.xpath('//section[@id="mood"]//div[contains(@class,"lyrics-progress")]')[0]
    assert "Fetching the lyrics of your tracks (3 of 10)" in progress.text_content()
    assert progress.xpath(".//progress/@value") == ["30"]
    status = alice_client.get(reverse("analytics:dashboard-status")).json()
    assert (status["lyrics"]["state"], status["lyrics"]["done"]) == ("running", 3)
