"""Progress records of background work (a sync, a mood analysis, a lyrics fetch), in the cache.

Every kind of work writes the same shape, so pages and status endpoints read them alike:
``{"state", "step", "done", "total", "error", "retry_at"}`` where ``state`` is idle, queued,
running, done or failed; a read while the cache is down says "unavailable" (unknown, not idle).
A record is a hint for the page, never the truth: it expires after ``PROGRESS_TTL``, and a write
while the cache is down is lost without failing the work it describes.
"""

from __future__ import annotations

from datetime import datetime

from .cache import CacheUnavailable, cache_call, cache_set
from .pagecache import page_version_bump

PROGRESS_TTL = 60 * 60
IDLE = {"state": "idle", "step": "", "done": 0, "total": 0, "error": None, "retry_at": None}
ACTIVE_STATES = ("queued", "running")
# Shown to users: plain words, no "worker" or "broker".
WORKER_UNAVAILABLE = (
    "Background jobs are not running on the server right now; try again in a few minutes."
)
QUEUED_STEP = "Queued — starting in a moment"


def progress_key(*, kind: str, owner: str | int) -> str:
    """``sync:progress:<spotify id>``, ``mood:progress:<user id>``, ..."""
    return f"{kind}:progress:{owner}"


def progress_set(*, kind: str, owner: str | int, state: str, **fields) -> bool:
    """Replace the record with the idle one plus ``state`` and ``fields``; False when the
    cache is down."""
    unknown = set(fields) - set(IDLE)
    if unknown:
        raise ValueError(f"Unknown progress fields: {sorted(unknown)}")
    record = {**IDLE, **fields, "state": state}
    stored = cache_set(progress_key(kind=kind, owner=owner), record, PROGRESS_TTL)
    page_version_bump(owner)  # the owner's pages show their progress
    return stored


def progress_get(*, kind: str, owner: str | int) -> dict:
    """The record (idle when there is none; state "unavailable" when the cache is down)."""
    try:
        record = cache_call("get", progress_key(kind=kind, owner=owner))
    except CacheUnavailable:
        return {**IDLE, "state": "unavailable"}
    return {**IDLE, **record} if record else dict(IDLE)


def progress_shown(record: dict) -> dict:
    """A record as a page shows it: ``active``, ``percent`` and ``retry_at`` as a datetime."""
    shown = {**IDLE, **record}
    try:
        shown["retry_at"] = datetime.fromisoformat(shown["retry_at"]) if shown["retry_at"] else None
    except (TypeError, ValueError):
        shown["retry_at"] = None
    shown["active"] = shown["state"] in ACTIVE_STATES
    shown["percent"] = round(100 * shown["done"] / shown["total"]) if shown["total"] else None
    return shown


def progress_bar(stream, **options):
    """A tqdm progress bar on a management command's ``self.stderr``, drawn only when that is a
    terminal (the summary lines go to stdout, so piped output stays clean)."""
    from tqdm import tqdm

    stream.ending = ""  # Django's OutputWrapper would end every redraw with a newline
    return tqdm(file=stream, disable=None, **options)
