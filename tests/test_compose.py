"""docker-compose.yml cannot run here (no Docker engine): check what can be checked statically."""

import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {"web", "worker", "beat", "postgres", "postgres-remote", "mongo", "redis"}
# Variables the official images read themselves, not our settings.
IMAGE_VARIABLES = {"POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"}
APP_SERVICES = {"web", "worker", "beat"}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _settings_variables() -> set[str]:
    source = (ROOT / "personalify/settings/base.py").read_text()
    return set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))


def test_compose_defines_the_whole_stack_with_health_checks_and_volumes():
    compose = _compose()
    assert set(compose["services"]) >= REQUIRED
    for name in REQUIRED:
        assert "healthcheck" in compose["services"][name], name
    assert {"postgres-data", "postgres-remote-data", "mongo-data", "redis-data"} <= set(
        compose["volumes"]
    )
    assert compose["services"]["mongo"]["image"].startswith("mongo:")


def test_compose_app_services_wait_for_healthy_dependencies():
    services = _compose()["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        for dependency in ("postgres", "postgres-remote", "mongo", "redis"):
            assert depends[dependency]["condition"] == "service_healthy", (name, dependency)


def test_compose_commands_exist_in_the_code():
    services = _compose()["services"]
    web = services["web"]["command"]
    module = re.search(r"gunicorn (\S+):application", web).group(1)
    assert (ROOT / (module.replace(".", "/") + ".py")).exists()
    assert "manage.py migrate" in web
    for name in ("worker", "beat"):
        args = shlex.split(services[name]["command"])
        assert args[:3] == ["celery", "-A", "personalify"]
        assert args[3] == name
    assert "app = Celery(" in (ROOT / "personalify/celery.py").read_text()
    assert (ROOT / "Dockerfile").exists()


def test_compose_sets_only_variables_the_settings_read():
    known = _settings_variables()
    for name in APP_SERVICES:
        variables = set(_compose()["services"][name]["environment"])
        assert variables <= known, (name, variables - known)
    for name in ("postgres", "postgres-remote"):
        assert set(_compose()["services"][name]["environment"]) <= IMAGE_VARIABLES


def test_dockerfile_installs_pinned_requirements_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "personalify.wsgi:application" in dockerfile
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            assert "==" in line, f"unpinned requirement: {line}"


def test_compose_keeps_the_beat_schedule_on_a_volume():
    beat = _compose()["services"]["beat"]
    schedule = shlex.split(beat["command"])[shlex.split(beat["command"]).index("--schedule") + 1]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in beat["volumes"]}
    folder = str(Path(schedule).parent)
    assert folder in mounts, "a re-created beat container would forget when tasks last ran"
    assert mounts[folder] in _compose()["volumes"]


def test_compose_redis_requires_a_password_that_the_app_urls_carry():
    services = _compose()["services"]
    redis = services["redis"]
    assert "--requirepass" in " ".join(redis["command"])
    assert "REDIS_PASSWORD:?" in redis["environment"]["REDIS_PASSWORD"]
    assert "REDISCLI_AUTH" in " ".join(redis["healthcheck"]["test"])
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        for variable in ("REDIS_URL", "CELERY_BROKER_URL"):
            assert environment[variable].startswith("redis://:${REDIS_PASSWORD:?"), (name, variable)


def test_web_runs_gunicorn_with_threads_from_the_config_file():
    assert "-c gunicorn.conf.py" in _compose()["services"]["web"]["command"]
    assert '"-c", "gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()
    config: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), config)
    assert config["worker_class"] == "gthread" and config["threads"] >= 2
    assert config["logger_class"] == "personalify.gunicorn.AccessLogger"
