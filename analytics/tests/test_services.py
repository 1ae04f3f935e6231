import logging

import pytest

from analytics.backends import EmotionInputError, EmotionTextTooLong, backend_get
from analytics.models import EmotionAnalysis, Vibe
from analytics.rankings import TrackInput
from analytics.selectors import mood_progress_get
from analytics.services import (
    emotion_analyse,
    emotion_rate_limit_hit,
    emotions_analyse,
    moods_analyse,
    text_sha256,
    vibe_compute,
    vibe_refresh_request,
    vibe_store,
)
from personalify.progress import WORKER_UNAVAILABLE
from personalify.testing.fakehttp import Reply

from .conftest import ROUTE, SAD_RANKING

pytestmark = pytest.mark.django_db


def test_emotion_analyse_uses_the_remote_model_when_configured(fake_hf, settings):
    settings.EMOTION_BACKEND = "huggingface"
    result = emotion_analyse(text="I miss you")
    assert (result.backend, result.model, result.top_fine) == (
        "huggingface",
        "SamLowe/roberta-base-go_emotions",
        "sadness",
    )
    assert result.fallback_reason == ""


def test_emotion_analyse_makes_no_second_call_when_text_is_cached(fake_hf, settings):
    settings.EMOTION_BACKEND = "huggingface"
    first = emotion_analyse(text="I miss you")
    second = emotion_analyse(text="  I miss you \n")
    assert len(fake_hf.requests_to(ROUTE)) == 1
    assert (first.cached, second.cached) == (False, True)
    row = EmotionAnalysis.objects.get()
    assert row.text_sha256 == text_sha256("I miss you") and row.top_label == "sadness"


def test_emotion_analyse_falls_back_to_local_when_remote_refuses_the_token(fake_hf, settings):
    settings.EMOTION_BACKEND = "huggingface"
    fake_hf.route(
        "POST", ROUTE, Reply(401, json={"error": "Invalid credentials in Authorization header"})
    )
    result = emotion_analyse(text="I cried all night, my heart is broken")
    assert result.backend == "local"
    assert "HuggingFaceAuthError" in result.fallback_reason
    assert EmotionAnalysis.objects.get().backend == "local"


def test_emotion_analyse_falls_back_to_local_when_remote_is_rate_limited(fake_hf, settings):
    settings.EMOTION_BACKEND = "huggingface"
    fake_hf.route("POST", ROUTE, Reply(429, body="Too Many Requests"))
    result = emotion_analyse(text="Dancing in the sun")
    assert result.backend == "local" and "HuggingFaceRateLimited" in result.fallback_reason


def test_emotion_analyse_falls_back_to_local_when_remote_times_out(fake_hf, settings):
    settings.EMOTION_BACKEND = "huggingface"
    settings.HTTP_TIMEOUT = 0.2
    fake_hf.route("POST", ROUTE, Reply(200, json=[SAD_RANKING], delay=1.0))
    result = emotion_analyse(text="Dancing in the sun")
    assert result.backend == "local" and "HuggingFaceUnavailable" in result.fallback_reason


def test_emotion_analyse_stores_one_row_per_text_when_batch_repeats_texts():
    results = emotions_analyse(texts=["Happy Days", "Happy Days", "Lonely Road"])
    assert [r.backend for r in results] == ["local"] * 3
    assert EmotionAnalysis.objects.count() == 2
    assert emotions_analyse(texts=["Happy Days"])[0].cached


@pytest.mark.parametrize("bad", ["", "   \n ", None, 42])
def test_emotion_analyse_raises_input_error_when_text_is_empty_or_not_text(bad):
    with pytest.raises(EmotionInputError):
        emotion_analyse(text=bad)


def test_emotion_analyse_refuses_text_when_over_the_size_limit(settings):
    settings.EMOTION_MAX_CHARS = 100
    with pytest.raises(EmotionTextTooLong, match="101 characters; the limit is 100"):
        emotion_analyse(text="x" * 101)
    assert EmotionAnalysis.objects.count() == 0


def test_emotion_rate_limit_hit_when_user_exceeds_the_limit(settings):
    settings.EMOTION_RATE_LIMIT = 2
    assert [emotion_rate_limit_hit(user_id=7) for _ in range(3)] == [False, False, True]
    assert emotion_rate_limit_hit(user_id=8) is False


def test_backend_get_rejects_unknown_backend_name():
    with pytest.raises(ValueError, match="Unknown EMOTION_BACKEND"):
        backend_get("telepathy")


def test_vibe_compute_skips_and_counts_instrumentals_and_empty_titles():
    tracks = [
        TrackInput(
            "t1", "Tears in the Rain", lyrics="I cry alone, you are gone, my heart is broken"
        ),
        TrackInput("t2", "Lonely Nights"),
        TrackInput("t3", "Interlude", lyrics="[Instrumental]"),
        TrackInput("t4", "Theme", instrumental=True),
        TrackInput("t5", "   "),
    ]
    result = vibe_compute(tracks=tracks)
    assert (result.analysed, result.skipped, result.lyrics_used) == (2, 3, 1)
    assert result.skipped_reasons == {"instrumental": 2, "empty": 1}
    assert result.backends == {"local": 2}


def test_vibe_compute_reads_lyrics_instead_of_title_when_lyrics_exist():
    lyrics = "We dance all night, so happy, laughing in the summer sun"
    vibe_compute(tracks=[TrackInput("t1", "Tears", lyrics=lyrics)])
    assert EmotionAnalysis.objects.filter(text_sha256=text_sha256(lyrics)).exists()
    assert not EmotionAnalysis.objects.filter(text_sha256=text_sha256("Tears")).exists()


def test_vibe_compute_falls_back_to_title_when_lyrics_exceed_the_limit(settings):
    settings.EMOTION_MAX_CHARS = 50
    result = vibe_compute(tracks=[TrackInput("t1", "Sunny Day", lyrics="la " * 40)])
    assert (result.analysed, result.lyrics_used) == (1, 0)


def test_vibe_store_upserts_one_row_per_user_and_time_range(user):
    sad = [TrackInput(str(i), t) for i, t in enumerate(["Tears on My Pillow", "Lonely Road"])]
    vibe_store(user=user, time_range="short_term", result=vibe_compute(tracks=sad))
    vibe_store(user=user, time_range="short_term", result=vibe_compute(tracks=sad[:1]))
    vibe = Vibe.objects.get(user=user)
    assert vibe.analysed_count == 1 and vibe.sentence


def test_moods_analyse_stores_each_time_range_and_finishes_progress(user):
    vibes = moods_analyse(user=user)
    assert [v.time_range for v in vibes] == ["short_term", "medium_term", "long_term"]
    assert mood_progress_get(user=user)["state"] == "done"


def test_emotion_rate_limit_fails_open_and_logs_once_when_redis_is_down(
    settings, redis_down, caplog
):
    settings.EMOTION_RATE_LIMIT = 0
    with caplog.at_level(logging.WARNING, logger="personalify.cache"):
        hits = [emotion_rate_limit_hit(user_id=7) for _ in range(3)]
    assert hits == [False, False, False]
    assert len([r for r in caplog.records if "Cache unavailable" in r.getMessage()]) == 1


def test_moods_analyse_stores_vibes_when_redis_is_down(user, redis_down):
    assert len(moods_analyse(user=user)) == 3
    assert Vibe.objects.filter(user=user).count() == 3


def test_vibe_refresh_request_runs_the_analysis_when_redis_is_down(
    user, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        vibe_refresh_request(user=user)
    assert Vibe.objects.filter(user=user).count() == 3


def test_vibe_refresh_request_records_failed_progress_when_broker_is_down(
    user, broker_down, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.ERROR):
        vibe_refresh_request(user=user)
    progress = mood_progress_get(user=user)
    assert progress["state"] == "failed"
    assert progress["error"] == WORKER_UNAVAILABLE
    assert any("mood refresh" in r.getMessage() for r in caplog.records)


def test_vibe_refresh_request_returns_when_broker_and_redis_are_down(
    user, broker_down, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        vibe_refresh_request(user=user)
    assert len(callbacks) == 1 and Vibe.objects.filter(user=user).count() == 0


def _ranked_titles(user, n: int) -> None:
    from music.models import Track, UserTrack

    titles = ["Tears on My Pillow", "Dancing in the Sun", "Burning Rage", "Quiet Morning"]
    tracks = Track.objects.bulk_create(
        [Track(id=f"t{n}-{i}", name=f"{titles[i % 4]} {i}") for i in range(n)]
    )
    UserTrack.objects.bulk_create(
        [
            UserTrack(user=user, time_range=r, track=t, rank=i + 1)
            for r in ("short_term", "medium_term", "long_term")
            for i, t in enumerate(tracks)
        ]
    )


def test_moods_analyse_query_count_does_not_grow_when_rankings_grow(user, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = django_user_model.objects.create(username="big", spotify_id="big-spotify")
    _ranked_titles(user, 10)
    _ranked_titles(other, 50)
    counts = []
    for who in (user, other):
        with CaptureQueriesContext(connection) as captured:
            moods_analyse(user=who)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Vibe.objects.get(user=other, time_range="long_term").analysed_count == 50


def test_vibe_compute_reports_progress_up_to_every_track_when_batched():
    seen: list[int] = []
    tracks = [TrackInput(str(i), f"Song number {i}") for i in range(40)] + [TrackInput("x", "")]
    vibe_compute(tracks=tracks, batch_size=16, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 41 and len(seen) >= 3
