"""The outage-safe cache calls against a stopped and a hung Redis (real sockets, no mocks)."""

import logging
import time

import pytest
from django.urls import reverse

from personalify.cache import CacheUnavailable, cache_call, cache_get, cache_set

pytestmark = pytest.mark.django_db


def test_a_hung_redis_is_waited_for_once_per_back_off_not_once_per_call(alice_client, redis_hung):
    for _ in range(2):
        assert alice_client.get(reverse("analytics:dashboard")).status_code == 200
    for _ in range(3):
        response = alice_client.get(reverse("analytics:dashboard-status"))
        assert response.status_code == 200
        assert response.json()["sync"]["state"] == "unavailable"
    # Without the back-off every cache call of every request opened a connection and waited
    # its socket timeout; now only the first call does.
    assert redis_hung.accepted == 1


def test_the_cache_is_probed_again_when_the_back_off_ends(settings, redis_hung):
    settings.CACHE_BACKOFF_SECONDS = 0.2
    assert cache_get("k", "fallback") == "fallback"
    with pytest.raises(CacheUnavailable, match="back-off"):
        cache_call("get", "k")
    assert redis_hung.accepted == 1
    time.sleep(0.3)
    assert cache_get("k", "fallback") == "fallback"
    assert redis_hung.accepted == 2


def test_the_cache_answers_again_after_an_outage_and_says_so_once(settings, caplog):
    up = settings.CACHES
    settings.CACHE_BACKOFF_SECONDS = 0.1
    settings.CACHES = {"default": {**up["default"], "LOCATION": "redis://127.0.0.1:1/0"}}
    with caplog.at_level(logging.WARNING, logger="personalify.cache"):
        for _ in range(3):
            assert cache_set("cache-test", 1) is False
        settings.CACHES = up
        time.sleep(0.2)
        assert cache_set("cache-test", 2) is True
        assert cache_get("cache-test") == 2
    messages = [record.getMessage() for record in caplog.records]
    assert sum("Cache unavailable" in m for m in messages) == 1
    assert sum("reachable again" in m for m in messages) == 1


@pytest.mark.parametrize("backend", ["redis", "locmem"])
def test_compare_and_act_touches_a_key_only_while_it_holds_the_expected_value(settings, backend):
    from django.core.cache import cache

    from personalify.cache import cache_delete_if, cache_touch_if

    if backend == "locmem":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "KEY_FUNCTION": "personalify.cache.plain_key",
            }
        }
    cache.set("lock", "mine", 60)
    assert cache_touch_if("lock", "theirs", 600) is False
    assert cache_touch_if("lock", "mine", 600) is True
    if backend == "redis":
        assert cache.ttl("lock") > 60
    assert cache_delete_if("lock", "theirs") is False
    assert cache.get("lock") == "mine"
    assert cache_delete_if("lock", "mine") is True
    assert cache.get("lock") is None
    assert cache_touch_if("lock", "mine", 600) is False


def test_a_call_the_cache_refuses_is_not_taken_for_an_outage(caplog):
    # incr of a missing key: Redis answered. The rate limits rely on this staying usable.
    with caplog.at_level(logging.WARNING, logger="personalify.cache"):
        with pytest.raises(CacheUnavailable) as raised:
            cache_call("incr", "no-such-counter")
        assert isinstance(raised.value.__cause__, ValueError)
        assert cache_set("still-up", 1) is True and cache_get("still-up") == 1
    assert not [r for r in caplog.records if "Cache unavailable" in r.getMessage()]


@pytest.mark.parametrize("backend", ["redis", "locmem"])
def test_bytes_are_read_back_as_stored_inside_and_outside_a_prefetch(settings, backend):
    from personalify.cache import cache_bytes_get, cache_bytes_set, cache_prefetch

    if backend == "locmem":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "KEY_FUNCTION": "personalify.cache.plain_key",
            }
        }
    stored = b'<p class="x">caf\xc3\xa9</p>\n\xff'  # not text, not JSON: kept as it is
    assert cache_bytes_set("page-part", stored, 60) is True
    assert cache_bytes_get("page-part") == stored
    with cache_prefetch(["page-part", "nothing-here"]):
        assert cache_bytes_get("page-part") == stored
        assert cache_bytes_get("nothing-here") is None


def test_a_prefetched_key_that_is_not_json_leaves_the_others_answered_from_the_read(caplog):
    from django.core.cache import cache

    from personalify.cache import cache_bytes_set, cache_prefetch

    cache_set("shown", {"state": "done"})
    cache_bytes_set("kept-html", b"<div>not json</div>", 60)
    with (
        caplog.at_level(logging.WARNING, logger="personalify.cache"),
        cache_prefetch(["shown", "kept-html"]),
    ):
        # Gone from Redis behind the block's back: only the block's one read still has it.
        cache.client.get_client().delete("shown")
        assert cache_get("shown") == {"state": "done"}
        assert cache_get("kept-html", "fallback") == "fallback"  # refused, not an outage
    assert not [r for r in caplog.records if "Cache unavailable" in r.getMessage()]
