"""The session table: bounded (expired rows cleared daily) and indexed by user."""

import pytest
from django.test import Client

from accounts.models import UserSession
from accounts.services import _user_sessions_delete
from accounts.tasks import sessions_clear_expired_task

pytestmark = pytest.mark.django_db


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
