import pytest

from analytics.rankings import TrackInput
from analytics.selectors import mood_progress_get, vibe_get
from analytics.services import mood_progress_set, vibe_compute, vibe_store

pytestmark = pytest.mark.django_db


def test_vibe_get_returns_none_when_the_range_was_never_analysed(user):
    assert vibe_get(user=user, time_range="short_term") is None


def test_vibe_get_returns_plain_dashboard_data_when_a_vibe_is_stored(user):
    sad = [TrackInput(str(i), t) for i, t in enumerate(["Tears on My Pillow", "Lonely Road", ""])]
    vibe_store(user=user, time_range="medium_term", result=vibe_compute(tracks=sad))
    vibe = vibe_get(user=user, time_range="medium_term")
    assert vibe["sentence"] and vibe["analysed"] == 2 and vibe["skipped"] == 1
    coarse = [item["percent"] for item in vibe["coarse"]]
    assert coarse == sorted(coarse, reverse=True) and len(coarse) == 7
    assert vibe["confidence"] in {"low", "medium", "high"} and vibe["backend"] == "local"
    assert vibe_get(user=user, time_range="short_term") is None


def test_mood_progress_get_reads_the_users_progress_when_analysis_runs(user, django_user_model):
    other = django_user_model.objects.create(username="other")
    mood_progress_set(user_id=user.pk, state="running", done=3, total=9)
    assert mood_progress_get(user=user)["done"] == 3
    assert mood_progress_get(user=other)["state"] == "idle"


def test_mood_progress_get_reads_unavailable_when_redis_is_down(user, redis_down):
    assert mood_progress_get(user=user)["state"] == "unavailable"


def test_mood_progress_set_does_not_raise_when_redis_is_down(user, redis_down):
    mood_progress_set(user_id=user.pk, state="running", done=1, total=2)
    assert mood_progress_get(user=user)["state"] == "unavailable"
