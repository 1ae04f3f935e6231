"""Fixtures of the analytics tests: a fake Hugging Face server, users, a dead Redis or broker."""

import pytest

from accounts.models import DEMO_SPOTIFY_ID
from personalify.cache import cache_get
from personalify.testing.fakehttp import Reply

MODEL = "SamLowe/roberta-base-go_emotions"
ROUTE = f"/models/{MODEL}"

# A 28-label answer in the API's nested shape (one ranking per input), sorted by score.
SAD_RANKING = [
    {"label": "sadness", "score": 0.712},
    {"label": "disappointment", "score": 0.282},
    {"label": "neutral", "score": 0.064},
    {"label": "grief", "score": 0.041},
    {"label": "remorse", "score": 0.031},
] + [
    {"label": label, "score": 0.01}
    for label in [
        "admiration",
        "amusement",
        "anger",
        "annoyance",
        "approval",
        "caring",
        "confusion",
        "curiosity",
        "desire",
        "disapproval",
        "disgust",
        "embarrassment",
        "excitement",
        "fear",
        "gratitude",
        "joy",
        "love",
        "nervousness",
        "optimism",
        "pride",
        "realization",
        "relief",
        "surprise",
    ]
]


@pytest.fixture
def fake_hf(fake_http, settings):
    """A fake inference router; the huggingface backend is configured to call it."""
    server = fake_http()
    server.route("POST", ROUTE, Reply(200, json=[SAD_RANKING]))
    settings.HF_INFERENCE_URL = f"{server.url}/models"
    settings.HUGGING_FACE_API_KEY = "hf_test_token"
    settings.EMOTION_MODEL = MODEL
    settings.HF_LOADING_MAX_WAIT = 60.0
    return server


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create(
        username="ana", spotify_id="ana-spotify", display_name="Ana"
    )


# A closed local port: connecting fails at once, as when Redis or the broker is down.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    """Django's cache points at a closed port (setting CACHES resets the cache handler).

    The outage-safe cache helpers remember an outage to log it once; a call on the live cache
    before and after keeps that state from leaking between tests.
    """
    up = settings.CACHES
    cache_get("redis-down-fixture")
    settings.CACHES = {"default": {**up["default"], "LOCATION": DEAD_REDIS}}
    yield
    settings.CACHES = up
    cache_get("redis-down-fixture")


@pytest.fixture
def demo_user(django_user_model):
    return django_user_model.objects.create(
        username=DEMO_SPOTIFY_ID, spotify_id=DEMO_SPOTIFY_ID, display_name="Demo"
    )
