"""One GET with the bounded retries both lyrics sources (LRCLib, Genius) use.

429: wait its Retry-After (pausing the source's throttle for every thread, when there is one)
unless that is longer than ``max_retry_after`` or it happened ``max_retries`` times; 5xx,
timeouts and connection errors: exponential back-off up to ``max_retries``. Any other answer is
returned for the caller to read.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Protocol

import requests

from .throttle import Throttle


class RetryingSource(Protocol):
    session: requests.Session
    throttle: Throttle | None
    max_retries: int
    max_retry_after: float
    backoff: float
    sleep: Callable[[float], None]


def retry_after(response: requests.Response) -> int:
    """Seconds the answer asks to wait (1 when it does not say or says nonsense)."""
    try:
        return max(int(float(response.headers.get("Retry-After", "1"))), 0)
    except ValueError:
        return 1


def get_with_retries(
    source: RetryingSource,
    url: str,
    *,
    name: str,
    unavailable: Callable[..., Exception],
    rate_limited: Callable[..., Exception],
    message_of: Callable[[requests.Response], str],
    **kwargs,
) -> requests.Response:
    """``source.session.get(url, **kwargs)`` with the retries above; raises ``unavailable``
    (message, status=) or ``rate_limited`` (message, retry_after=) when they run out."""
    limited = failures = 0
    while True:
        try:
            with source.throttle.slot() if source.throttle else nullcontext():
                response = source.session.get(url, **kwargs)
        except (requests.Timeout, requests.ConnectionError) as exc:
            failures += 1
            if failures > source.max_retries:
                raise unavailable(f"{name} did not answer: {type(exc).__name__}") from exc
            source.sleep(source.backoff * 2 ** (failures - 1))
            continue
        status = response.status_code
        if status == 429:
            wait = retry_after(response)
            limited += 1
            response.close()
            if wait > source.max_retry_after or limited > source.max_retries:
                raise rate_limited(f"{name} is rate-limiting", retry_after=wait)
            if source.throttle:
                source.throttle.pause(wait)
            else:
                source.sleep(wait)
            continue
        if status >= 500:
            failures += 1
            message = message_of(response)
            response.close()
            if failures > source.max_retries:
                raise unavailable(message, status=status)
            source.sleep(source.backoff * 2 ** (failures - 1))
            continue
        return response
