"""Shared test fixtures: real PostgreSQL, Redis and MongoDB-wire server; fake outside HTTP.

Nothing here mocks a data store. A missing service stops the run with how to start it.
"""

from __future__ import annotations

import atexit
import os

import psycopg
import pytest
import redis
from django.conf import settings

from music.history import history_client_reset
from personalify.localmongo import LocalMongo
from personalify.testing.fakehttp import FakeHTTPServer
from personalify.testing.nodeb import NodeB, node_b_attach
from personalify.testing.users import spotify_user_make

START_HINTS = {
    "postgres": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "redis": 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log",
}


def pytest_sessionstart(session):
    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
            user=db.get("USER"),
            password=db.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        pytest.exit(
            f"PostgreSQL is not reachable at {db.get('HOST')}:{db.get('PORT')} ({exc}).\n"
            f"Start it with: {START_HINTS['postgres']}\n(or set TEST_DATABASE_URL)",
            returncode=1,
        )
    _node_b_configure()
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.exit(
            f"Redis is not reachable at {settings.REDIS_URL} ({exc}).\n"
            f"Start it with: {START_HINTS['redis']}\n(or set TEST_REDIS_URL)",
            returncode=1,
        )


# --- Node B: the listening archive's PostgreSQL ---------------------------------------------
NODE_B: NodeB | None = None


def _node_b_configure() -> None:
    """Add the ``archive`` database alias: TEST_ARCHIVE_DATABASE_URL, else a node B of our own
    (initdb + pg_ctl on a free port, removed when the session ends). node A reaches the same
    server through postgres_fdw (FDW_REMOTE_*), at its test database."""
    global NODE_B
    url = settings.TEST_ARCHIVE_DATABASE_URL
    if not url:
        try:
            NODE_B = NodeB().start()
        except (RuntimeError, OSError) as exc:
            pytest.exit(f"Could not start node B (a second PostgreSQL): {exc}", returncode=1)
        atexit.register(NODE_B.destroy)
        url = NODE_B.url
    node_b_attach(settings, url, database=f"{settings.DATABASES['default']['TEST']['NAME']}_nodeb")


@pytest.hookimpl(trylast=True)  # after the test databases are dropped
def pytest_sessionfinish(session, exitstatus):
    if NODE_B is not None:
        NODE_B.destroy()


@pytest.fixture(scope="session")
def node_b():
    """The session's node B server (None when TEST_ARCHIVE_DATABASE_URL names another one)."""
    return NODE_B


@pytest.fixture
def archive_ready():
    """Node A reads node B through postgres_fdw (``setup_fdw`` run; it is idempotent).

    The FDW reads node B on its own connection, which sees committed rows only: a test that
    reads through it rows it wrote is ``django_db(transaction=True, databases=[...both])``.
    """
    from fdw.services import fdw_setup

    fdw_setup()


@pytest.fixture
def archive_local(settings):
    """The archive in the main database, as with no node B configured (same table names)."""
    from django.apps import apps
    from django.db import connections

    from personalify.archive import ARCHIVE_MODELS

    models = [apps.get_model(label) for label in sorted(ARCHIVE_MODELS)]  # plays, summaries
    settings.ARCHIVE_DATABASE = "default"
    with connections["default"].schema_editor() as editor:
        for model in models:
            editor.create_model(model)
    if connections["default"].vendor == "postgresql":
        from django.db import transaction

        from music.archive.summaries import summaries_install

        with transaction.atomic(), connections["default"].cursor() as cursor:
            summaries_install(cursor)  # the triggers on plays, as migration 0005 installs them
    yield
    with connections["default"].schema_editor() as editor:
        for model in models:
            editor.delete_model(model)


@pytest.fixture
def node_b_down(node_b):
    """Node B stopped during the test; yields a function that starts it again (called after
    the test if the test did not). The app's connections are dropped as a request's end does."""
    from django.db import connections

    if node_b is None:
        pytest.fail("This test stops node B: run it with the session's own node B "
                    "(TEST_ARCHIVE_DATABASE_URL unset).", pytrace=False)  # fmt: skip
    connections["archive"].close()
    node_b.stop()

    def start() -> None:
        node_b.start()
        connections["archive"].close()

    yield start
    if not node_b.running:
        start()


@pytest.fixture(scope="session", autouse=True)
def mongo_server():
    """The session's MongoDB-wire server: MONGO_URI if given, else our own SecantusDB."""
    external = os.environ.get("MONGO_URI")
    server = None
    if external:
        uri = external
    else:
        try:
            server = LocalMongo().start()
        except (RuntimeError, OSError) as exc:
            pytest.fail(
                f"Could not start SecantusDB ({exc}). Install the dev requirements "
                "(`make test` does) or set MONGO_URI to a running MongoDB.",
                pytrace=False,
            )
        uri = server.uri
    settings.MONGO_URI = uri
    history_client_reset()
    yield uri
    history_client_reset()
    if server:
        server.stop()


@pytest.fixture(autouse=True)
def _clean_stores(mongo_server):
    """Each test starts with an empty cache (no outage remembered) and an empty history
    database."""
    from pymongo import MongoClient

    from personalify.cache import cache_state_reset

    cache_state_reset()
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    with MongoClient(settings.MONGO_URI, serverSelectionTimeoutMS=3000) as client:
        client.drop_database(settings.MONGO_DB_NAME)
    yield


def _celery_pools_reset(app) -> None:
    """Drop the app's references to its connection pools, so the next publish takes the pool
    of the current broker URL. (Not closed: kombu shares pools by URL, and even eager tasks
    take a producer from the in-memory broker's pool.)"""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down(settings):
    """Tasks are sent to a broker at a closed local port, as when the broker is down.

    Not in-process (eager) any more: ``delay()`` really tries to publish and fails.
    """
    from personalify.celery import app

    saved = {"task_always_eager": app.conf.task_always_eager, "broker_url": app.conf.broker_url}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:9/0")
    _celery_pools_reset(app)
    yield
    app.conf.update(saved)
    _celery_pools_reset(app)


@pytest.fixture
def fake_http():
    """Start fake HTTP servers on 127.0.0.1; all are stopped after the test."""
    servers: list[FakeHTTPServer] = []

    def start(latency: float = 0.0) -> FakeHTTPServer:
        server = FakeHTTPServer(latency=latency).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def fake_spotify_factory(settings):
    """Start FakeSpotify(**kwargs) (e.g. dev_mode=True, n_items=50) and point the settings at it.

    The last one started is the one settings.SPOTIFY_ACCOUNTS_URL / SPOTIFY_API_URL point at.
    """
    from personalify.testing.spotify import FakeSpotify

    started = []

    def start(**kwargs):
        kwargs.setdefault("client_id", settings.SPOTIFY_CLIENT_ID)
        kwargs.setdefault("client_secret", settings.SPOTIFY_CLIENT_SECRET)
        fake = FakeSpotify(**kwargs).start()
        started.append(fake)
        settings.SPOTIFY_ACCOUNTS_URL = fake.accounts_url
        settings.SPOTIFY_API_URL = fake.api_url
        return fake

    yield start
    for fake in started:
        fake.stop()


@pytest.fixture
def fake_spotify(fake_spotify_factory):
    """A running FakeSpotify (20 items, full shapes); settings point at it.

    Inject errors with ``fake_spotify.fail_429(...)`` etc. (personalify/testing/spotify.py).
    """
    return fake_spotify_factory()


@pytest.fixture
def spotify_user(fake_spotify, db):
    """A user logged in with Spotify ("testuser123", the fake's user) with working tokens."""
    return spotify_user_make(fake_spotify)


@pytest.fixture
def alice(db):
    """A Spotify user without tokens (her data is written by the test)."""
    return spotify_user_make(None, spotify_id="alice-sp", username="alice", display_name="Alice")


@pytest.fixture
def bob(db):
    return spotify_user_make(None, spotify_id="bob-sp", username="bob", display_name="Bob")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def demo_user(db):
    from accounts.models import DEMO_SPOTIFY_ID

    return spotify_user_make(None, spotify_id=DEMO_SPOTIFY_ID, display_name="Demo")


# A closed local port: connecting fails at once, as when Redis or the broker is down.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_hung(settings):
    """Django's cache points at a server that accepts connections and never answers; yields it
    (its ``accepted`` counts the connections the site opened)."""
    from personalify.cache import cache_state_reset
    from personalify.testing.blackhole import BlackHole

    up = settings.CACHES
    cache_state_reset()
    with BlackHole() as hole:
        settings.CACHES = {
            "default": {**up["default"], "LOCATION": f"redis://127.0.0.1:{hole.port}/0"}
        }
        yield hole
        settings.CACHES = up
    cache_state_reset()


@pytest.fixture
def redis_down(settings):
    """Django's cache points at a closed port (setting CACHES resets the cache handler).

    The outage-safe cache helpers remember an outage (to log it once and to skip the cache for a
    back-off); that memory is cleared before and after, so it does not leak between tests.
    """
    from personalify.cache import cache_state_reset

    up = settings.CACHES
    cache_state_reset()
    settings.CACHES = {"default": {**up["default"], "LOCATION": DEAD_REDIS}}
    yield
    settings.CACHES = up
    cache_state_reset()


# --- The fault suite's table (tests marked chaos; `make chaos`) ---------------------------------

CHAOS_ROWS: list[dict] = []


@pytest.fixture
def chaos_report():
    """Each fault test adds one row: the fault, what the user saw, how long, and the records
    counted before and after."""
    return CHAOS_ROWS.append


def pytest_terminal_summary(terminalreporter):
    if not CHAOS_ROWS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("faults: what each did")
    for row in CHAOS_ROWS:
        write(f"{row['fault']} ({row['seconds']:.2f} s)")
        write(f"    user saw: {row['user_saw']}")
        write(f"    records:  {row['records']}")


# --- Lyrics sources: fake Genius (API + pages) and fake LRCLib, settings pointed at them -------
@pytest.fixture
def fake_genius(settings):
    from personalify.testing.genius import FakeGenius

    fake = FakeGenius(token=settings.GENIUS_ACCESS_TOKEN).start()
    settings.GENIUS_API_URL = fake.api_url
    settings.GENIUS_WEB_URL = fake.web_url
    yield fake
    fake.stop()


@pytest.fixture
def fake_lrclib(settings):
    from personalify.testing.lrclib import FakeLRCLib

    fake = FakeLRCLib().start()
    settings.LRCLIB_URL = fake.url
    yield fake
    fake.stop()


# --- MusicBrainz (genres when Spotify sends none), settings pointed at the fake -----------------
@pytest.fixture
def fake_musicbrainz(settings):
    from personalify.testing.musicbrainz import FakeMusicBrainz

    fake = FakeMusicBrainz().start()
    settings.MUSICBRAINZ_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def synced_user(spotify_user):
    """The fake Spotify's user, synced: 20 ranked tracks per range (some shared)."""
    from music.services import library_sync

    assert library_sync(user=spotify_user).ok
    return spotify_user


@pytest.fixture
def ranked_tracks(synced_user) -> list:
    """Every track the synced user ranks (all ranges, each once), by id."""
    from music.models import Track, UserTrack

    ids = set(UserTrack.objects.filter(user=synced_user).values_list("track_id", flat=True))
    return list(Track.objects.filter(id__in=ids).order_by("id"))
