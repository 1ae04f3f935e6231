"""What one visitor can cost: chunk counts, inference calls, time limits, rate-limit buckets,
and what the emotions answer reveals."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from analytics.backends.base import MAX_CHUNKS, split_chunks
from analytics.backends.local import CHUNK_TOKENS, LocalBackend, local_model
from analytics.models import EmotionAnalysis
from analytics.services import emotion_analyse

PASTE = reverse("analytics:emotion-paste")
JSON = reverse("analytics:emotion-analyse")
# The paste that cost 1,658 chunks and 4 s of CPU: 5,000 characters of one-letter stanzas.
CRAFTED = ("w\n\n" * 2500)[:5000]


def _post_json(client, body, **extra):
    return client.post(JSON, data=body, content_type="application/json", **extra)


def test_split_chunks_gives_at_most_max_chunks_when_text_is_one_letter_stanzas():
    tokens = local_model().embedder.count_tokens
    assert len(split_chunks(CRAFTED, CHUNK_TOKENS, tokens)) <= MAX_CHUNKS
    assert len(split_chunks(CRAFTED, 1200)) <= MAX_CHUNKS


def test_split_chunks_keeps_every_line_when_it_merges_short_stanzas():
    text = "\n\n".join(f"line {i}" for i in range(100))
    chunks = split_chunks(text, 40, max_chunks=5)
    assert len(chunks) == 5
    assert "\n".join(chunks).split("\n") == [f"line {i}" for i in range(100)]


def test_split_chunks_keeps_stanzas_apart_when_each_fills_a_chunk():
    stanza = "\n".join(["a long line of lyrics here"] * 3)
    assert split_chunks(f"{stanza}\n\n{stanza}", 90) == [stanza, stanza]


def test_local_backend_reads_the_crafted_paste_in_few_chunks():
    [scores] = LocalBackend().analyse([CRAFTED])
    assert scores.chunks <= MAX_CHUNKS


def test_local_backend_raises_time_limit_when_deadline_has_passed():
    from analytics.backends import EmotionTimeLimit

    with pytest.raises(EmotionTimeLimit):
        LocalBackend().analyse(["I miss you"], deadline=0.0)


@pytest.mark.django_db
def test_json_endpoint_answers_503_when_the_analysis_outlasts_its_time_limit(
    alice_client, settings
):
    settings.EMOTION_TIME_LIMIT = -1
    response = _post_json(alice_client, {"text": "I miss you"})
    assert response.status_code == 503 and "took too long" in response.json()["error"]


@pytest.mark.django_db
def test_paste_page_answers_503_with_a_message_when_the_time_limit_passes(alice_client, settings):
    settings.EMOTION_TIME_LIMIT = -1
    response = alice_client.post(PASTE, {"text": "I miss you"})
    assert response.status_code == 503 and "took too long" in response.content.decode()


def _demo_visitor(demo_user) -> Client:
    client = Client()
    client.post(reverse("music:demo-login"))
    return client


@pytest.mark.django_db
def test_rate_limit_counts_each_demo_visitor_apart_when_one_exceeds_it(demo_user, settings):
    settings.EMOTION_RATE_LIMIT = 2
    first, second = _demo_visitor(demo_user), _demo_visitor(demo_user)
    codes = [_post_json(first, {"text": "Sunny Day"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert _post_json(second, {"text": "Sunny Day"}).status_code == 200


@pytest.mark.django_db
def test_rate_limit_counts_all_sessions_of_one_address_together(demo_user, settings):
    settings.EMOTION_RATE_LIMIT_PER_ADDRESS = 2
    codes = [
        _post_json(_demo_visitor(demo_user), {"text": "Sunny Day"}).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]


@pytest.mark.django_db
def test_rate_limit_counts_a_user_across_sessions(alice, settings):
    settings.EMOTION_RATE_LIMIT = 2
    clients = [Client() for _ in range(3)]
    for client in clients:
        client.force_login(alice)
    codes = [_post_json(c, {"text": "Sunny Day"}).status_code for c in clients]
    assert codes == [200, 200, 429]


@pytest.mark.django_db
def test_json_answer_is_the_same_shape_when_the_text_was_analysed_for_someone(alice_client):
    emotion_analyse(text="Song Somebody Ranks")  # a title analysed for someone's vibe
    known = _post_json(alice_client, {"text": "Song Somebody Ranks"}).json()
    unknown = _post_json(alice_client, {"text": "Song Nobody Ranks"}).json()
    assert "cached" not in known and set(known) == set(unknown)


@pytest.mark.django_db
def test_paste_neither_reads_nor_writes_the_shared_result_cache(alice_client):
    emotion_analyse(text="Song Somebody Ranks")
    row = EmotionAnalysis.objects.get()
    EmotionAnalysis.objects.filter(pk=row.pk).update(top_label="planted", fine={}, coarse={})
    body = _post_json(alice_client, {"text": "Song Somebody Ranks"}).json()
    assert len(body["fine"]) == 28  # computed now, not read from the planted row
    _post_json(alice_client, {"text": "A brand new text"})
    assert EmotionAnalysis.objects.count() == 1


@pytest.mark.django_db
def test_json_endpoint_answers_400_when_json_is_deeply_nested(alice_client):
    body = "[" * 100_000 + "]" * 100_000
    response = alice_client.post(JSON, data=body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_json_endpoint_answers_400_when_json_is_not_an_object(alice_client):
    response = alice_client.post(JSON, data=json.dumps(["text"]), content_type="application/json")
    assert response.status_code == 400
