"""{% fixed_url %} and {% fixed_static %}: what {% url %} and {% static %} give, kept."""

from django.template import Context, Template
from django.templatetags.static import static
from django.urls import clear_script_prefix, reverse, set_script_prefix


def _render(source: str) -> str:
    return Template("{% load links %}" + source).render(Context({}))


def test_fixed_url_gives_what_url_gives_for_the_current_script_prefix():
    assert _render("{% fixed_url 'analytics:dashboard' %}") == reverse("analytics:dashboard")
    set_script_prefix("/mounted/")
    try:
        assert _render("{% fixed_url 'about' %}") == "/mounted/about/"
    finally:
        clear_script_prefix()
    assert _render("{% fixed_url 'about' %}") == "/about/"


def test_fixed_url_can_be_kept_in_a_variable_like_url():
    assert _render("{% fixed_url 'terms' as link %}[{{ link }}]") == f"[{reverse('terms')}]"


def test_fixed_static_gives_what_static_gives_and_follows_static_url(settings):
    assert _render("{% fixed_static 'css/site.css' %}") == static("css/site.css")
    settings.STATIC_URL = "/assets/"
    assert _render("{% fixed_static 'css/site.css' %}") == "/assets/css/site.css"
