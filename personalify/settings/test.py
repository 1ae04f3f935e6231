"""Settings for the test suite: real PostgreSQL, Redis and a MongoDB-wire server.

Test settings never read production URLs: each service has a TEST_* variable with a local
default, so a .env pointing at a real deployment cannot be touched by `make test`.
"""

import os

# The tests' key, given like production's: base refuses to load without one.
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")

from .base import *  # noqa: F403
from .base import database_timeouts, env

DEBUG = False
# No share-card picture is fetched from the internet; the tests that fetch one point this at a
# local fake image server (analytics/tests/test_share_images.py).
SHARE_IMAGE_ORIGINS: list[str] = []
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

DATABASES = {
    "default": database_timeouts(
        {
            **env.db_url(
                "TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/personalify"
            ),
            "CONN_MAX_AGE": 0,
            # Parallel checkouts on one machine can each use their own test database.
            "TEST": {"NAME": env.str("TEST_DATABASE_NAME", default="test_personalify")},
        }
    )
}

# Node B, the listening archive: TEST_ARCHIVE_DATABASE_URL if given, else the test session
# starts its own PostgreSQL on a free port (conftest.py), adds DATABASES["archive"] and points
# the FDW_REMOTE_* settings at its test database.
TEST_ARCHIVE_DATABASE_URL = env.str("TEST_ARCHIVE_DATABASE_URL", default="")
ARCHIVE_DATABASE = "archive"

REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "TIMEOUT": CACHE_TTL,  # noqa: F405
        "KEY_FUNCTION": "personalify.cache.plain_key",
        "OPTIONS": {
            "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
            "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,  # noqa: F405
            "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,  # noqa: F405
        },
    }
}

# Set by the test session (conftest.py): its own SecantusDB unless MONGO_URI is given.
# A real Celery worker started by a test is given the session's server by TEST_MONGO_URI.
MONGO_URI = env.str("TEST_MONGO_URI", default="") or "mongodb://127.0.0.1:1/"
MONGO_DB_NAME = "personalify_test"
MONGO_TIMEOUT_MS = 1000

# Tasks run in-process; the one test that needs a real worker uses this broker.
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
TEST_CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")

# Outside services point at a closed local port unless a test starts a fake server:
# a forgotten fake fails fast and never reaches the internet.
SPOTIFY_CLIENT_ID = "test-client-id"
SPOTIFY_CLIENT_SECRET = "test-client-secret"
# (A real Celery worker started by a test gets the test's fake through TEST_SPOTIFY_*.)
SPOTIFY_ACCOUNTS_URL = env.str("TEST_SPOTIFY_ACCOUNTS_URL", default="") or "http://127.0.0.1:9"
SPOTIFY_API_URL = env.str("TEST_SPOTIFY_API_URL", default="") or "http://127.0.0.1:9/v1"
GENIUS_ACCESS_TOKEN = "test-genius-token"
GENIUS_API_URL = "http://127.0.0.1:9"
GENIUS_WEB_URL = "http://127.0.0.1:9"
HUGGING_FACE_API_KEY = ""
HF_INFERENCE_URL = "http://127.0.0.1:9/models"
EMOTION_BACKEND = "local"
HTTP_TIMEOUT = 2.0
# Every /healthz request checks again (the test of the reuse sets its own).
HEALTH_CACHE_SECONDS = 0

# Static files are found in the source folders; nothing needs collecting for tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = None

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# A test worker sweeps the broker's unacknowledged tasks every second (production: about every
# 100 s, against a 2 h visibility timeout), so a test that kills a worker sees the redelivery.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

# Lyrics: LRCLib at a closed port like the other services; no fetch after every sync unless a
# test turns it on with its fakes (the demo's bundled lyrics need no network and still load).
LRCLIB_URL = "http://127.0.0.1:9"
# MusicBrainz too (the fake_musicbrainz fixture points it at the fake); no lookup after every
# sync unless a test turns it on; requests spaced by 10 ms (the 1/s test sets the real rule).
MUSICBRAINZ_URL = "http://127.0.0.1:9"
MUSICBRAINZ_GENRES_AFTER_SYNC = False
MUSICBRAINZ_MIN_INTERVAL = 0.01
LYRICS_FETCH_AFTER_SYNC = False
LYRICS_RETRY_BACKOFF = 0.01

# Imports write in the test's own thread (a test's rows live in its transaction, which a
# writer thread's connection cannot see); the tests of the pipeline turn it on themselves.
PLAY_IMPORT_PIPELINE = False
