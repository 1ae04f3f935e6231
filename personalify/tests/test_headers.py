"""Content-Security-Policy, Secure cookies and HSTS."""

import re
from pathlib import Path

import pytest

from tests.test_settings import _load_settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    p
    for p in ROOT.glob("**/templates/**/*.html")
    if ".venv" not in p.parts and "var" not in p.parts
]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.parametrize("path", ["/", "/about/", "/privacy/"])
def test_pages_send_a_csp_without_inline_script_and_with_spotify_images_only(client, path):
    policy = _policy(client.get(path))
    assert policy["script-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "https://i.scdn.co", "https://*.scdn.co",
                                 "https://*.spotifycdn.com"]  # fmt: skip
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["default-src"] + policy["style-src"]


def test_csp_lets_forms_go_to_spotifys_consent_page_only(client, settings):
    settings.SPOTIFY_ACCOUNTS_URL = "https://accounts.spotify.com"
    assert _policy(client.get("/"))["form-action"] == ["'self'", "https://accounts.spotify.com"]


def test_dashboard_sends_the_csp_when_logged_in(alice_client):
    assert _policy(alice_client.get("/dashboard/"))["script-src"] == ["'self'"]


def test_templates_have_no_inline_script_or_event_handler():
    for path in TEMPLATES:
        html = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script in {path}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {path}"
        assert "javascript:" not in html, path


def test_cookies_are_secure_when_the_request_came_over_https(client):
    response = client.get("/", secure=True)
    client.get("/about/", secure=True)
    cookies = response.cookies
    assert cookies, "the home page sets the CSRF cookie"
    assert all(morsel["secure"] for morsel in cookies.values())


def test_cookies_are_not_marked_secure_over_plain_http_in_development(client):
    response = client.get("/")
    assert not any(morsel["secure"] for morsel in response.cookies.values())


@pytest.mark.parametrize(
    "env",
    [{"SITE_URL": "https://personalify.example"}, {"BEHIND_TLS_PROXY": "1"}],
)
def test_settings_make_cookies_secure_when_the_site_is_served_over_https(env):
    s = _load_settings(env, "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    assert s == {"SESSION_COOKIE_SECURE": "True", "CSRF_COOKIE_SECURE": "True"}


def test_settings_leave_cookies_plain_for_a_local_http_site():
    s = _load_settings({}, "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    assert s == {"SESSION_COOKIE_SECURE": "False", "CSRF_COOKIE_SECURE": "False"}


def test_hsts_does_not_add_preload_unless_asked():
    s = _load_settings({"SECURE_HSTS_SECONDS": "31536000"}, "SECURE_HSTS_PRELOAD")
    assert s["SECURE_HSTS_PRELOAD"] == "False"
    s = _load_settings(
        {"SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_PRELOAD": "1"}, "SECURE_HSTS_PRELOAD"
    )
    assert s["SECURE_HSTS_PRELOAD"] == "True"
