"""Fixtures of the analytics tests: a fake Hugging Face server and their user."""

import pytest

from analytics.selectors import vibe_get
from music.spotify import TimeRange
from personalify.testing.fakehttp import Reply
from personalify.testing.users import spotify_user_make

# The browser fixtures live here, not in each browser test module: a session fixture imported
# into two modules would start two Playwright loops in one thread, which Playwright refuses.
from .browser import browser_context, chromium  # noqa: F401
from .dashboard_data import vibe_row

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


def sad_rankings(recorded) -> Reply:
    """The router's answer: one ranking per input ("inputs" is a string or a list)."""
    inputs = recorded.json()["inputs"]
    return Reply(200, json=[SAD_RANKING] * (len(inputs) if isinstance(inputs, list) else 1))


@pytest.fixture
def fake_hf(fake_http, settings):
    """A fake inference router; the huggingface backend is configured to call it."""
    server = fake_http()
    server.route("POST", ROUTE, sad_rankings)
    settings.HF_INFERENCE_URL = f"{server.url}/models"
    settings.HUGGING_FACE_API_KEY = "hf_test_token"
    settings.EMOTION_MODEL = MODEL
    settings.HF_LOADING_MAX_WAIT = 60.0
    return server


@pytest.fixture
def user(db):
    return spotify_user_make(None, spotify_id="ana-spotify", username="ana", display_name="Ana")


@pytest.fixture
def vibe(alice):
    """Alice's stored vibe for every range, as the page shows it."""
    for time_range in TimeRange.values:
        vibe_row(alice, time_range)
    return vibe_get(user=alice, time_range="short_term")
