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


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
