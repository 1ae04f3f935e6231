"""Template tags for the links every page carries (``{% load links %}``, set up in TEMPLATES).

``{% fixed_url 'name' %}`` is ``{% url 'name' %}`` for a URL name that takes no arguments,
reversed once per process: the base template links to a dozen pages on every render, and
Django reverses each ``{% url %}`` again every time (15-20 us each; with ``{% static %}``, half
of what rendering the base template cost). The answer depends on the URLconf and the script
prefix, so both are part of what it is kept under (a test that overrides ROOT_URLCONF gets a
new resolver).

``{% fixed_static 'path' %}`` is ``{% static 'path' %}`` kept the same way, per storage: the
storage's ``url()`` joins URLs on every call, and production's manifest storage looks the name
up in its manifest first.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import STATICFILES_STORAGE_ALIAS, settings
from django.core.files.storage import storages
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

register = template.Library()


@lru_cache(maxsize=256)
def _reversed(name: str, resolver, prefix: str) -> str:
    # ``resolver`` and ``prefix`` are the key; reverse() reads the same ones itself.
    return reverse(name, urlconf=resolver.urlconf_name)


@register.simple_tag
def fixed_url(name: str) -> str:
    """The path of the URL ``name`` (no arguments), as ``{% url %}`` gives it."""
    return _reversed(name, get_resolver(get_urlconf()), get_script_prefix())


@lru_cache(maxsize=256)
def _static_url(path: str, storage, static_url: str | None) -> str:
    # A storage reads STATIC_URL when it changes (tests): it is part of the key too.
    return storage.url(path)


@register.simple_tag
def fixed_static(path: str) -> str:
    """The URL of the static file ``path``, as ``{% static %}`` gives it."""
    return _static_url(path, storages[STATICFILES_STORAGE_ALIAS], settings.STATIC_URL)
