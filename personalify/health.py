"""Health checks of the services the site depends on, for /healthz.

The checks of services that belong to an app (MongoDB: music's history) are registered by that
app when it is ready, so this module imports no app.
"""

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _cache() -> str:
    cache.set("healthz:probe", "ok", 10)
    if cache.get("healthz:probe") != "ok":
        raise RuntimeError("cache did not return what was written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process (no broker configured)"
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return conn.as_uri()  # the password is masked


CHECKS: dict[str, Callable[[], object]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
}


def health_check_register(name: str, check: Callable[[], object], *, after: str) -> None:
    """Add a check that raises when its service is down; it is reported after ``after``.
    Its answer, if a string, is the detail shown; else the name is."""
    items = [(key, fn) for key, fn in CHECKS.items() if key != name]
    position = [key for key, _ in items].index(after) + 1
    items.insert(position, (name, check))
    CHECKS.clear()
    CHECKS.update(items)


def health_report() -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check; return (all up, per-service state)."""
    report: dict[str, dict[str, str]] = {}
    for name, check in CHECKS.items():
        try:
            detail = check()
            report[name] = {"status": "up", "detail": detail if isinstance(detail, str) else name}
        except Exception as exc:  # noqa: BLE001 - any failure means "down", with its reason
            report[name] = {"status": "down", "detail": f"{type(exc).__name__}: {exc}"[:300]}
    return all(item["status"] == "up" for item in report.values()), report


_last: dict[str, object] = {}
_last_lock = threading.Lock()


def health_report_cached() -> tuple[bool, dict[str, dict[str, str]]]:
    """health_report(), run at most once per settings.HEALTH_CACHE_SECONDS in this process.

    During an outage each check waits for its timeout: a loop of /healthz requests must not
    turn that into a queue of waiting workers. Concurrent callers wait for the one run.
    Kept in the process, not in Redis (which may be the service that is down).
    """
    max_age = settings.HEALTH_CACHE_SECONDS
    if max_age <= 0:
        return health_report()
    with _last_lock:
        if _last and time.time() - _last["at"] < max_age:
            return _last["result"]
        result = health_report()
        _last.update(at=time.time(), result=result)
        return result


def health_cache_clear() -> None:
    with _last_lock:
        _last.clear()
