"""The privacy page's retention times are the code's."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import UserSession
from analytics.services.moods import MOOD_QUEUED_TTL
from music.services.sync_lock import QUEUED_TTL, sync_lock_ttl
from personalify.progress import PROGRESS_TTL
from personalify.ratelimit import RATE_LIMIT_WINDOW

pytestmark = pytest.mark.django_db


def _duration(seconds: int) -> str:
    for unit, size in (("week", 7 * 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n > 1 else ''}"
    raise AssertionError(f"{seconds} s is not a round duration")


@pytest.fixture
def page(client) -> str:
    return " ".join(client.get(reverse("privacy")).content.decode().split())


def test_privacy_page_states_the_cache_progress_lock_and_counter_lifetimes(page):
    assert f"{_duration(settings.CACHE_TTL)} by default" in page
    assert f"<td>Redis</td><td>{_duration(PROGRESS_TTL)}</td>" in page
    assert QUEUED_TTL == MOOD_QUEUED_TTL
    cooldown = _duration(settings.SYNC_NOW_COOLDOWN)
    assert f"{_duration(sync_lock_ttl())}; {_duration(QUEUED_TTL)}; {cooldown}" in page
    assert f"<td>Redis</td><td>{_duration(RATE_LIMIT_WINDOW)}</td>" in page


def test_privacy_page_names_the_session_table_and_its_age(page):
    assert f"<code>{UserSession._meta.db_table}</code>" in page
    assert f"expires ({_duration(settings.SESSION_COOKIE_AGE)})" in page
    assert "django_session" not in page


def test_privacy_page_says_pasted_texts_and_failed_admin_logins_are_kept_as_the_code_does(page):
    assert "Texts you paste on the emotions page</td><td>Nowhere" in page
    assert f"{_duration(settings.AXES_COOLOFF_TIME * 3600)} after the last failure" in page
