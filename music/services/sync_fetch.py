"""The sync's Spotify side: the 6 top lists fetched at once, and its errors in words."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from django.db import connections

from accounts.exceptions import SpotifyReauthRequired
from music.spotify import (
    SpotifyAuthError,
    SpotifyBadResponse,
    SpotifyClient,
    SpotifyError,
    SpotifyForbidden,
    SpotifyRateLimited,
    SpotifyUnavailable,
    TimeRange,
)

if TYPE_CHECKING:
    from .sync_lock import SyncProgress

FETCH_LIMIT = 50
FETCH_WORKERS = 6  # the 6 lists at once (bench/sync.py compares with 1)
RANGE_LABELS = {value: label.lower() for value, label in TimeRange.choices}  # in sentences

SYNC_UNEXPECTED = "The sync failed unexpectedly; the site's owner can find the details in the logs."


def top_lists_fetch(
    client: SpotifyClient, time_ranges: tuple[str, ...], progress: SyncProgress
) -> tuple[dict[str, dict[str, list]], dict[str, BaseException]]:
    """Fetch every (range, kind) concurrently; return the lists and the errors by range."""

    def job(time_range: str, kind: str) -> list:
        try:
            fetch = client.top_artists if kind == "artists" else client.top_tracks
            items = fetch(time_range=time_range, limit=FETCH_LIMIT)
            progress.step(f"Fetched top {kind} ({RANGE_LABELS[time_range]})", advance=1)
            return items
        finally:
            # A token refresh may have used the ORM in this thread: close its connection.
            connections.close_all()

    jobs = [(r, kind) for r in time_ranges for kind in ("artists", "tracks")]
    fetched: dict[str, dict[str, list]] = {r: {} for r in time_ranges}
    errors: dict[str, BaseException] = {}
    workers = max(1, min(FETCH_WORKERS, len(jobs)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spotify-fetch") as pool:
        futures = {(r, kind): pool.submit(job, r, kind) for r, kind in jobs}
    for (time_range, kind), future in futures.items():
        exc = future.exception()
        if exc is None:
            fetched[time_range][kind] = future.result()
        elif time_range not in errors:
            errors[time_range] = exc
    return {r: lists for r, lists in fetched.items() if r not in errors}, errors


# --- Errors in words --------------------------------------------------------------------------

_SEVERITY = (
    SpotifyReauthRequired,
    SpotifyAuthError,
    SpotifyForbidden,
    SpotifyRateLimited,
    SpotifyUnavailable,
    SpotifyBadResponse,
)


def _wait(seconds: int) -> str:
    # A duration, not a clock time: this sentence is stored and read later, by someone in
    # their own zone (the dashboard shows the retry's own time from the progress record).
    return f"{seconds} s" if seconds < 120 else f"{round(seconds / 60)} min"


def sync_error_reason(exc: BaseException) -> str:
    """A sentence a person can act on, for an error raised while syncing."""
    if isinstance(exc, SpotifyReauthRequired | SpotifyAuthError):
        return "Your Spotify login has expired or was revoked: log in again to sync."
    if isinstance(exc, SpotifyForbidden):
        if getattr(exc, "not_allow_listed", False):
            return (
                "This Spotify account is not on the app's allow-list: the site's owner must "
                "add it under User Management in the Spotify developer dashboard."
            )
        return f"Spotify refused the request: {getattr(exc, 'message', '') or exc}"
    if isinstance(exc, SpotifyRateLimited):
        return (
            f"Spotify is rate-limiting this site: it asked to wait {_wait(exc.retry_after)} "
            f"before the next sync."
        )
    if isinstance(exc, SpotifyUnavailable):
        return "Spotify is not answering right now (server error or timeout); try again later."
    if isinstance(exc, SpotifyBadResponse):
        return "Spotify sent a response Personalify could not read; try again later."
    if isinstance(exc, SpotifyError):
        return f"Spotify answered with an error: {getattr(exc, 'message', '') or exc}"
    return SYNC_UNEXPECTED


def sync_error_worst(errors: Iterable[BaseException]) -> BaseException:
    """The error the user should hear about first (a lost login before a rate limit, ...)."""

    def severity(exc: BaseException) -> int:
        for index, kind in enumerate(_SEVERITY):
            if isinstance(exc, kind):
                return index
        return len(_SEVERITY)

    return min(errors, key=severity)
