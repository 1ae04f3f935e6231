import requests

from personalify.http import http_session
from personalify.testing.fakehttp import Reply


def test_http_session_sends_user_agent_and_reaches_a_fake_server(fake_http, settings):
    server = fake_http()
    server.route("GET", "/ping", Reply(json={"ok": True}))
    response = http_session().get(f"{server.url}/ping")
    assert response.json() == {"ok": True}
    assert server.requests[0].headers["user-agent"] == settings.HTTP_USER_AGENT


def test_http_session_times_out_by_default(fake_http):
    server = fake_http()
    server.route("GET", "/slow", Reply(json={}, delay=1.0))
    try:
        http_session(timeout=0.2).get(f"{server.url}/slow")
    except requests.Timeout:
        pass
    else:
        raise AssertionError("a slow answer did not time out")


def test_fake_server_consumes_queued_replies_in_order(fake_http):
    server = fake_http()
    server.route("GET", "/seq", [Reply(503), Reply(json={"n": 2})])
    session = http_session()
    assert session.get(f"{server.url}/seq").status_code == 503
    assert session.get(f"{server.url}/seq").json() == {"n": 2}
    assert session.get(f"{server.url}/seq").json() == {"n": 2}
