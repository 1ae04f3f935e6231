"""The session table: bounded (expired rows cleared daily), indexed by user, and copied in the
cache (with the user) so a request reads no table for it."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from accounts.services import _user_sessions_delete
from accounts.sessions import session_cache_key
from accounts.tasks import sessions_clear_expired_task

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


def test_login_sessions_carry_the_user_id_for_an_indexed_lookup(alice):
    Client().force_login(alice)
    assert list(UserSession.objects.values_list("user_pk", flat=True)) == [alice.pk]
    field = UserSession._meta.get_field("user_pk")
    assert field.db_index


def test_account_delete_finds_sessions_with_one_query_however_many_there_are(
    alice, bob, django_assert_num_queries
):
    for _ in range(30):
        Client().force_login(bob)
    Client().force_login(alice)
    with django_assert_num_queries(1):
        _user_sessions_delete(user_id=alice.pk)
    assert set(UserSession.objects.values_list("user_pk", flat=True)) == {bob.pk}


def test_expired_sessions_are_cleared_by_a_daily_beat_task(alice, settings, time_machine):
    schedule = settings.CELERY_BEAT_SCHEDULE["accounts-sessions-clear-expired"]
    assert schedule["task"] == "accounts.tasks.sessions_clear_expired_task"
    assert schedule["schedule"] <= 24 * 60 * 60
    time_machine.move_to("2026-01-01", tick=False)
    Client().force_login(alice)
    time_machine.move_to("2026-03-01", tick=False)  # past the two-week session age
    Client().force_login(alice)
    assert sessions_clear_expired_task.delay().get() == 1
    assert UserSession.objects.count() == 1


# --- The cached copy of each session and of its user ---------------------------------------------


def _status(client):
    return client.get(reverse("analytics:dashboard-status"))


def test_logged_in_request_reads_no_table_when_session_and_user_are_cached(
    alice_client, django_assert_num_queries
):
    _status(alice_client)
    with django_assert_num_queries(0):
        assert _status(alice_client).status_code == 200


def test_old_session_cookie_is_refused_when_the_user_logged_out(alice_client):
    cookie = alice_client.cookies["sessionid"].value
    assert _status(alice_client).status_code == 200  # now cached
    alice_client.post(reverse("accounts:logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert _status(stolen).status_code == 302


def test_old_session_cookie_is_refused_when_the_account_is_deleted(alice_client, alice):
    from accounts.services import account_delete

    cookie = alice_client.cookies["sessionid"].value
    assert _status(alice_client).status_code == 200
    account_delete(user=alice)
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert _status(stolen).status_code == 302


def test_deactivated_user_is_logged_out_when_their_copy_was_cached(alice_client, alice):
    assert _status(alice_client).status_code == 200
    alice.is_active = False
    alice.save()
    assert _status(alice_client).status_code == 302


def test_session_still_logs_in_when_the_cache_is_down(alice_client, redis_down):
    assert _status(alice_client).status_code == 200


def test_session_read_from_the_database_when_its_cached_copy_expired(alice_client, alice):
    assert _status(alice_client).status_code == 200
    cache.delete(session_cache_key(alice_client.cookies["sessionid"].value))
    assert _status(alice_client).status_code == 200
