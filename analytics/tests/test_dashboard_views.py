"""The dashboard page: each section's data and order, progress, and who may see it."""

import pytest
from django.urls import reverse

from accounts.models import User

from .dashboard_data import (
    mood_progress,
    page,
    sync_progress,
    texts,
    top_cache,
    top_payload,
)

pytestmark = pytest.mark.django_db(databases=["default", "archive"])

DASHBOARD = reverse("analytics:dashboard")


@pytest.mark.parametrize(
    "name",
    [
        "analytics:dashboard",
        "analytics:history",
        "analytics:share-image",
        "analytics:dashboard-status",
    ],
)
def test_dashboard_pages_redirect_to_login_when_anonymous(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=")


def test_dashboard_never_shows_another_users_data_when_only_theirs_is_cached(alice_client, bob):
    top_cache(
        top_payload(bob.spotify_id, artist_ids=["bobs-secret-artist"], track_ids=["bobs-track"])
    )
    body = alice_client.get(DASHBOARD).content.decode()
    assert "bobs-secret-artist" not in body and "bobs-track" not in body
    assert "Nothing here yet" in body


def test_dashboard_ignores_a_user_parameter_pointing_at_another_user(alice_client, alice, bob):
    top_cache(top_payload(alice.spotify_id, artist_ids=["alices-artist"]))
    top_cache(top_payload(bob.spotify_id, artist_ids=["bobs-artist"]))
    body = alice_client.get(
        DASHBOARD, {"user": bob.spotify_id, "spotify_id": bob.spotify_id}
    ).content.decode()
    assert "alices-artist" in body and "bobs-artist" not in body


@pytest.mark.parametrize(
    "name", ["analytics:dashboard", "analytics:history", "analytics:share-image"]
)
def test_dashboard_pages_are_404_when_the_account_has_no_spotify_id(client, name):
    staff = User.objects.create(username="staff", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(name)).status_code == 404


def test_dashboard_is_404_when_the_time_range_is_unknown(alice_client):
    assert alice_client.get(DASHBOARD, {"range": "forever"}).status_code == 404


def test_dashboard_lists_top_artists_in_rank_order_with_image_genres_popularity_and_link(
    alice_client, alice
):
    payload = top_cache(top_payload(alice.spotify_id, n=12))
    tree = page(alice_client.get(DASHBOARD))
    items = tree.xpath('//section[@id="artists"]//li[@data-rank]')
    assert [int(li.get("data-rank")) for li in items] == list(range(1, 13))
    first, expected = items[0], payload["artists"][0]
    assert first.xpath(".//img")[0].get("alt") == f"Photo of {expected['name']}"
    assert first.xpath(".//img")[0].get("src") == expected["image"]
    assert first.xpath('.//a[@class="item-title"]')[0].get("href") == expected["url"]
    assert texts(first, './/ul[@class="tags"]/li') == expected["genres"]
    assert texts(first, './/*[contains(@class,"popularity")]') == [
        f"Popularity {expected['popularity']}"
    ]
    # Beyond the first ten, the rest sits behind a disclosure, still in order.
    assert [
        int(li.get("data-rank"))
        for li in tree.xpath('//section[@id="artists"]//details//li[@data-rank]')
    ] == [11, 12]


def test_dashboard_lists_top_tracks_with_album_type_duration_explicit_and_link(alice_client, alice):
    payload = top_cache(top_payload(alice.spotify_id, n=5))
    tree = page(alice_client.get(DASHBOARD))
    items = tree.xpath('//section[@id="tracks"]//li[@data-rank]')
    assert [int(li.get("data-rank")) for li in items] == [1, 2, 3, 4, 5]
    first = items[0]
    expected = payload["tracks"][0]  # rank 1: explicit, "single", 3:01.5 -> 3:02
    assert first.xpath(".//img")[0].get("alt") == f"Cover of {expected['album']['name']}"
    assert first.xpath('.//a[@class="item-title"]')[0].get("href") == expected["url"]
    line = " ".join(first.text_content().split())
    assert "Artist artist01, Guest Singer" in line
    assert f"{expected['album']['name']} · Single" in line
    assert texts(first, './/*[contains(@class,"duration")]') == ["Duration 3:02"]
    assert first.xpath('.//*[@class="explicit"]')
    assert not items[1].xpath('.//*[@class="explicit"]')  # rank 2 is clean
    assert items[1].xpath('.//*[contains(@class,"placeholder")]')  # no album art: a placeholder
    assert "· Compilation" in items[1].text_content() or "· Album" in items[2].text_content()


def test_dashboard_shows_genres_by_weight_with_their_artists(alice_client, alice):
    payload = top_cache(top_payload(alice.spotify_id, n=10))
    tree = page(alice_client.get(DASHBOARD))
    names = [li.get("data-genre") for li in tree.xpath('//section[@id="genres"]//li[@data-genre]')]
    assert names == [g["name"] for g in payload["genres"]]
    top_genre = tree.xpath('//section[@id="genres"]//li[@data-genre]')[0]
    assert payload["genres"][0]["artists"][0] in top_genre.text_content()
    share = f"{round(100 * payload['genres'][0]['weight'])}%"
    assert texts(top_genre, './/*[@class="meta"]') == [share]


def test_dashboard_scales_the_genre_bars_to_the_top_genre(alice_client, alice):
    genres = [
        {"name": "jazz", "weight": 0.4, "artists": []},
        {"name": "folk", "weight": 0.2, "artists": []},
        {"name": "k-pop", "weight": 0.1, "artists": []},
    ]
    top_cache({**top_payload(alice.spotify_id, n=5), "genres": genres})
    tree = page(alice_client.get(DASHBOARD))
    widths = tree.xpath('//section[@id="genres"]//div[@class="bar"]/span/@style')
    assert widths == ["width: 100%", "width: 50%", "width: 25%"]
    shares = texts(tree, '//section[@id="genres"]//*[@class="meta"]')
    assert shares == ["40%", "20%", "10%"]  # the text still says each one's share


def test_dashboard_says_spotify_gave_no_genres_and_hides_popularity_in_development_mode(
    alice_client, alice
):
    top_cache(top_payload(alice.spotify_id, n=8, dev_mode=True))
    tree = page(alice_client.get(DASHBOARD))
    body = tree.text_content()
    assert "Spotify did not provide genres for this account" in body
    assert not tree.xpath('//section[@id="genres"]//li[@data-genre]')
    assert "Popularity" not in body and not tree.xpath('//*[contains(@class,"popularity")]')
    assert not tree.xpath('//ul[@class="tags"]')
    assert tree.xpath('//input[@value="genres"][@disabled]')  # cannot share genres it has not got


def test_dashboard_explains_an_empty_account_in_plain_words(alice_client, alice):
    top_cache({**top_payload(alice.spotify_id, n=0), "genres_available": False})
    tree = page(alice_client.get(DASHBOARD))
    assert "Spotify has no top music for you yet" in tree.text_content()
    assert not tree.xpath('//section[@id="artists"]')


def test_dashboard_explains_when_nothing_was_synced(alice_client):
    tree = page(alice_client.get(DASHBOARD))
    assert "Nothing here yet" in tree.text_content()
    assert "Not synced yet" in tree.text_content()


def test_dashboard_remembers_the_time_range_in_the_url_when_switched(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, "short_term", artist_ids=["short-one"]))
    top_cache(top_payload(alice.spotify_id, "long_term", artist_ids=["long-one"]))
    tree = page(alice_client.get(DASHBOARD, {"range": "long_term"}))
    assert "long-one" in tree.text_content() and "short-one" not in tree.text_content()
    current = tree.xpath('//nav[@aria-label="Time range"]//a[@aria-current="page"]')
    assert [a.get("href") for a in current] == ["?range=long_term"]
    links = tree.xpath('//nav[@aria-label="Time range"]//a/@href')
    assert links == ["?range=short_term", "?range=medium_term", "?range=long_term"]
    assert tree.xpath('//form[contains(@class,"share-form")]//input[@name="range"]/@value') == [
        "long_term"
    ]


def test_dashboard_shows_the_vibe_scores_confidence_and_track_count(alice_client, alice, vibe):
    top_cache(top_payload(alice.spotify_id))
    tree = page(alice_client.get(DASHBOARD))
    mood = tree.xpath('//section[@id="mood"]')[0]
    text = " ".join(mood.text_content().split())
    assert vibe["sentence"] in text
    assert "Confidence: medium" in text
    assert (
        "Read from the lyrics of 0 of 50 tracks (the titles of 47, 3 instrumental or without "
        "words)" in text
    )
    bars = mood.xpath('.//ul[@class="emotion-bars"]/li')
    labels = [texts(li, './/*[@class="emotion-label"]')[0] for li in bars]
    assert labels == ["sadness", "love", "desire", "joy", "neutral"]
    assert bars[0].xpath('.//*[@class="emotion-fill"]/@style') == [
        f"width: {vibe['scores'][0]['percent']}%"
    ]


def test_dashboard_shows_mood_progress_when_the_analysis_runs(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    mood_progress(alice, "running", done=12, total=50)
    tree = page(alice_client.get(DASHBOARD))
    text = " ".join(tree.xpath('//section[@id="mood"]')[0].text_content().split())
    assert "Reading the mood of your tracks (12 of 50)" in text
    assert tree.xpath('//section[@id="mood"]//progress/@value') == ["24"]


def test_dashboard_lists_what_rose_fell_and_is_new_against_six_months(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, "short_term", artist_ids=["a", "b", "c", "n1"]))
    top_cache(top_payload(alice.spotify_id, "medium_term", artist_ids=["c", "x", "a", "b"]))
    tree = page(alice_client.get(DASHBOARD))
    artists = tree.xpath('//section[@id="changes"]//div[@data-kind="artists"]')[0]

    def group(name):
        return [
            " ".join(li.text_content().split())
            for li in artists.xpath(f'.//ul[@data-group="{name}"]/li')
        ]

    assert group("rose") == ["▲ 2 places up Artist a #3 → #1", "▲ 2 places up Artist b #4 → #2"]
    assert group("fell") == ["▼ 2 places down Artist c #1 → #3"]
    assert group("new") == ["new Artist n1 #4"]


@pytest.mark.parametrize(
    ("time_range", "recent", "said"),
    [
        ("short_term", "short", "Last 4 weeks against the last 6 months"),
        ("medium_term", "medium", "Last 6 months against the last year"),
        ("long_term", "medium", "Last 6 months against the last year"),
    ],
)
def test_dashboard_compares_what_changed_with_the_neighbouring_range(
    alice_client, alice, time_range, recent, said
):
    for name in ("short_term", "medium_term", "long_term"):
        only = f"{name.split('_')[0]}-only"
        top_cache(top_payload(alice.spotify_id, name, artist_ids=["both", only]))
    tree = page(alice_client.get(DASHBOARD, {"range": time_range}))
    section = tree.xpath('//section[@id="changes"]')[0]
    new = texts(section, './/div[@data-kind="artists"]//ul[@data-group="new"]/li')
    assert new == [f"new Artist {recent}-only #2"]
    assert texts(section, './/p[contains(@class,"changes-what")]')[0].startswith(said)


def test_dashboard_says_when_six_months_are_missing_for_what_changed(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, "short_term"))
    text = page(alice_client.get(DASHBOARD)).xpath('//section[@id="changes"]')[0].text_content()
    assert "Sync both the last 4 weeks and the last 6 months" in text


def test_dashboard_shows_when_it_was_last_synced(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    tree = page(alice_client.get(DASHBOARD))
    assert tree.xpath('//section[@id="sync"]//time/@datetime') == ["2026-11-25T16:00:00+00:00"]


def test_dashboard_explains_a_failed_sync_and_when_it_retries(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    sync_progress(
        alice,
        "failed",
        error="Spotify is rate-limiting requests right now.",
        retry_at="2026-11-25T16:30:00+00:00",
    )
    tree = page(alice_client.get(DASHBOARD))
    alert = tree.xpath('//*[@id="sync-error"]')[0]
    assert alert.get("hidden") is None
    text = " ".join(alert.text_content().split())
    assert "The last sync failed: Spotify is rate-limiting requests right now." in text
    assert "It will try again at 16:30 UTC" in text


def test_dashboard_shows_sync_progress_while_a_sync_runs(alice_client, alice):
    sync_progress(alice, "running", step="Last 6 months", done=2, total=6)
    tree = page(alice_client.get(DASHBOARD))
    box = tree.xpath('//*[@id="sync-progress"]')[0]
    assert box.get("hidden") is None
    assert box.xpath(".//progress/@value") == ["33"]
    assert "Syncing: Last 6 months" in box.text_content()


def test_dashboard_status_answers_sync_and_mood_progress_as_json(alice_client, alice):
    sync_progress(alice, "running")
    mood_progress(alice, "queued")
    response = alice_client.get(reverse("analytics:dashboard-status"))
    assert response.status_code == 200
    assert response.json()["sync"]["state"] == "running"
    assert response.json()["mood"]["state"] == "queued"


def test_dashboard_loads_its_chart_code_from_the_app_not_a_cdn(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    tree = page(alice_client.get(DASHBOARD))
    sources = tree.xpath("//script/@src") + tree.xpath("//link/@href")
    assert "/static/analytics/dashboard.js" in sources
    assert all(src.startswith("/") for src in sources), sources


def test_dashboard_gives_every_image_an_alt_text(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    tree = page(alice_client.get(DASHBOARD))
    images = tree.xpath("//img")
    assert images and all(img.get("alt") for img in images)


def test_dashboard_links_an_artist_only_when_spotify_gave_an_https_link(alice_client, alice):
    payload = top_payload(alice.spotify_id, n=2)
    payload["artists"][0]["url"] = ""
    top_cache(payload)
    items = page(alice_client.get(DASHBOARD)).xpath('//section[@id="artists"]//li[@data-rank]')
    assert not items[0].xpath(".//a") and texts(items[0], './/*[@class="item-title"]')
    assert items[1].xpath('.//a[@class="item-title"]')[0].get("href").startswith("https://")


def test_dashboard_offers_sync_now_as_a_post_form_with_csrf(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    tree = page(alice_client.get(DASHBOARD))
    (form,) = tree.xpath('//form[@id="sync-form"]')
    assert form.get("method") == "post" and form.get("action") == reverse("music:sync-start")
    assert form.xpath('.//input[@name="csrfmiddlewaretoken"]')
    assert texts(form, ".//button") == ["Sync now"]


def test_dashboard_is_read_only_for_the_demo_user(client):
    from accounts.models import DEMO_SPOTIFY_ID

    demo = User.objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID, display_name="Demo")
    top_cache(top_payload(DEMO_SPOTIFY_ID))
    client.force_login(demo)
    tree = page(client.get(DASHBOARD))
    assert not tree.xpath('//form[@id="sync-form"]')
    assert "read-only" in tree.xpath('//section[@id="sync"]')[0].text_content()
    assert tree.xpath('//section[@id="artists"]//li[@data-rank]')  # but it shows everything
    assert client.get(reverse("analytics:share-image")).status_code == 200
