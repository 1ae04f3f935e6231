"""Health checks of the services the site depends on, for /healthz."""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from music.history import history_ping


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _cache() -> str:
    cache.set("healthz:probe", "ok", 10)
    if cache.get("healthz:probe") != "ok":
        raise RuntimeError("cache did not return what was written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _mongodb() -> str:
    history_ping()
    return "mongodb"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process (no broker configured)"
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return conn.as_uri()  # the password is masked


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "cache": _cache,
    "mongodb": _mongodb,
    "broker": _broker,
}


def health_report() -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check; return (all up, per-service state)."""
    report: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        try:
            report[name] = {"status": "up", "detail": check()}
        except Exception as exc:  # noqa: BLE001 - any failure means "down", with its reason
            report[name] = {"status": "down", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return all(item["status"] == "up" for item in report.values()), report
