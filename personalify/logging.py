"""A logging filter that keeps OAuth tokens and API keys out of every log line."""

import logging
import re

# Bearer headers, token-ish query/form parameters and JSON fields.
_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|api_key|code)[\"']?\s*[:=]\s*[\"']?)"
        r"[A-Za-z0-9._~+/=-]+"
    ),
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


_formatter = logging.Formatter()


class RedactSecretsFilter(logging.Filter):
    """Redacts the message, the exception's text and traceback, and the stack of a record.

    The traceback is formatted here (once) and stored redacted in ``exc_text``, which every
    formatter prints instead of formatting ``exc_info`` again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redact_handlers(logger: logging.Logger) -> None:
    """Put the filter on each of the logger's handlers (Celery's, which replace ours)."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            handler.addFilter(RedactSecretsFilter())
