"""The one way Personalify makes outbound HTTP sessions.

Every client (Spotify, Genius, Hugging Face) builds its session here, so each request has a
timeout, a User-Agent and bounded connection retries. Domain-aware retries (429 Retry-After,
5xx back-off, token refresh) belong to each client, which knows what is safe to repeat.
"""

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


class _TimeoutAdapter(HTTPAdapter):
    def __init__(self, *args, timeout: float, **kwargs):
        self._timeout = timeout
        super().__init__(*args, **kwargs)

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def http_session(
    *,
    timeout: float | None = None,
    connect_retries: int = 2,
    pool_size: int = 10,
    user_agent: str | None = None,
) -> requests.Session:
    """A requests.Session with a default timeout, a User-Agent and connect-only retries."""
    session = requests.Session()
    # Only connection failures are retried here: the request never reached the server.
    retry = Retry(
        total=connect_retries,
        connect=connect_retries,
        read=False,
        status=0,
        redirect=3,
        backoff_factor=0.2,
        raise_on_status=False,
    )
    adapter = _TimeoutAdapter(
        timeout=timeout or settings.HTTP_TIMEOUT,
        max_retries=retry,
        pool_connections=pool_size,
        pool_maxsize=pool_size,
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent or settings.HTTP_USER_AGENT
    return session
