"""A fake Spotify (accounts service + Web API) on 127.0.0.1, speaking Spotify's real JSON shapes.

Used by the tests (fixture ``fake_spotify``), the demo (``load_demo`` serves bundled JSON files
through it) and the benchmark::

    fake = FakeSpotify(latency=0.1, n_items=50).start()   # fake.accounts_url, fake.api_url
    client = SpotifyClient(access_token=fake.access_token, base_url=fake.api_url)

Endpoints: ``GET /authorize`` (302 back to redirect_uri with code+state), ``POST /api/token``
(authorization_code and refresh_token grants, HTTP Basic client auth), ``GET /v1/me``,
``/v1/me/top/artists``, ``/v1/me/top/tracks``, ``/v1/me/player/recently-played``.
API calls need a Bearer token this server issued (``fake.access_token`` is issued up front).

Error injection, per path (or ``"*"`` for every Web API path), consumed in order:
``fail_401(...)``, ``fail_429(retry_after=...)``, ``fail_5xx(...)``, ``delay(seconds)``,
``hold(...)`` (a request waits until the test releases it),
``not_allow_listed(plain_text=...)``, ``token_error("invalid_grant" | "invalid_client")``,
``expire_access_tokens()`` (every issued token answers 401 until refreshed).

Standalone: ``python -m personalify.testing.spotify --port 8765 --latency 0.1 --n-items 50``.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from personalify.testing.fakehttp import FakeHTTPServer, Recorded, Reply
from personalify.testing.spotify_data import TIME_RANGES, Catalogue

API_PATHS = (
    "/v1/me",
    "/v1/me/top/artists",
    "/v1/me/top/tracks",
    "/v1/me/player/recently-played",
)
NOT_REGISTERED = (
    "Check settings on developer.spotify.com/dashboard, the user may not be registered."
)
TOKEN_ERRORS = {
    "invalid_grant": "Refresh token revoked",
    "invalid_client": "Invalid client",
}


def api_error(status: int, message: str, **headers: str) -> Reply:
    """Spotify's Web API error body: ``{"error": {"status": ..., "message": ...}}``."""
    return Reply(status, json={"error": {"status": status, "message": message}}, headers=headers)


@dataclass
class Gate:
    """A held request: ``entered`` is set when it arrives; it is answered once ``release`` is."""

    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    limit: float = 60.0  # a test that forgets to release cannot hang the server forever


@dataclass
class _Fault:
    reply: Reply | None  # None: answer normally, after ``delay``
    remaining: int | None  # None: forever
    delay: float = 0.0
    gate: Gate | None = None


def bundled_file_names() -> list[str]:
    """The JSON files a ``data_dir`` may hold (a missing one falls back to generated data)."""
    names = ["me.json", "recently_played.json"]
    for kind in ("artists", "tracks"):
        names += [f"top_{kind}_{time_range}.json" for time_range in TIME_RANGES]
    return names


class FakeSpotify:
    """See the module docstring. ``dev_mode`` drops popularity/followers/genres (2026 shapes)."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        n_items: int = 20,
        dev_mode: bool = False,
        data_dir: str | Path | None = None,
        user_id: str = "testuser123",
        display_name: str | None = "Test User",
        client_id: str = "test-client-id",
        client_secret: str = "test-client-secret",
        rotate_refresh_tokens: bool = False,
        port: int = 0,
    ):
        self.server = FakeHTTPServer(latency=latency, port=port)
        self.catalogue = Catalogue(
            n_items=n_items, dev_mode=dev_mode, user_id=user_id, display_name=display_name
        )
        self.data_dir = Path(data_dir) if data_dir else None
        self.client_id = client_id
        self.client_secret = client_secret
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.authorize_error: str | None = None  # e.g. "access_denied": the user said no
        # The listening history served (newest first); None: the bundled or generated one.
        self.recent_plays: list[dict] | None = None
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._faults: dict[str, list[_Fault]] = {}
        self._codes: dict[str, str] = {}  # code -> redirect_uri
        self._access: dict[str, bool] = {}  # access token -> still valid
        self._refresh: set[str] = set()
        self.access_token, self.refresh_token = self._issue_tokens()
        self.server.route("GET", "/authorize", self._authorize)
        self.server.route("POST", "/api/token", self._token)
        for path in API_PATHS:
            self.server.route("GET", path, self._api)

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.server.url

    @property
    def accounts_url(self) -> str:
        return self.server.url

    @property
    def api_url(self) -> str:
        return f"{self.server.url}/v1"

    @property
    def requests(self) -> list[Recorded]:
        return self.server.requests

    def requests_to(self, path: str, method: str | None = None) -> list[Recorded]:
        return self.server.requests_to(path, method)

    def token_requests(self, grant_type: str | None = None) -> list[Recorded]:
        found = self.requests_to("/api/token", "POST")
        return [r for r in found if not grant_type or r.form().get("grant_type") == grant_type]

    def start(self) -> FakeSpotify:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> FakeSpotify:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- error injection ---------------------------------------------------------------------
    def inject(self, path: str, reply: Reply | None, *, times: int | None = 1, delay=0.0) -> None:
        """Answer the next ``times`` requests to ``path`` (``"*"``: any API path) with ``reply``."""
        with self._lock:
            self._faults.setdefault(path, []).append(_Fault(reply, times, delay))

    def fail_401(self, path: str = "*", *, times: int | None = 1) -> None:
        reply = api_error(401, "The access token expired")
        reply.headers["WWW-Authenticate"] = 'Bearer realm="spotify", error="invalid_token"'
        self.inject(path, reply, times=times)

    def fail_429(
        self, path: str = "*", *, retry_after: int | None = 1, times: int | None = 1, body=True
    ) -> None:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        reply = api_error(429, "API rate limit exceeded") if body else Reply(429, body=b"")
        reply.headers.update(headers)
        self.inject(path, reply, times=times)

    def fail_5xx(self, path: str = "*", *, status: int = 503, times: int | None = 1) -> None:
        messages = {500: "Server error", 502: "Bad gateway", 503: "Service unavailable"}
        self.inject(path, api_error(status, messages.get(status, "Server error")), times=times)

    def delay(self, path: str = "*", *, seconds: float, times: int | None = 1) -> None:
        """Answer normally but only after ``seconds`` (a client with a shorter timeout gives up)."""
        self.inject(path, None, times=times, delay=seconds)

    def hold(self, path: str = "*", *, times: int | None = 1) -> Gate:
        """Hold the next ``times`` requests to ``path`` until ``gate.release.set()``.

        ``gate.entered`` is set as soon as one arrives: a test waits on it instead of sleeping.
        """
        gate = Gate()
        with self._lock:
            self._faults.setdefault(path, []).append(_Fault(None, times, gate=gate))
        return gate

    def not_allow_listed(self, *, plain_text: bool = False, times: int | None = None) -> None:
        """Every API call answers 403 like a dev-mode app whose owner has not added the user."""
        if plain_text:
            reply = Reply(403, body=NOT_REGISTERED, headers={"Content-Type": "text/plain"})
        else:
            reply = api_error(403, NOT_REGISTERED)
        self.inject("*", reply, times=times)

    def token_error(
        self, error: str = "invalid_grant", description: str | None = None, *, times=None
    ) -> None:
        description = description or TOKEN_ERRORS.get(error, "Bad request")
        reply = Reply(400, json={"error": error, "error_description": description})
        self.inject("/api/token", reply, times=times)

    def expire_access_tokens(self) -> None:
        """Every token issued so far now answers 401 "The access token expired"."""
        with self._lock:
            self._access = dict.fromkeys(self._access, False)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for key in (path, "*" if path.startswith("/v1/") else None):
                queue = self._faults.get(key) if key else None
                if not queue:
                    continue
                fault = queue[0]
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        queue.pop(0)
                return fault
        return None

    def _faulted(self, recorded: Recorded, normal) -> Reply:
        fault = self._take_fault(recorded.path)
        if fault is None:
            return normal(recorded)
        if fault.gate is not None:
            fault.gate.entered.set()
            fault.gate.release.wait(fault.gate.limit)
        if fault.reply is None:
            reply = normal(recorded)
            reply.delay += fault.delay
            return reply
        return Reply(
            fault.reply.status,
            json=fault.reply.json,
            body=fault.reply.body,
            headers=dict(fault.reply.headers),
            delay=fault.delay,
        )

    # --- accounts service --------------------------------------------------------------------
    def _issue_tokens(self) -> tuple[str, str]:
        n = next(self._counter)
        access, refresh = f"BQDfake-access-token-{n}", f"AQCfake-refresh-token-{n}"
        with self._lock:
            self._access[access] = True
            self._refresh.add(refresh)
        return access, refresh

    def _authorize(self, recorded: Recorded) -> Reply:
        return self._faulted(recorded, self._authorize_normal)

    def _authorize_normal(self, recorded: Recorded) -> Reply:
        q = recorded.query
        redirect_uri = q.get("redirect_uri", "")
        if q.get("client_id") != self.client_id or not redirect_uri:
            return Reply(400, body="INVALID_CLIENT: Invalid client")
        params = {"state": q["state"]} if "state" in q else {}
        if self.authorize_error:
            params = {"error": self.authorize_error, **params}
        else:
            code = f"AQDfake-code-{next(self._counter)}"
            with self._lock:
                self._codes[code] = redirect_uri
            params = {"code": code, **params}
        separator = "&" if "?" in redirect_uri else "?"
        return Reply(302, headers={"Location": f"{redirect_uri}{separator}{urlencode(params)}"})

    def _token(self, recorded: Recorded) -> Reply:
        return self._faulted(recorded, self._token_normal)

    def _token_normal(self, recorded: Recorded) -> Reply:
        def error(code: str, description: str) -> Reply:
            return Reply(400, json={"error": code, "error_description": description})

        if self._client_credentials(recorded) != (self.client_id, self.client_secret):
            return error("invalid_client", "Invalid client")
        form = recorded.form()
        scope = "user-read-email user-read-private user-top-read user-read-recently-played"
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self._lock:
                redirect_uri = self._codes.pop(form.get("code", ""), None)
            if redirect_uri is None:
                return error("invalid_grant", "Invalid authorization code")
            if redirect_uri != form.get("redirect_uri"):
                return error("invalid_grant", "Invalid redirect URI")
            access, refresh = self._issue_tokens()
            body = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": refresh,
                "scope": scope,
            }
            return Reply(json=body)
        if grant == "refresh_token":
            with self._lock:
                known = form.get("refresh_token") in self._refresh
            if not known:
                return error("invalid_grant", "Invalid refresh token")
            access, refresh = self._issue_tokens()
            body = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": scope,
            }
            if self.rotate_refresh_tokens:
                body["refresh_token"] = refresh
            return Reply(json=body)
        return error(
            "unsupported_grant_type",
            f"grant_type must be client_credentials, "
            f"authorization_code or refresh_token (got {grant!r})",
        )

    @staticmethod
    def _client_credentials(recorded: Recorded) -> tuple[str, str] | None:
        header = recorded.headers.get("authorization", "")
        if header.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
            return client_id, secret
        form = recorded.form()
        if "client_id" in form:
            return form["client_id"], form.get("client_secret", "")
        return None

    # --- Web API -----------------------------------------------------------------------------
    def _api(self, recorded: Recorded) -> Reply:
        return self._faulted(recorded, self._api_normal)

    def _api_normal(self, recorded: Recorded) -> Reply:
        header = recorded.headers.get("authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self._lock:
            valid = self._access.get(token)
        if valid is None:
            return api_error(401, "Invalid access token")
        if not valid:
            return api_error(401, "The access token expired")
        path, q = recorded.path, recorded.query
        if path == "/v1/me":
            return Reply(json=self._bundled("me.json") or self.catalogue.me())
        try:
            limit = int(q.get("limit", 20))
            offset = int(q.get("offset", 0))
        except ValueError:
            return api_error(400, "Invalid limit")
        if not 1 <= limit <= 50:
            return api_error(400, "Invalid limit")
        if path == "/v1/me/player/recently-played":
            if "after" in q and "before" in q:
                return api_error(400, "Only one of after and before may be given")
            try:
                after = int(q["after"]) if "after" in q else None
                before = int(q["before"]) if "before" in q else None
            except ValueError:
                return api_error(400, "Invalid cursor")
            return Reply(json=self._recently_played(limit, after=after, before=before))
        time_range = q.get("time_range", "medium_term")
        if time_range not in TIME_RANGES:
            return api_error(400, "Invalid time range")
        kind = path.rsplit("/", 1)[1]
        return Reply(json=self._top(kind, time_range, limit, offset))

    def _bundled(self, name: str):
        if self.data_dir and (self.data_dir / name).exists():
            return json.loads((self.data_dir / name).read_text())
        return None

    def _top(self, kind: str, time_range: str, limit: int, offset: int) -> dict:
        bundled = self._bundled(f"top_{kind}_{time_range}.json")
        items = bundled["items"] if bundled else self.catalogue.ranking(kind, time_range)
        base = f"https://api.spotify.com/v1/me/top/{kind}"

        def href(off: int) -> str:
            return f"{base}?limit={limit}&offset={off}&time_range={time_range}"

        if offset >= 50:  # Spotify's quirk: nothing past offset 49
            return {
                "items": [],
                "total": 0,
                "limit": 0,
                "offset": offset,
                "href": href(offset),
                "next": None,
                "previous": None,
            }
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        return {
            "items": page,
            "total": len(items),
            "limit": limit,
            "offset": offset,
            "href": href(offset),
            "next": href(offset + limit) if more else None,
            "previous": href(max(offset - limit, 0)) if offset else None,
        }

    def recent_plays_set(self, *, count: int, newest: datetime, every_s: int = 210) -> list[dict]:
        """Serve ``count`` plays (newest first, one every ``every_s`` seconds, the newest at
        ``newest``) as the user's listening history from now on; returns them. Spotify keeps
        only the last 50: older ones are never served, as there."""
        plays = self.catalogue.plays_between(count=count, newest=newest, every_s=every_s)
        with self._lock:
            self.recent_plays = plays
        return plays

    def _recently_played(
        self, limit: int, *, after: int | None = None, before: int | None = None
    ) -> dict:
        def millis(play: dict) -> int:
            moment = play["played_at"].replace("Z", "+00:00")
            return int(datetime.fromisoformat(moment).timestamp() * 1000)

        bundled = self._bundled("recently_played.json")
        with self._lock:
            history = self.recent_plays
        if history is None:
            history = bundled["items"] if bundled else self.catalogue.plays()
        history = history[:50]  # all Spotify keeps
        if after is not None:
            history = [p for p in history if millis(p) > after]
        if before is not None:
            history = [p for p in history if millis(p) < before]
        items = history[:limit]
        base = "https://api.spotify.com/v1/me/player/recently-played"
        if not items:
            return {
                "items": [],
                "next": None,
                "cursors": None,
                "limit": limit,
                "href": f"{base}?limit={limit}",
            }

        newest, oldest = str(millis(items[0])), str(millis(items[-1]))
        return {
            "items": items,
            "next": f"{base}?before={oldest}&limit={limit}",
            "cursors": {"after": newest, "before": oldest},
            "limit": limit,
            "href": f"{base}?limit={limit}",
        }

    # --- bundling ------------------------------------------------------------------------------
    def dump(self, directory: str | Path) -> list[Path]:
        """Write the generated responses as the JSON files a ``data_dir`` serves (for demo data)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        bodies = {
            "me.json": self.catalogue.me(),
            "recently_played.json": {"items": self.catalogue.plays()},
        }
        for kind in ("artists", "tracks"):
            for time_range in TIME_RANGES:
                bodies[f"top_{kind}_{time_range}.json"] = self._top(kind, time_range, 50, 0)
        for name, body in bodies.items():
            path = directory / name
            path.write_text(json.dumps(body, indent=1) + "\n")
            written.append(path)
        return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Spotify on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--n-items", type=int, default=50)
    parser.add_argument("--dev-mode", action="store_true")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args(argv)
    fake = FakeSpotify(
        latency=args.latency,
        n_items=args.n_items,
        dev_mode=args.dev_mode,
        data_dir=args.data_dir,
        port=args.port,
    ).start()
    print(f"SPOTIFY_ACCOUNTS_URL={fake.accounts_url}")
    print(f"SPOTIFY_API_URL={fake.api_url}")
    print(f"access token: {fake.access_token}  (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
