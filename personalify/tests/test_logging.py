import logging

from personalify.logging import RedactSecretsFilter, redact


def test_redact_hides_bearer_tokens_and_token_fields():
    text = 'Authorization: Bearer BQDabc.def-123 {"access_token": "AT1", "refresh_token":"RT1"}'
    cleaned = redact(text)
    assert "BQDabc" not in cleaned and "AT1" not in cleaned and "RT1" not in cleaned
    assert cleaned.count("[redacted]") == 3


def test_filter_rewrites_records_that_carry_secrets(caplog):
    logger = logging.getLogger("personalify.test")
    logger.addFilter(RedactSecretsFilter())
    with caplog.at_level(logging.INFO, logger="personalify.test"):
        logger.info("refresh with %s", "refresh_token=AQCsecret&grant_type=refresh_token")
    assert "AQCsecret" not in caplog.text and "[redacted]" in caplog.text


def _raise_with_token():
    try:
        raise RuntimeError("refresh failed for access_token=BQDsecret-in-exception")
    except RuntimeError:
        logging.getLogger("personalify.test.exc").exception("the sync failed")


def test_filter_redacts_the_exception_text_and_traceback(caplog):
    logger = logging.getLogger("personalify.test.exc")
    logger.addFilter(RedactSecretsFilter())
    try:
        with caplog.at_level(logging.ERROR, logger="personalify.test.exc"):
            _raise_with_token()
    finally:
        logger.filters.clear()
    [record] = caplog.records
    formatted = logging.Formatter("%(message)s").format(record)
    assert "Traceback" in formatted and "RuntimeError" in formatted
    assert "BQDsecret" not in formatted


def test_celery_worker_logging_redacts_tokens(tmp_path):
    """A worker's logging, set up as `celery worker` does, in a fresh interpreter."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from personalify.celery import app; import logging;"
        "app.log.setup(loglevel='INFO', colorize=False);"
        "log = logging.getLogger('music.tasks');"
        "log.warning('token answer access_token=BQDworker-secret');"
        "\ntry:\n raise ValueError('refresh_token=AQCworker-secret')\n"
        "except ValueError:\n log.exception('failed')\n"
        "from celery.utils.log import get_task_logger;"
        "get_task_logger('music.tasks').warning('Bearer BQDtask-secret')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "personalify.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "access_token=[redacted]" in output and "ValueError" in output
    assert "worker-secret" not in output and "task-secret" not in output


def test_gunicorn_access_log_omits_the_oauth_callbacks_query_string():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from personalify.gunicorn import AccessLogger

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/oauth/complete/spotify/?code=AQBsecret-code&state=abc",
        "PATH_INFO": "/oauth/complete/spotify/",
        "QUERY_STRING": "code=AQBsecret-code&state=abc",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": "https://accounts.spotify.com/?code=AQBsecret-code",
    }
    logger = AccessLogger(Config())
    resp = SimpleNamespace(status="302 Found", sent=0, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    line = logger.cfg.access_log_format % atoms
    assert "GET /oauth/complete/spotify/ HTTP/1.1" in line and "302" in line
    assert "AQBsecret" not in line and "AQBsecret" not in atoms["{query_string}e"]


def test_gunicorn_access_log_keeps_other_query_strings():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from personalify.gunicorn import AccessLogger

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/dashboard/?range=long_term",
        "PATH_INFO": "/dashboard/",
        "QUERY_STRING": "range=long_term",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    logger = AccessLogger(Config())
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, timedelta(seconds=0))
    assert "/dashboard/?range=long_term" in logger.cfg.access_log_format % atoms
