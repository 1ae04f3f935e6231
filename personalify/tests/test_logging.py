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
