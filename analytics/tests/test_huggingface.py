import time

import pytest

from analytics.backends import EmotionTimeLimit
from analytics.backends.base import MAX_CHUNKS
from analytics.backends.huggingface import (
    HuggingFaceAuthError,
    HuggingFaceBackend,
    HuggingFaceClient,
    HuggingFaceModelLoading,
    HuggingFaceModelNotFound,
    HuggingFaceRateLimited,
    HuggingFaceUnavailable,
    normalize_ranking,
    scores_from_ranking,
)
from analytics.labels import COARSE_LABELS, FINE_LABELS
from personalify.testing.fakehttp import Reply

from .conftest import MODEL, ROUTE, SAD_RANKING


def client(**kwargs):
    waits = kwargs.pop("waits", [])
    return HuggingFaceClient(sleep=waits.append, **kwargs)


def test_classify_returns_best_first_when_answer_is_nested(fake_hf):
    ranking = client().classify(MODEL, "I miss you")
    assert ranking[0].label == "sadness" and ranking[0].score == pytest.approx(0.712)
    assert len(ranking) == 28


def test_classify_returns_best_first_when_answer_is_flat(fake_hf):
    flat = list(reversed(SAD_RANKING))  # flat and not sorted
    fake_hf.route("POST", ROUTE, Reply(200, json=flat))
    ranking = client().classify(MODEL, "I miss you")
    assert [s.label for s in ranking[:2]] == ["sadness", "disappointment"]


def test_classify_sends_top_k_28_and_the_token_when_called(fake_hf):
    client().classify(MODEL, "I miss you")
    sent = fake_hf.requests_to(ROUTE, "POST")[0]
    assert sent.json() == {"inputs": "I miss you", "parameters": {"top_k": 28}}
    assert sent.headers["authorization"] == "Bearer hf_test_token"
    assert sent.headers["user-agent"]


def test_classify_waits_estimated_time_and_retries_when_model_is_loading(fake_hf):
    loading = Reply(
        503, json={"error": f"Model {MODEL} is currently loading", "estimated_time": 20.0}
    )
    fake_hf.route("POST", ROUTE, [loading, Reply(200, json=[SAD_RANKING])])
    waits = []
    ranking = client(waits=waits).classify(MODEL, "I miss you")
    assert waits == [20.0]
    assert ranking[0].label == "sadness"
    assert len(fake_hf.requests_to(ROUTE)) == 2


def test_classify_gives_up_when_loading_outlasts_the_bound(fake_hf):
    loading = Reply(503, json={"error": "loading", "estimated_time": 45.0})
    fake_hf.route("POST", ROUTE, loading)
    waits = []
    with pytest.raises(HuggingFaceModelLoading) as info:
        client(waits=waits, max_wait=60.0).classify(MODEL, "x")
    assert waits == [45.0] and info.value.estimated_time == 45.0


def test_classify_raises_auth_error_when_token_is_invalid(fake_hf):
    body = {"error": "Invalid credentials in Authorization header"}
    fake_hf.route("POST", ROUTE, Reply(401, json=body))
    with pytest.raises(HuggingFaceAuthError, match="Invalid credentials"):
        client().classify(MODEL, "x")


def test_classify_raises_auth_error_without_calling_when_no_token(fake_hf, settings):
    settings.HUGGING_FACE_API_KEY = ""
    with pytest.raises(HuggingFaceAuthError):
        client().classify(MODEL, "x")
    assert fake_hf.requests == []


def test_classify_raises_rate_limited_with_retry_after_when_429(fake_hf):
    fake_hf.route("POST", ROUTE, Reply(429, body="Too Many Requests", headers={"Retry-After": "7"}))
    with pytest.raises(HuggingFaceRateLimited) as info:
        client().classify(MODEL, "x")
    assert info.value.retry_after == 7.0


def test_classify_raises_not_found_when_model_is_not_deployed(fake_hf):
    fake_hf.route(
        "POST", ROUTE, Reply(404, body="Not Found", headers={"Content-Type": "text/plain"})
    )
    with pytest.raises(HuggingFaceModelNotFound):
        client().classify(MODEL, "x")


def test_classify_raises_unavailable_when_server_times_out(fake_hf):
    fake_hf.route("POST", ROUTE, Reply(200, json=[SAD_RANKING], delay=1.0))
    with pytest.raises(HuggingFaceUnavailable, match="did not answer"):
        client(timeout=0.2).classify(MODEL, "x")


def test_normalize_ranking_raises_unavailable_when_shape_is_unknown():
    with pytest.raises(HuggingFaceUnavailable):
        normalize_ranking({"unexpected": True})


def test_scores_from_ranking_fills_28_fine_and_7_coarse_when_model_is_go_emotions():
    scores = scores_from_ranking(normalize_ranking([SAD_RANKING]))
    assert list(scores.fine) == list(FINE_LABELS) and list(scores.coarse) == list(COARSE_LABELS)
    assert max(scores.coarse, key=scores.coarse.get) == "sadness"
    assert sum(scores.coarse.values()) == pytest.approx(1.0)


def test_scores_from_ranking_spreads_seven_labels_when_model_is_j_hartmann():
    answer = [
        [
            {"label": "joy", "score": 0.9771687984466553},
            {"label": "surprise", "score": 0.008528684265911579},
            {"label": "neutral", "score": 0.005764586851000786},
            {"label": "anger", "score": 0.004419783595949411},
            {"label": "sadness", "score": 0.002092392183840275},
            {"label": "disgust", "score": 0.0016119900392368436},
            {"label": "fear", "score": 0.0004138521908316761},
        ]
    ]
    scores = scores_from_ranking(normalize_ranking(answer))
    assert scores.coarse["joy"] == pytest.approx(0.977, abs=1e-3)
    assert scores.fine["joy"] == pytest.approx(0.977, abs=1e-3) and scores.fine["love"] == 0.0


def test_backend_averages_chunks_in_one_request_when_lyrics_are_long(fake_hf):
    stanza = "\n".join(["I walk alone down the empty road tonight"] * 20)
    lyrics = "\n\n".join([stanza] * 4)  # about 3,400 characters
    [scores] = HuggingFaceBackend().analyse([lyrics])
    [request] = fake_hf.requests_to(ROUTE)
    sent = request.json()["inputs"]
    assert scores.chunks == len(sent) >= 3
    assert all(len(text) <= 1200 for text in sent)
    assert scores.fine["sadness"] == pytest.approx(0.712)


def test_backend_makes_one_call_with_few_inputs_when_text_is_crafted_stanzas(fake_hf):
    crafted = ("w\n\n" * 2500)[:5000]  # 1,667 one-letter stanzas
    [scores] = HuggingFaceBackend().analyse([crafted])
    requests = fake_hf.requests_to(ROUTE)
    assert len(requests) == 1
    assert scores.chunks == len(requests[0].json()["inputs"]) <= MAX_CHUNKS


def test_backend_refuses_when_the_answer_has_fewer_rankings_than_inputs(fake_hf):
    fake_hf.route("POST", ROUTE, Reply(200, json=[SAD_RANKING]))
    with pytest.raises(HuggingFaceUnavailable, match="Expected 2 rankings"):
        HuggingFaceClient().classify_batch(MODEL, ["one", "two"])


def test_backend_raises_time_limit_without_calling_when_deadline_has_passed(fake_hf):
    with pytest.raises(EmotionTimeLimit):
        HuggingFaceBackend().analyse(["I miss you"], deadline=time.monotonic() - 1)
    assert fake_hf.requests == []
