"""Settings come from the environment, are all documented, and are production-safe."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCES = [ROOT / "personalify/settings/base.py", ROOT / "personalify/settings/test.py"]
ENV_READ = re.compile(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def _variables_read() -> set[str]:
    names: set[str] = set()
    for path in SETTINGS_SOURCES:
        names |= set(ENV_READ.findall(path.read_text()))
    return names


def _variables_documented() -> dict[str, str]:
    """NAME -> the comment line right above it in .env.example."""
    documented, previous = {}, ""
    for line in (ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]+)=", line)
        if match:
            documented[match.group(1)] = previous
        previous = line
    return documented


def _load_settings(env: dict[str, str], *names: str) -> dict:
    """Import the base settings in a fresh interpreter with exactly this environment."""
    code = (
        "import json, personalify.settings.base as s;"
        f"print(json.dumps({{n: str(getattr(s, n)) for n in {list(names)!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean["SECRET_KEY"] = "a-test-key-the-settings-require-without-debug"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_env_example_documents_every_variable_the_settings_read():
    missing = _variables_read() - set(_variables_documented())
    assert not missing, f".env.example lacks: {sorted(missing)}"


def test_env_example_gives_every_variable_a_comment():
    uncommented = [
        n for n, comment in _variables_documented().items() if not comment.startswith("#")
    ]
    assert not uncommented


def test_settings_use_embedded_defaults_when_nothing_is_set():
    s = _load_settings({}, "DATABASES", "CACHES", "CELERY_TASK_ALWAYS_EAGER", "DEBUG")
    assert "sqlite3" in s["DATABASES"]
    assert "LocMemCache" in s["CACHES"]
    assert s["CELERY_TASK_ALWAYS_EAGER"] == "True"
    assert s["DEBUG"] == "False"


def test_settings_read_the_seed_variable_names_when_urls_are_absent():
    s = _load_settings(
        {
            "POSTGRES_HOST": "db.example",
            "POSTGRES_PORT": "6543",
            "POSTGRES_DB": "streamdb",
            "POSTGRES_USER": "admin",
            "POSTGRES_PASSWORD": "pw",
            "MONGO_HOST": "mongo.example",
            "MONGO_PORT": "27999",
            "REDIS_HOST": "redis.example",
            "REDIS_PORT": "6390",
        },
        "DATABASES",
        "MONGO_URI",
        "REDIS_URL",
    )
    assert "'HOST': 'db.example'" in s["DATABASES"] and "'PORT': 6543" in s["DATABASES"]
    assert "'NAME': 'streamdb'" in s["DATABASES"] and "postgresql" in s["DATABASES"]
    assert s["MONGO_URI"] == "mongodb://mongo.example:27999/"
    assert s["REDIS_URL"] == "redis://redis.example:6390/0"


def test_settings_prefer_urls_over_seed_variables():
    s = _load_settings(
        {
            "DATABASE_URL": "postgres://u:p@h1:5433/one",
            "POSTGRES_HOST": "ignored",
            "MONGO_URI": "mongodb://m1:1/",
            "MONGO_HOST": "ignored",
            "REDIS_URL": "redis://r1:2/3",
            "REDIS_HOST": "ignored",
        },
        "DATABASES",
        "MONGO_URI",
        "REDIS_URL",
        "CACHES",
    )
    assert "'HOST': 'h1'" in s["DATABASES"]
    assert s["MONGO_URI"] == "mongodb://m1:1/"
    assert s["REDIS_URL"] == "redis://r1:2/3" and "RedisCache" in s["CACHES"]


def test_settings_load_from_a_copy_of_env_example():
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if re.match(r"^[A-Z][A-Z0-9_]+=", line):
            name, value = line.split("=", 1)
            values[name] = value
    values["SECRET_KEY"] = "filled-in-as-the-comment-says-" * 2
    s = _load_settings(values, "SECRET_KEY", "STATIC_ROOT", "CSRF_TRUSTED_ORIGINS")
    assert s["SECRET_KEY"] and s["STATIC_ROOT"] and s["CSRF_TRUSTED_ORIGINS"] == "[]"


def test_every_outside_base_url_is_a_setting_with_the_real_default():
    s = _load_settings(
        {}, "SPOTIFY_ACCOUNTS_URL", "SPOTIFY_API_URL", "GENIUS_API_URL", "HF_INFERENCE_URL"
    )
    assert s == {
        "SPOTIFY_ACCOUNTS_URL": "https://accounts.spotify.com",
        "SPOTIFY_API_URL": "https://api.spotify.com/v1",
        "GENIUS_API_URL": "https://api.genius.com",
        "HF_INFERENCE_URL": "https://router.huggingface.co/hf-inference/models",
    }


@pytest.mark.parametrize("debug", ["", "0"])
def test_check_deploy_reports_nothing_with_production_values(debug):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "personalify.settings.base",
            "SECRET_KEY": "x7#Qp2!vL9@rT4$wZ8^mN1&bK6*cH3(jF5)gD0_sA-yU+eI=oP" * 2,
            "ALLOWED_HOSTS": "personalify.example",
            "SECURE_SSL_REDIRECT": "1",
            "SESSION_COOKIE_SECURE": "1",
            "CSRF_COOKIE_SECURE": "1",
            "SECURE_HSTS_SECONDS": "31536000",
            "BEHIND_TLS_PROXY": "1",
            "DEBUG": debug,
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_settings_route_the_archive_to_node_b_and_derive_fdw_from_its_url():
    s = _load_settings(
        {
            "DATABASE_URL": "postgres://u:p@node-a:5432/main",
            "ARCHIVE_DATABASE_URL": "postgres://arch:secret@node-b:5433/remote",
        },
        "ARCHIVE_DATABASE",
        "DATABASES",
        "FDW_REMOTE_HOST",
        "FDW_REMOTE_PORT",
        "FDW_REMOTE_DB",
        "FDW_REMOTE_USER",
        "DATABASE_ROUTERS",
    )
    assert s["ARCHIVE_DATABASE"] == "archive" and "'HOST': 'node-b'" in s["DATABASES"]
    assert (s["FDW_REMOTE_HOST"], s["FDW_REMOTE_PORT"]) == ("node-b", "5433")
    assert (s["FDW_REMOTE_DB"], s["FDW_REMOTE_USER"]) == ("remote", "arch")
    assert "personalify.archive.ArchiveRouter" in s["DATABASE_ROUTERS"]


def test_settings_let_fdw_see_node_b_under_another_name_than_the_app():
    s = _load_settings(
        {
            "ARCHIVE_DATABASE_URL": "postgres://arch@127.0.0.1:5433/remote",
            "FDW_REMOTE_HOST": "postgres-remote",
            "FDW_REMOTE_PORT": "5432",
        },
        "FDW_REMOTE_HOST",
        "FDW_REMOTE_PORT",
        "FDW_REMOTE_DB",
    )
    assert s == {"FDW_REMOTE_HOST": "postgres-remote", "FDW_REMOTE_PORT": "5432",
                 "FDW_REMOTE_DB": "remote"}  # fmt: skip


def test_settings_keep_the_archive_in_the_main_database_without_node_b():
    s = _load_settings({}, "ARCHIVE_DATABASE", "FDW_REMOTE_HOST")
    assert s == {"ARCHIVE_DATABASE": "default", "FDW_REMOTE_HOST": ""}


def _settings_error(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "-c", "import personalify.settings.base"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_settings_refuse_to_load_and_say_what_to_set_when_secret_key_is_missing():
    result = _settings_error({})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "make run" in result.stderr


def test_settings_load_with_a_development_key_when_debug_is_on_and_no_key_is_set():
    assert _settings_error({"DEBUG": "1"}).returncode == 0


def test_make_run_creates_a_private_random_secret_key_once_and_reuses_it(tmp_path):
    from personalify.devrun import secret_key_ensure

    path = tmp_path / "var" / "secret_key"
    first = secret_key_ensure(path)
    assert len(first) >= 50 and path.stat().st_mode & 0o077 == 0
    assert secret_key_ensure(path) == first
    assert secret_key_ensure(tmp_path / "other") != first


def test_demo_loads_through_the_sync_when_the_database_is_the_embedded_sqlite(tmp_path):
    # `make run`'s default: the demo's lists go through the real sync, whose PostgreSQL-only
    # statements (arrays, unnest) must have a path SQLite takes.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "test-only",
        "DEBUG": "1",
    }
    for command in (["migrate", "--noinput"], ["load_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    assert "short_term: 30 artists, 30 tracks" in done.stdout + done.stderr
