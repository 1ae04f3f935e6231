"""The dashboard served from the cache: which tables a cached page reads, the queries of a miss,
and when the cached copies are rendered again or forgotten."""

import base64
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from personalify.cache import cache_bytes_get, cache_bytes_set
from personalify.pagecache import page_version_bump

from .dashboard_data import (
    mood_progress,
    page,
    texts,
    top_cache,
    top_payload,
    vibe_row,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("analytics:dashboard")
# session + user, top_get's 4 queries for each range the page reads on a miss (the shown range
# and, for "what changed", the last 4 weeks and 6 months) and the vibe: whatever the item count.
MISS_QUERIES = 11


def test_dashboard_touches_no_table_but_session_and_user_when_cached(alice_client, alice):
    for time_range in ("short_term", "medium_term", "long_term"):
        top_cache(top_payload(alice.spotify_id, time_range, n=50))
    vibe_row(alice)
    alice_client.get(DASHBOARD)  # the first view keeps a copy of the vibe next to the top lists
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get(DASHBOARD).status_code == 200
    tables = set()
    for query in queries.captured_queries:
        tables |= set(re.findall(r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', query["sql"]))
    assert tables <= {"user_sessions", "users"}, tables


def test_dashboard_shows_the_new_vibe_when_the_analysis_stores_one(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    vibe_row(alice, sentence="First reading")
    assert "First reading" in alice_client.get(DASHBOARD).content.decode()
    vibe_row(alice, sentence="Second reading")  # a saved Vibe forgets the cached copy
    body = alice_client.get(DASHBOARD).content.decode()
    assert "Second reading" in body and "First reading" not in body


def test_dashboard_renders_again_when_the_mood_error_changes(alice_client, alice):
    top_cache(top_payload(alice.spotify_id))
    for error in ("The first failure.", "The second failure."):
        mood_progress(alice, "failed", error=error)
        assert error in alice_client.get(DASHBOARD).content.decode()


@pytest.mark.parametrize("n_items", [10, 50])
def test_dashboard_cache_miss_costs_a_constant_number_of_queries(
    client, fake_spotify_factory, django_assert_max_num_queries, n_items
):
    from django.core.cache import cache

    from music.services import library_sync
    from personalify.testing.users import spotify_user_make

    fake = fake_spotify_factory(n_items=n_items)
    user = spotify_user_make(fake, spotify_id=f"user{n_items}")
    library_sync(user=user)
    cache.clear()  # every range is a miss: rebuilt from PostgreSQL
    client.force_login(user)
    with django_assert_max_num_queries(MISS_QUERIES):
        tree = page(client.get(DASHBOARD))
    assert len(tree.xpath('//section[@id="artists"]//li[@data-rank]')) == n_items


def test_dashboard_reads_each_ranking_once_when_nothing_is_cached(
    client, fake_spotify_factory, django_assert_max_num_queries, settings
):
    from music.services import library_sync
    from personalify.testing.users import spotify_user_make

    fake = fake_spotify_factory(n_items=10)
    user = spotify_user_make(fake, spotify_id="uncached")
    library_sync(user=user)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client.force_login(user)
    with django_assert_max_num_queries(MISS_QUERIES):
        tree = page(client.get(DASHBOARD))
    assert len(tree.xpath('//section[@id="changes"]')) == 1


def test_dashboard_cache_miss_query_count_is_equal_for_10_and_50_items(
    client, fake_spotify_factory
):
    from django.core.cache import cache

    from music.services import library_sync
    from personalify.testing.users import spotify_user_make

    counts = []
    for n_items in (10, 50):
        fake = fake_spotify_factory(n_items=n_items)
        user = spotify_user_make(fake, spotify_id=f"user{n_items}")
        library_sync(user=user)
        cache.clear()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DASHBOARD).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_dashboard_renders_the_new_lists_when_a_sync_replaces_the_cache(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, artist_ids=["before"]))
    assert "Artist before" in alice_client.get(DASHBOARD).content.decode()
    newer = top_payload(alice.spotify_id, artist_ids=["after"])
    top_cache({**newer, "synced_at": "2026-11-25T17:00:00+00:00"})
    body = alice_client.get(DASHBOARD).content.decode()
    assert "Artist after" in body and "Artist before" not in body


def test_dashboard_shows_what_changed_again_when_the_other_ranking_changes_at_one_sync_time(
    alice_client, alice
):
    # "What changed" reads the last 6 months' ranking too: a new copy of it (the genre lookup
    # rewrites rankings keeping their sync time) is told apart by what it holds.
    top_cache(top_payload(alice.spotify_id, artist_ids=["kept", "newcomer"]))
    top_cache(top_payload(alice.spotify_id, "medium_term", artist_ids=["kept"]))
    new_artists = '//div[@data-kind="artists"]//ul[@data-group="new"]/li'
    assert "Artist newcomer" in texts(page(alice_client.get(DASHBOARD)), new_artists)[0]

    top_cache(top_payload(alice.spotify_id, "medium_term", artist_ids=["newcomer", "kept"]))

    assert texts(page(alice_client.get(DASHBOARD)), new_artists) == []


def test_deleting_a_user_forgets_their_rendered_dashboard(alice_client, alice):

    from analytics.dashboard import grid_cache_key

    top_cache(top_payload(alice.spotify_id))
    alice_client.get(DASHBOARD)
    key = grid_cache_key(spotify_id=alice.spotify_id, time_range="short_term")
    assert cache_bytes_get(key)
    alice.delete()
    assert cache_bytes_get(key) is None


def test_dashboard_renders_again_when_the_cached_html_was_changed_in_redis(alice_client, alice):
    from analytics.dashboard import grid_cache_key

    top_cache(top_payload(alice.spotify_id))
    alice_client.get(DASHBOARD)
    key = grid_cache_key(spotify_id=alice.spotify_id, time_range="short_term")
    entry = cache_bytes_get(key)
    head, _, html = entry.partition(b"\n")
    assert len(head.split(b" ")) == 2 and b"Artist artist01" in html
    # Someone with access to Redis swaps the markup but keeps the version and signature.
    cache_bytes_set(key, head + b'\n<script id="planted">alert(1)</script>', 3600)
    page_version_bump(alice.pk)  # the whole page renders again (personalify.pagecache)

    body = alice_client.get(DASHBOARD).content.decode()

    assert "planted" not in body and "Artist artist01" in body
    assert cache_bytes_get(key) == entry  # rendered again and stored again


def test_share_image_is_drawn_once_per_list_and_again_when_the_list_changes(alice_client, alice):
    from analytics.dashboard import share_cache_key

    url = reverse("analytics:share-image")
    top_cache(top_payload(alice.spotify_id, artist_ids=["first"]))
    key = share_cache_key(spotify_id=alice.spotify_id, time_range="short_term", kind="artists")
    first = alice_client.get(url, {"kind": "artists"}).content
    stored = cache.get(key)
    assert base64.b64decode(stored["png"]) == first
    assert alice_client.get(url, {"kind": "artists"}).content == first
    assert cache.get(key) == stored  # served from the cache, not drawn and stored again

    payload = top_payload(alice.spotify_id, artist_ids=["second"])
    payload["synced_at"] = "2026-11-26T16:00:00+00:00"
    top_cache(payload)
    second = alice_client.get(url, {"kind": "artists"}).content
    assert second != first and cache.get(key)["version"] != stored["version"]
