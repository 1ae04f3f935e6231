"""The dashboard's genre card: where its genres came from, the artists left unclassified, and the
MusicBrainz lookup while it runs."""

import pytest
from django.urls import reverse

from music.selectors import GENRES_PROGRESS
from music.services import library_sync
from music.spotify import TimeRange
from personalify.progress import progress_set
from personalify.testing.users import spotify_user_make

from .dashboard_data import page, texts, top_cache, top_payload

pytestmark = pytest.mark.django_db(databases=["default", "archive"])

DASHBOARD = reverse("analytics:dashboard")
CARD = '//section[@id="genres"]'


def card_text(client) -> str:
    return " ".join(texts(page(client.get(DASHBOARD)), CARD))


def with_summary(payload: dict, *, sources, unclassified=0, unmatched=0) -> dict:
    artists = len(payload["artists"])
    summary = {
        "sources": sources,
        "unclassified": unclassified,
        "unmatched": unmatched,
        "artists": artists,
    }
    return {**payload, "genres_summary": summary}


def test_genre_card_says_genres_came_from_spotify_when_spotify_sent_them(alice_client, alice):
    top_cache(with_summary(top_payload(alice.spotify_id, n=10), sources=["spotify"]))
    text = card_text(alice_client)
    assert "Genres from Spotify." in text and "MusicBrainz" not in text


def test_genre_card_says_musicbrainz_and_counts_the_unmatched_when_spotify_sent_none(
    alice_client, alice
):
    payload = with_summary(
        top_payload(alice.spotify_id, n=50), sources=["musicbrainz"], unclassified=12, unmatched=12
    )
    top_cache(payload)
    tree = page(alice_client.get(DASHBOARD))
    text = " ".join(texts(tree, CARD))
    assert "Genres from MusicBrainz (open data; Spotify sent none for these artists)." in text
    assert "12 of 50 artists have no genres on MusicBrainz." in text
    assert tree.xpath(f'{CARD}//a[@href="https://musicbrainz.org/"]')


def test_genre_card_names_both_sources_when_genres_are_a_mix(alice_client, alice):
    payload = with_summary(
        top_payload(alice.spotify_id, n=10), sources=["spotify", "musicbrainz"], unmatched=1
    )
    top_cache({**payload, "genres_summary": {**payload["genres_summary"], "unclassified": 1}})
    text = card_text(alice_client)
    assert "Genres from Spotify and MusicBrainz" in text
    assert "1 of 10 artists has no genres on MusicBrainz." in text


def test_genre_card_shows_the_lookup_in_words_when_it_runs(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, n=8, dev_mode=True))
    progress_set(kind=GENRES_PROGRESS, owner=alice.pk, state="running", done=3, total=20)
    tree = page(alice_client.get(DASHBOARD))
    text = " ".join(texts(tree, CARD))
    assert "Looking up genres on MusicBrainz: 3 of 20 artists…" in text
    assert "Spotify did not provide genres" not in text
    assert tree.xpath(f'{CARD}[@data-genres-state="running"]//progress[@value="15"]')
    status = alice_client.get(reverse("analytics:dashboard-status")).json()
    assert status["genres"]["state"] == "running" and status["genres"]["done"] == 3


def test_genre_card_says_why_the_lookup_stopped_when_it_failed(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, n=8, dev_mode=True))
    progress_set(
        kind=GENRES_PROGRESS,
        owner=alice.pk,
        state="failed",
        error="MusicBrainz could not be reached.",
    )
    text = card_text(alice_client)
    assert "Spotify did not provide genres for this account." in text
    assert "The genre lookup stopped: MusicBrainz could not be reached." in text


def test_dashboard_charts_musicbrainz_genres_when_a_development_mode_account_synced(
    client, fake_spotify_factory, fake_musicbrainz, settings, django_capture_on_commit_callbacks
):
    settings.MUSICBRAINZ_GENRES_AFTER_SYNC = True
    fake = fake_spotify_factory(dev_mode=True)
    user = spotify_user_make(fake)
    ranked = fake.catalogue.ranking("artists", TimeRange.SHORT)
    unknown = ranked[-3:]  # MusicBrainz links no artist to these
    for i, artist in enumerate(ranked[:-3]):
        genres = {"shoegaze": 9, "dream pop": 4} if i % 2 else {"jazz": 7}
        fake_musicbrainz.add(artist["id"], artist["name"], genres=genres)
    with django_capture_on_commit_callbacks(execute=True):
        assert library_sync(user=user).ok  # and the lookup queued on commit, in-process
    client.force_login(user)
    tree = page(client.get(DASHBOARD, {"range": TimeRange.SHORT}))
    charted = tree.xpath(f"{CARD}//li[@data-genre]/@data-genre")
    assert set(charted) == {"shoegaze", "dream pop", "jazz"}
    text = " ".join(texts(tree, CARD))
    assert "Genres from MusicBrainz" in text
    assert f"{len(unknown)} of {len(ranked)} artists have no genres on MusicBrainz." in text
    assert "Spotify did not provide genres" not in text


def test_kept_dashboard_of_another_listener_shows_musicbrainz_genres_when_a_lookup_answered(
    client, fake_spotify_factory, fake_musicbrainz
):
    from music.musicbrainz import MusicBrainzClient
    from music.services.genres import artist_genres_lookup

    fake = fake_spotify_factory(dev_mode=True)
    alice = spotify_user_make(fake)
    bob = spotify_user_make(fake, spotify_id="bob-listener")
    for user in (alice, bob):
        assert library_sync(user=user).ok
    for artist in fake.catalogue.ranking("artists", TimeRange.SHORT):
        fake_musicbrainz.add(artist["id"], artist["name"], genres={"shoegaze": 9})
    client.force_login(bob)
    before = " ".join(texts(page(client.get(DASHBOARD)), CARD))  # rendered, then kept
    assert "Spotify did not provide genres" in before
    assert artist_genres_lookup(user=alice, client=MusicBrainzClient()).error == ""
    after = " ".join(texts(page(client.get(DASHBOARD)), CARD))
    assert "Genres from MusicBrainz" in after and "shoegaze" in after
