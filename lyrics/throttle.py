"""How many requests one source may have in flight, and a pause every thread honours after
a 429. One ``Throttle`` per source per fetch run; the clients call it around each request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Throttle:
    def __init__(
        self,
        *,
        in_flight: int = 2,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._slots = threading.BoundedSemaphore(in_flight)
        self._lock = threading.Lock()
        self._resume_at = 0.0
        self._clock = clock
        self._sleep = sleep
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests seen in flight at once (tests, bench)
        self.paused_for = 0.0  # seconds of 429 pauses asked for

    def pause(self, seconds: float) -> None:
        """A 429 said "retry after ``seconds``": no request of this source starts before then."""
        with self._lock:
            self._resume_at = max(self._resume_at, self._clock() + seconds)
            self.paused_for += seconds

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._slots:
            while True:
                with self._lock:
                    wait = self._resume_at - self._clock()
                if wait <= 0:
                    break
                self._sleep(wait)
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight -= 1
