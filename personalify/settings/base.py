"""Personalify settings: every value is read from the environment, once, here.

Production differs from development only by environment values (see .env.example).
With nothing set, the site runs on embedded defaults: SQLite, the local-memory cache,
Celery tasks in-process and a local MongoDB-wire server started by `make run`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A .env file next to manage.py is read if present; real environment variables win.
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# Signs sessions, messages and CSRF tokens: a known key lets anyone forge them, so without
# DEBUG there is no default. `make run` creates a random one in var/secret_key and passes it.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY in the environment or .env to 50+ random "
            "characters, e.g. the output of: python -c "
            "'import secrets; print(secrets.token_urlsafe(50))' "
            "(`make run` creates one in var/secret_key; DEBUG=1 uses a development key)."
        )
    SECRET_KEY = "django-insecure-personalify-local-development-only"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [o for o in env.list("CSRF_TRUSTED_ORIGINS", default=[]) if o]
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "social_django",
    "csp",
    "axes",
    "accounts",
    "music",
    "lyrics",
    "analytics",
    "fdw",
]

MIDDLEWARE = [
    "personalify.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "personalify.middleware.SpotifyCSPMiddleware",  # django-csp's, see CONTENT_SECURITY_POLICY
    # Before the middleware that set cookies, so it sees them on the way out.
    "personalify.middleware.SecureCookiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every time on a page in the user's zone (the Account page's choice, else the browser's).
    "accounts.timezones.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.SpotifyLoginErrorMiddleware",
    # Last: answers 429 to a locked-out password login (the admin's).
    "axes.middleware.AxesMiddleware",
]

# Bounded input: no request body above REQUEST_MAX_BYTES is read (413), and no file part is
# accepted (400) except by the one view marked personalify.middleware.accepts_uploads (the
# listening-history import, with its own size limit, PLAY_IMPORT_MAX_BYTES).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 100  # an export is about 20 files
FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024

ROOT_URLCONF = "personalify.urls"
WSGI_APPLICATION = "personalify.wsgi.application"
ASGI_APPLICATION = "personalify.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "social_django.context_processors.backends",
                "personalify.context_processors.integrations",
                "accounts.context_processors.spotify_reauth",
                "accounts.context_processors.demo",
                # Last: a page rendered for the page cache gets a CSRF placeholder.
                "personalify.pagecache.page_cache_context",
            ],
            # {% fixed_url %} for the links every page carries (personalify/links.py).
            "libraries": {"links": "personalify.links"},
        },
    },
]

# --- PostgreSQL (or SQLite by default) ------------------------------------------------------
# DATABASE_URL wins; the seed's POSTGRES_* variables work too; else embedded SQLite.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
elif env.str("POSTGRES_HOST", default=""):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env.str("POSTGRES_HOST"),
            "PORT": env.int("POSTGRES_PORT", default=5432),
            "NAME": env.str("POSTGRES_DB", default="personalify"),
            "USER": env.str("POSTGRES_USER", default="postgres"),
            "PASSWORD": env.str("POSTGRES_PASSWORD", default=""),
        }
    }
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "personalify.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A hung PostgreSQL fails fast instead of holding a worker: libpq gives up connecting after
# DB_CONNECT_TIMEOUT seconds, and the server cancels a statement after the process's limit. Web
# processes (personalify.wsgi/asgi set PERSONALIFY_PROCESS=web) get the short one; Celery workers
# and management commands (syncs, imports, migrations) the long one.
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=5)
DB_WEB_STATEMENT_TIMEOUT_MS = env.int("DB_WEB_STATEMENT_TIMEOUT_MS", default=15_000)
DB_TASK_STATEMENT_TIMEOUT_MS = env.int("DB_TASK_STATEMENT_TIMEOUT_MS", default=30 * 60_000)
PROCESS_KIND = env.str("PERSONALIFY_PROCESS", default="task")


def database_timeouts(database: dict, *, kind: str = PROCESS_KIND) -> dict:
    """``database`` with the connect and statement timeouts added when it is PostgreSQL."""
    if not database["ENGINE"].endswith("postgresql"):
        return database
    limit = DB_WEB_STATEMENT_TIMEOUT_MS if kind == "web" else DB_TASK_STATEMENT_TIMEOUT_MS
    options = dict(database.get("OPTIONS", {}))
    options.setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    options["options"] = f"{options.get('options', '')} -c statement_timeout={limit}".strip()
    return {**database, "OPTIONS": options}


DATABASES["default"] = database_timeouts(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis cache (or local memory by default) -----------------------------------------------
_redis_host = env.str("REDIS_HOST", default="")
_redis_auth = (
    f":{env.str('REDIS_PASSWORD', default='')}@" if env.str("REDIS_PASSWORD", default="") else ""
)
REDIS_URL = env.str(
    "REDIS_URL",
    default=f"redis://{_redis_auth}{_redis_host}:{env.int('REDIS_PORT', default=6379)}/0"
    if _redis_host
    else "",
)
CACHE_TTL = env.int("CACHE_TTL", default=3600)
# A hung Redis costs at most these timeouts, once per back-off (personalify.cache), not per call.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
CACHE_BACKOFF_SECONDS = env.float("CACHE_BACKOFF_SECONDS", default=10.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": CACHE_TTL,
            # Keys as-is and values as JSON, so `redis-cli GET top:<id>:short_term | jq` works.
            "KEY_FUNCTION": "personalify.cache.plain_key",
            "OPTIONS": {
                "SERIALIZER": "django_redis.serializers.json.JSONSerializer",
                "SOCKET_CONNECT_TIMEOUT": CACHE_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": CACHE_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": CACHE_TTL,
            "KEY_FUNCTION": "personalify.cache.plain_key",
        }
    }

# Sessions live in the database: a dead Redis must not log everyone out.
# accounts.sessions: Django's database sessions with the user's id on each row (indexed), and a
# copy of each in the cache for at most SESSION_CACHE_SECONDS (a request reads no table for it).
SESSION_ENGINE = "accounts.sessions"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=5 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Whole rendered pages of a logged-in user (personalify.pagecache): kept until what they show
# changes (a version per user, bumped by every write the page shows), and at most this long.
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=10 * 60)
PAGE_CACHE_VERSION_SECONDS = 24 * 60 * 60
# The browser's time zone cookie (analytics.plays.TZ_COOKIE): pages show times in it.
PAGE_CACHE_COOKIE = "tz"

# --- MongoDB (sync history) -----------------------------------------------------------------
_mongo_host = env.str("MONGO_HOST", default="")
MONGO_URI = env.str(
    "MONGO_URI",
    default=f"mongodb://{_mongo_host}:{env.int('MONGO_PORT', default=27017)}/"
    if _mongo_host
    else "mongodb://127.0.0.1:27017/",
)
MONGO_DB_NAME = env.str("MONGO_DB_NAME", default="personalify_db")
MONGO_TIMEOUT_MS = env.int("MONGO_TIMEOUT_MS", default=2000)

# Seconds a user's sync lock lives unless its sync renews it (how long a crashed sync blocks
# that user); a running sync renews it every third of this.
SYNC_LOCK_TTL = env.int("SYNC_LOCK_TTL", default=10 * 60)

# --- Celery ----------------------------------------------------------------------------------
# Empty broker: tasks run in-process (embedded default). Set it to use a real worker.
_celery_broker = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not _celery_broker
# In-process mode still names a broker, so Celery never goes looking for one on localhost.
CELERY_BROKER_URL = _celery_broker or "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TIMEZONE = "UTC"
# A task held back by a countdown or ETA longer than the Redis broker's visibility timeout is
# delivered again, to a second worker. The timeout is stated, and countdowns stay below half of it
# (music.tasks): a longer wait is not queued at all.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)
}
CELERY_MAX_COUNTDOWN = CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] // 2
# A sync task is stopped well before its user's lock could expire (music.services.sync_lock).
SYNC_TASK_SOFT_TIME_LIMIT = 5 * 60
SYNC_TASK_TIME_LIMIT = 6 * 60
CELERY_BEAT_SCHEDULE: dict = {}
# Every user's library is re-synced once a day (music.tasks.library_sync_all_task).
CELERY_BEAT_SCHEDULE["music-library-sync-daily"] = {
    "task": "music.tasks.library_sync_all_task",
    "schedule": 24 * 60 * 60,
}
# Sync-history records that waited for MongoDB are delivered as soon as it is back.
# The schedule is the flush's retry: a flush that finds MongoDB down waits for the next one, and
# a flush not started within its period is dropped rather than piled up behind a dead worker.
CELERY_BEAT_SCHEDULE["music-history-outbox-flush"] = {
    "task": "music.tasks.history_outbox_flush_task",
    "schedule": 10 * 60,
    "options": {"expires": 9 * 60},
}

# Expired sessions are deleted every day, so the session table stays bounded.
CELERY_BEAT_SCHEDULE["accounts-sessions-clear-expired"] = {
    "task": "accounts.tasks.sessions_clear_expired_task",
    "schedule": 24 * 60 * 60,
}

# --- The listening archive (plays): on node B, or in the main database ----------------------
# ARCHIVE_DATABASE_URL: node B as the application reaches it (writes, node B's migrations).
# Empty: the archive lives in the main database under the same names (personalify/archive.py).
ARCHIVE_DATABASE_URL = env.str("ARCHIVE_DATABASE_URL", default="")
if ARCHIVE_DATABASE_URL:
    DATABASES["archive"] = env.db_url("ARCHIVE_DATABASE_URL")
    DATABASES["archive"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["archive"]["CONN_HEALTH_CHECKS"] = True
    # A node B that is down answers "unavailable" in seconds, not after TCP's minutes; its
    # statements get the same limits as node A's.
    DATABASES["archive"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASES["archive"] = database_timeouts(DATABASES["archive"])
ARCHIVE_DATABASE = "archive" if ARCHIVE_DATABASE_URL else "default"
DATABASE_ROUTERS = ["personalify.archive.ArchiveRouter"]
# How often each active user's recently played tracks are fetched (Spotify keeps the last 50).
RECENTLY_PLAYED_INTERVAL = env.int("RECENTLY_PLAYED_INTERVAL", default=30 * 60)
CELERY_BEAT_SCHEDULE["music-recently-played-poll"] = {
    "task": "music.tasks.plays_poll_all_task",
    "schedule": RECENTLY_PLAYED_INTERVAL,
}

# --- Import of Spotify's privacy export (music.services.plays_import) ------------------------
# Where uploads wait for their import (deleted after it). Web and worker must share it.
PLAY_IMPORT_DIR = env.str("PLAY_IMPORT_DIR", default="") or str(VAR_DIR / "imports")
# The largest upload taken at once (a 10-year export is a few hundred MB).
PLAY_IMPORT_MAX_BYTES = env.int("PLAY_IMPORT_MAX_BYTES", default=1024 * 2**20)
PLAY_IMPORT_BATCH_SIZE = env.int("PLAY_IMPORT_BATCH_SIZE", default=5000)
# An import whose worker gave no sign of life for this long is resumed by another worker.
PLAY_IMPORT_STALE_AFTER = env.int("PLAY_IMPORT_STALE_AFTER", default=120)
# Read the next batch while the last one is written (a thread per import; see plays_import).
PLAY_IMPORT_PIPELINE = env.bool("PLAY_IMPORT_PIPELINE", default=True)
# The listening statistics mark stretches of this many days with no play stored as gaps.
LISTENING_GAP_DAYS = env.int("LISTENING_GAP_DAYS", default=3)
# Run a statistics page's statements on node B at the same time (a connection each).
LISTENING_PARALLEL_QUERIES = env.bool("LISTENING_PARALLEL_QUERIES", default=True)
CELERY_BEAT_SCHEDULE["music-play-import-resume"] = {
    "task": "music.tasks.play_import_resume_task",
    "schedule": 60,
}

# --- postgres_fdw: node B as node A's PostgreSQL server sees it (`manage.py setup_fdw`) -------
# In Docker that is node B's service name, never localhost. Unset values default to the parts
# of ARCHIVE_DATABASE_URL (right when both see node B under the same address).
_archive = DATABASES.get("archive", {})
FDW_REMOTE_HOST = env.str("FDW_REMOTE_HOST", default="") or _archive.get("HOST", "")
FDW_REMOTE_PORT = int(env.str("FDW_REMOTE_PORT", default="") or _archive.get("PORT") or 5432)
FDW_REMOTE_DB = env.str("FDW_REMOTE_DB", default="") or _archive.get("NAME") or "remote"
FDW_REMOTE_USER = env.str("FDW_REMOTE_USER", default="") or _archive.get("USER") or "postgres"
FDW_REMOTE_PASSWORD = env.str("FDW_REMOTE_PASSWORD", default="") or _archive.get("PASSWORD", "")
# Rows per round trip when node A reads a foreign table (postgres_fdw's default is 100).
FDW_FETCH_SIZE = env.int("FDW_FETCH_SIZE", default=10000)
# Rows per round trip when node A writes to a foreign table (setup_fdw's move of local plays).
FDW_BATCH_SIZE = env.int("FDW_BATCH_SIZE", default=1000)

# --- Spotify -----------------------------------------------------------------------------------
SPOTIFY_CLIENT_ID = env.str("SPOTIFY_CLIENT_ID", default="")
SPOTIFY_CLIENT_SECRET = env.str("SPOTIFY_CLIENT_SECRET", default="")
SPOTIFY_REDIRECT_URI = env.str(
    "SPOTIFY_REDIRECT_URI", default="http://127.0.0.1:8000/oauth/complete/spotify/"
)
SPOTIFY_ACCOUNTS_URL = env.str("SPOTIFY_ACCOUNTS_URL", default="https://accounts.spotify.com")
SPOTIFY_API_URL = env.str("SPOTIFY_API_URL", default="https://api.spotify.com/v1")
# Client retries: longest Retry-After worth waiting for, retries per request, back-off base.
SPOTIFY_MAX_RETRY_AFTER = env.float("SPOTIFY_MAX_RETRY_AFTER", default=30.0)
SPOTIFY_MAX_RETRIES = env.int("SPOTIFY_MAX_RETRIES", default=3)
SPOTIFY_RETRY_BACKOFF = env.float("SPOTIFY_RETRY_BACKOFF", default=0.5)
# Seconds between two "Sync now" of one user (Spotify's rate limit is shared by all users).
SYNC_NOW_COOLDOWN = env.int("SYNC_NOW_COOLDOWN", default=300)
# Refresh an access token this many seconds before it expires.
SPOTIFY_TOKEN_REFRESH_MARGIN = env.int("SPOTIFY_TOKEN_REFRESH_MARGIN", default=60)

# --- MusicBrainz (genres when Spotify sends none) ------------------------------------------
MUSICBRAINZ_URL = env.str("MUSICBRAINZ_URL", default="https://musicbrainz.org")
# Look up the genres of ranked artists Spotify sent none for (development-mode apps), after
# each sync; off: no artist id leaves the site and those artists stay unclassified.
MUSICBRAINZ_GENRES_AFTER_SYNC = env.bool("MUSICBRAINZ_GENRES_AFTER_SYNC", default=True)
# MusicBrainz blocks generic agents: name the app, its version and how to reach its operator.
MUSICBRAINZ_USER_AGENT = env.str(
    "MUSICBRAINZ_USER_AGENT", default="Personalify/1.0 ( https://github.com/personalify )"
)
# Seconds between two requests from the whole site (their rule: at most one a second; the
# margin covers the network's jitter).
MUSICBRAINZ_MIN_INTERVAL = env.float("MUSICBRAINZ_MIN_INTERVAL", default=1.1)
# Longest 503/429 Retry-After worth waiting for inside a lookup run (longer: the run stops and
# the task retries later), and the retries per request.
MUSICBRAINZ_MAX_RETRY_AFTER = env.float("MUSICBRAINZ_MAX_RETRY_AFTER", default=30.0)
MUSICBRAINZ_MAX_RETRIES = env.int("MUSICBRAINZ_MAX_RETRIES", default=2)
# Days before an artist's MusicBrainz genres (or its "no match") are asked again.
MUSICBRAINZ_REFRESH_DAYS = env.int("MUSICBRAINZ_REFRESH_DAYS", default=30)

# --- Genius --------------------------------------------------------------------------------------
GENIUS_ACCESS_TOKEN = env.str("GENIUS_ACCESS_TOKEN", default="")
GENIUS_API_URL = env.str("GENIUS_API_URL", default="https://api.genius.com")
GENIUS_WEB_URL = env.str("GENIUS_WEB_URL", default="https://genius.com")

# --- Emotion analysis -----------------------------------------------------------------------
EMOTION_BACKEND = env.str("EMOTION_BACKEND", default="local")
HUGGING_FACE_API_KEY = env.str("HUGGING_FACE_API_KEY", default="")
HF_INFERENCE_URL = env.str(
    "HF_INFERENCE_URL", default="https://router.huggingface.co/hf-inference/models"
)
EMOTION_MODEL = env.str("EMOTION_MODEL", default="SamLowe/roberta-base-go_emotions")
# Longer texts are refused with a message, never truncated silently.
EMOTION_MAX_CHARS = env.int("EMOTION_MAX_CHARS", default=5000)
# Texts a user, and a visitor (session), may analyse on the paste page per minute; and all the
# sessions of one client address together (a shared NAT gets a larger bucket).
EMOTION_RATE_LIMIT = env.int("EMOTION_RATE_LIMIT", default=20)
EMOTION_RATE_LIMIT_PER_ADDRESS = env.int("EMOTION_RATE_LIMIT_PER_ADDRESS", default=60)
# Seconds one pasted text may take to analyse before the page says so (503).
EMOTION_TIME_LIMIT = env.float("EMOTION_TIME_LIMIT", default=10.0)
# Seconds the huggingface backend waits in total for a loading model (503 estimated_time).
HF_LOADING_MAX_WAIT = env.float("HF_LOADING_MAX_WAIT", default=30.0)

# Seconds /healthz reuses its last checks (a loop of requests during an outage stays cheap).
HEALTH_CACHE_SECONDS = env.int("HEALTH_CACHE_SECONDS", default=5)

# --- Outbound HTTP ----------------------------------------------------------------------------
HTTP_TIMEOUT = env.float("HTTP_TIMEOUT", default=10.0)
HTTP_USER_AGENT = env.str(
    "HTTP_USER_AGENT", default="Personalify/1.0 (+https://github.com/personalify)"
)

# --- Auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PasswordLoginThrottle",  # django-axes: first, so a lockout stops the rest
    "accounts.backends.SpotifyOAuth2",
    # Django's password backend with the user looked up in the cache (accounts.selectors).
    "accounts.backends.ModelBackend",
    # Sessions logged in before that change name Django's own: they stay valid until they end.
    "django.contrib.auth.backends.ModelBackend",
]
# Spotify login (social-auth): URLs, credentials and scopes come from accounts.backends.
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/dashboard/"
SOCIAL_AUTH_LOGIN_ERROR_URL = "/"
SOCIAL_AUTH_SPOTIFY_EXTRA_DATA = ["expires_in"]
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_names",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "social_core.pipeline.social_auth.social_user",
    "accounts.pipeline.association_guard",
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "accounts.pipeline.spotify_tokens_save",  # load_extra_data, with the tokens encrypted
    "social_core.pipeline.user.user_details",
    "accounts.pipeline.spotify_profile_save",
    "accounts.pipeline.login_completed_announce",
)
# Spotify access and refresh tokens are stored encrypted (personalify/crypto.py). Fernet keys,
# comma-separated, the first encrypts; empty = one key derived from SECRET_KEY.
TOKEN_ENCRYPTION_KEYS = env.list("TOKEN_ENCRYPTION_KEYS", default=[])
# Password logins (the admin) are locked for an hour after 5 failures from one address, or 5
# failures for one username from anywhere (django-axes; `manage.py axes_reset` unlocks).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "personalify.ratelimit.client_address"
# No row per successful login (the table would grow without end); failures are kept.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
CSRF_FAILURE_VIEW = "personalify.views.csrf_failure"
LOGIN_URL = "/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18N / static -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default="") or str(VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (production values come from the environment) ----------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Served over HTTPS (an https SITE_URL or a TLS proxy): cookies are Secure unless told otherwise.
# personalify.middleware.SecureCookiesMiddleware also marks them on any request that is secure.
_https = SITE_URL.startswith("https://") or BEHIND_TLS_PROXY
# (An empty value, as in .env.example, means the default.)
SESSION_COOKIE_SECURE = (
    env.bool("SESSION_COOKIE_SECURE", default=_https)
    if env.str("SESSION_COOKIE_SECURE", default="")
    else _https
)
CSRF_COOKIE_SECURE = (
    env.bool("CSRF_COOKIE_SECURE", default=_https)
    if env.str("CSRF_COOKIE_SECURE", default="")
    else _https
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Preloading is a commitment browsers ship for months: only when asked for, never implied.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # "preload not set": deliberate, see above
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from our static files, never inline;
# images only from the app and Spotify's image hosts. Inline style attributes stay allowed
# (bar widths); they cannot run script.
SPOTIFY_IMAGE_HOSTS = ["https://i.scdn.co", "https://*.scdn.co", "https://*.spotifycdn.com"]
# The share card's pictures are fetched by the server from these origins only (scheme://host
# patterns, fnmatch), with a timeout, no redirects and a size cap (analytics.share_images).
SPOTIFY_IMAGE_ORIGINS = [
    "https://i.scdn.co",
    "https://mosaic.scdn.co",
    "https://image-cdn-*.spotifycdn.com",
]
# (An empty value, as in .env.example, means Spotify's.)
SHARE_IMAGE_ORIGINS = [
    origin for origin in env.list("SHARE_IMAGE_ORIGINS", default=[]) if origin
] or SPOTIFY_IMAGE_ORIGINS
SHARE_IMAGE_TIMEOUT = env.float("SHARE_IMAGE_TIMEOUT", default=3.0)
SHARE_IMAGE_MAX_BYTES = env.int("SHARE_IMAGE_MAX_BYTES", default=2 * 1024 * 1024)
SHARE_IMAGE_CACHE_SECONDS = 7 * 24 * 3600
SHARE_IMAGE_FAILED_CACHE_SECONDS = 3600
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", *SPOTIFY_IMAGE_HOSTS],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        # personalify.middleware.SpotifyCSPMiddleware adds Spotify's accounts origin.
        "form-action": ["'self'"],
    }
}

# --- Logging: never log tokens (see personalify.logging.RedactTokensFilter) ------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "personalify.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Lyrics (the lyrics app): LRCLib first for ranked tracks, then Genius ---------------------
LRCLIB_URL = env.str("LRCLIB_URL", default="https://lrclib.net")
# Fetch the lyrics of a user's ranked tracks after each sync (sends titles and artists to
# LRCLib and, with a token, Genius). Off: lyrics are fetched only when a lyrics page is opened.
LYRICS_FETCH_AFTER_SYNC = env.bool("LYRICS_FETCH_AFTER_SYNC", default=True)
LYRICS_IN_FLIGHT = env.int("LYRICS_IN_FLIGHT", default=2)  # requests at once, per source
# "Not found" and "unavailable" are asked again after this many hours.
LYRICS_RETRY_HOURS = env.int("LYRICS_RETRY_HOURS", default=24)
# Lyrics no ranked track links to (opened from search) are deleted after this many days.
LYRICS_KEEP_DAYS = env.int("LYRICS_KEEP_DAYS", default=30)
LYRICS_MAX_RETRY_AFTER = env.float("LYRICS_MAX_RETRY_AFTER", default=30.0)
LYRICS_MAX_RETRIES = env.int("LYRICS_MAX_RETRIES", default=2)
LYRICS_RETRY_BACKOFF = env.float("LYRICS_RETRY_BACKOFF", default=0.5)
GENIUS_PAGE_MAX_BYTES = env.int("GENIUS_PAGE_MAX_BYTES", default=3 * 1024 * 1024)
# Lyrics searches and song pages fetched from Genius, per user per minute.
LYRICS_RATE_LIMIT = env.int("LYRICS_RATE_LIMIT", default=20)
CELERY_BEAT_SCHEDULE["lyrics-prune-daily"] = {
    "task": "lyrics.tasks.lyrics_prune_task",
    "schedule": 24 * 60 * 60,
}
