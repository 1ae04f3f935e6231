"""Cache key function: keys are stored exactly as the code names them.

Django's default prefixes every key with ``:<version>:``; the seed documents plain keys such as
``top:<spotify_id>:<time_range>`` that an operator reads with ``redis-cli GET``.
"""


def plain_key(key: str, key_prefix: str, version: int) -> str:
    return f"{key_prefix}{key}" if key_prefix else key
