"""Whole rendered pages kept per user (personalify.pagecache): served while nothing they show
has changed, never to anyone else, with the current request's CSRF token."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import User
from personalify.pagecache import CSRF_PLACEHOLDER, HEADER, page_version_bump

from .dashboard_data import mood_progress, sync_progress, top_cache, top_payload, vibe_row

pytestmark = pytest.mark.django_db(databases=["default", "archive"])

DASHBOARD = reverse("analytics:dashboard")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def alice_page(alice_client, alice):
    top_cache(top_payload(alice.spotify_id, artist_ids=["alice1"]))
    first = alice_client.get(DASHBOARD)
    assert first[HEADER] == "miss"
    return alice_client


def test_dashboard_is_served_from_the_page_cache_without_a_query_when_nothing_changed(
    alice_page, django_assert_num_queries
):
    with django_assert_num_queries(0):  # the session, the user and the page: one cache read each
        response = alice_page.get(DASHBOARD)
    assert response[HEADER] == "hit"
    assert "Artist alice1" in response.content.decode()


def test_dashboard_cache_miss_costs_no_query_when_its_data_are_cached(
    alice_page, alice, django_assert_num_queries
):
    top_cache(top_payload(alice.spotify_id, time_range="medium_term"))  # its changes read it
    page_version_bump(alice.pk)
    with django_assert_num_queries(0):  # the lists, vibe and progress come from Redis
        response = alice_page.get(DASHBOARD)
    assert response[HEADER] == "miss"


def test_page_cache_never_serves_one_users_page_to_another_when_both_are_cached(alice_page):
    bob = User.objects.create(username="bob2", spotify_id="bob-spotify", display_name="Bob")
    top_cache(top_payload(bob.spotify_id, artist_ids=["bob1"]))
    bob_client = Client()
    bob_client.force_login(bob)
    for _ in range(2):  # rendered, then from the cache
        body = bob_client.get(DASHBOARD).content.decode()
        assert "Artist bob1" in body and "Artist alice1" not in body
    assert "Artist alice1" in alice_page.get(DASHBOARD).content.decode()


def test_cached_page_carries_a_csrf_token_of_the_current_request_when_served_from_cache(
    alice, alice_page
):
    alice_page.handler.enforce_csrf_checks = True
    response = alice_page.get(DASHBOARD)
    assert response[HEADER] == "hit"
    body = response.content.decode()
    assert CSRF_PLACEHOLDER not in body
    tokens = TOKEN.findall(body)
    assert tokens and all(t == tokens[0] for t in tokens)  # one token for every form
    # The logout form of the cached page works with this client's CSRF cookie.
    logout = alice_page.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert logout.status_code == 302
    assert alice_page.get(DASHBOARD).status_code == 302  # logged out: to the login page


def test_cached_page_csrf_token_matches_a_new_cookie_when_the_browser_has_none(alice, alice_page):
    stranger = Client(enforce_csrf_checks=True)
    stranger.cookies["sessionid"] = alice_page.cookies["sessionid"].value
    response = stranger.get(DASHBOARD)
    assert response[HEADER] == "hit"
    assert "csrftoken" in response.cookies  # the token in the page goes with this new cookie
    token = TOKEN.findall(response.content.decode())[0]
    logout = stranger.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert logout.status_code == 302


def test_dashboard_renders_again_when_the_sync_progress_changes(alice, alice_page):
    sync_progress(alice, "running", step="Fetching your top artists", done=1, total=4)
    response = alice_page.get(DASHBOARD)
    assert response[HEADER] == "miss"
    assert "Fetching your top artists" in response.content.decode()
    assert alice_page.get(DASHBOARD)[HEADER] == "hit"


def test_dashboard_renders_again_when_the_mood_progress_changes(alice, alice_page):
    mood_progress(alice, "running", done=3, total=10)
    assert alice_page.get(DASHBOARD)[HEADER] == "miss"


def test_dashboard_renders_again_when_a_vibe_is_saved(alice, alice_page):
    vibe_row(alice, sentence="A planted sentence of quiet joy")
    response = alice_page.get(DASHBOARD)
    assert response[HEADER] == "miss"
    assert "A planted sentence of quiet joy" in response.content.decode()


def test_pages_render_again_when_the_user_row_changes(alice, alice_page):
    alice.display_name = "Alice Renamed"
    alice.save()
    assert alice_page.get(DASHBOARD)[HEADER] == "miss"


def test_reauth_banner_shows_at_once_when_the_flag_is_set_by_an_update(alice, alice_page):
    from accounts.services import _reauth_flag

    _reauth_flag(user_model=User, user_id=alice.pk)
    response = alice_page.get(DASHBOARD)
    assert 'id="spotify-reauth"' in response.content.decode()


def test_page_entry_changed_in_redis_is_rendered_again_when_its_signature_fails(alice, alice_page):
    keys = list(cache.client.get_client().scan_iter(f"page:{alice.pk}:*"))
    assert len(keys) == 1
    redis = cache.client.get_client()
    entry = redis.get(keys[0])
    head, _html = entry.split(b"\n", 1)
    redis.set(keys[0], head + b"\n" + b'<script id="planted">alert(1)</script>')

    response = alice_page.get(DASHBOARD)

    assert response[HEADER] == "miss"
    assert "planted" not in response.content.decode()


def test_page_with_pending_messages_is_rendered_and_not_kept(alice, alice_page):
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    request = HttpRequest()
    storage = CookieStorage(request)
    storage.add(messages.INFO, "Planted message for this request")
    from django.http import HttpResponse

    carrier = HttpResponse()
    storage.update(carrier)
    alice_page.cookies["messages"] = carrier.cookies["messages"].value

    response = alice_page.get(DASHBOARD)

    assert "Planted message for this request" in response.content.decode()
    assert HEADER not in response  # rendered as usual, not kept
    assert "Planted message" not in alice_page.get(DASHBOARD).content.decode()


def test_page_with_an_unknown_query_parameter_is_rendered_and_not_kept(alice_page):
    response = alice_page.get(DASHBOARD, {"range": "short_term", "utm": "x"})
    assert response.status_code == 200 and HEADER not in response


def test_page_cache_is_skipped_when_the_cache_is_down(alice_client, redis_down):
    response = alice_client.get(reverse("about"))
    assert response.status_code == 200 and HEADER not in response


def test_page_cache_off_renders_every_time_when_the_setting_says_so(alice_page, settings):
    settings.PAGE_CACHE = False
    assert HEADER not in alice_page.get(DASHBOARD)


def test_account_deletion_removes_the_users_cached_pages(alice, alice_page):
    from accounts.services import account_delete

    redis = cache.client.get_client()
    assert list(redis.scan_iter(f"page:{alice.pk}:*"))
    account_delete(user=alice)
    assert not list(redis.scan_iter(f"page:{alice.pk}:*"))


def _redis_calls() -> dict:
    stats = cache.client.get_client().info("commandstats")
    return {name: stats.get(f"cmdstat_{name}", {"calls": 0})["calls"] for name in ("get", "mget")}


def test_dashboard_miss_reads_its_cached_data_with_one_round_trip(alice, alice_page):
    top_cache(top_payload(alice.spotify_id, time_range="medium_term"))
    page_version_bump(alice.pk)
    before = _redis_calls()
    response = alice_page.get(DASHBOARD)
    after = _redis_calls()
    assert response[HEADER] == "miss"
    # The session (with its user), then the page's versions and entry, then everything the
    # page shows (lists, vibe, progress, cooldown, kept grid): one GET and two MGETs.
    assert (after["get"] - before["get"], after["mget"] - before["mget"]) == (1, 2)


BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


def _gzip_page(client, **extra):
    import gzip

    response = client.get(DASHBOARD, HTTP_ACCEPT_ENCODING=BROWSER_ENCODINGS, **extra)
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    return response, gzip.decompress(response.content).decode()


def test_cached_page_is_served_gzip_with_a_working_token_when_the_browser_takes_gzip(
    alice, alice_page
):
    alice_page.handler.enforce_csrf_checks = True
    plain = alice_page.get(DASHBOARD).content.decode()
    response, body = _gzip_page(alice_page)
    assert response[HEADER] == "hit"
    assert len(response.content) < len(body) / 4
    # The same page as a client without gzip gets, but for the per-response token.
    assert TOKEN.sub("", body) == TOKEN.sub("", plain)
    tokens = TOKEN.findall(body)
    assert tokens and CSRF_PLACEHOLDER not in body and all(t == tokens[0] for t in tokens)
    logout = alice_page.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert logout.status_code == 302


def test_rendered_page_is_served_gzip_like_the_kept_one_when_it_is_kept(alice, alice_page):
    page_version_bump(alice.pk)
    response, body = _gzip_page(alice_page)
    assert response[HEADER] == "miss"
    assert "Artist alice1" in body and CSRF_PLACEHOLDER not in body


def test_cached_page_is_plain_when_the_client_refuses_gzip(alice_page):
    response = alice_page.get(DASHBOARD, HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert response[HEADER] == "hit" and "Content-Encoding" not in response
    assert "Accept-Encoding" in response["Vary"]  # a shared cache must not serve it to gzip
    assert "Artist alice1" in response.content.decode()


def test_cached_page_carries_a_new_masked_token_when_served_gzip_again(alice_page):
    first = TOKEN.findall(_gzip_page(alice_page)[1])[0]
    second = TOKEN.findall(_gzip_page(alice_page)[1])[0]
    assert first != second  # masked per response, as Django's own pages


def test_gzip_page_token_matches_a_new_cookie_when_the_browser_has_none(alice, alice_page):
    stranger = Client(enforce_csrf_checks=True)
    stranger.cookies["sessionid"] = alice_page.cookies["sessionid"].value
    response, body = _gzip_page(stranger)
    assert response[HEADER] == "hit" and "csrftoken" in response.cookies
    logout = stranger.post(
        reverse("accounts:logout"), {"csrfmiddlewaretoken": TOKEN.findall(body)[0]}
    )
    assert logout.status_code == 302


def test_signed_entry_that_is_not_a_packed_page_is_rendered_again_when_it_is_read(
    alice, alice_page
):
    from personalify.pagecache import _entry

    redis = cache.client.get_client()
    (key,) = redis.scan_iter(f"page:{alice.pk}:*")
    head = redis.get(key).split(b" ", 1)[0]  # the versions it was kept under
    # Signed like ours, but a whole HTML page (the layout before pages were packed).
    redis.set(key, _entry(key.decode(), head, b"<p>whole page</p>", "text/html"))

    response = alice_page.get(DASHBOARD, HTTP_ACCEPT_ENCODING=BROWSER_ENCODINGS)

    assert response.status_code == 200 and response[HEADER] == "miss"
