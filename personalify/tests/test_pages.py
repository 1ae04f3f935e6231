"""The home page explains itself: what to press, what the demo is, who may log in, and who is
told how to set the server up (its owner only)."""

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from lxml import html as lxml_html
from PIL import Image

pytestmark = pytest.mark.django_db(databases=["default", "archive"])

OWNER_WORDS = ("SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "README", "load_demo")


def tree(response):
    assert response.status_code == 200
    return lxml_html.fromstring(response.content.decode())


def test_home_login_button_is_primary_and_follows_the_allow_list_when_a_visitor_arrives(client):
    page = tree(client.get(reverse("home")))
    note = page.get_element_by_id("login-allow-list")
    assert "at most 5" in note.text_content() and "e-mail" in note.text_content()
    button = page.xpath('//form[@action="/oauth/login/spotify/"]//button')[0]
    assert "btn-primary" in button.get("class")
    assert button.get("aria-describedby") == "login-allow-list"
    # The explanation comes before the button, so it is read before Spotify's consent screen.
    everything = list(page.iter())
    assert everything.index(note) < everything.index(button)


def test_home_demo_is_explained_and_secondary_when_spotify_login_is_on(client, demo_user):
    page = tree(client.get(reverse("home")))
    button = page.xpath('//form[@action="/demo/"]//button')[0]
    assert "btn-secondary" in button.get("class")
    what = page.get_element_by_id(button.get("aria-describedby")).text_content()
    assert "made-up listener" in what and "read-only" in what


def test_home_demo_is_the_primary_action_when_spotify_login_is_off(client, settings, demo_user):
    settings.SPOTIFY_CLIENT_ID = ""
    page = tree(client.get(reverse("home")))
    assert "btn-primary" in page.xpath('//form[@action="/demo/"]//button')[0].get("class")
    assert not page.xpath('//form[@action="/oauth/login/spotify/"]')


def test_home_shows_no_owner_instructions_when_a_visitor_arrives(client, settings, demo_user):
    settings.SPOTIFY_CLIENT_ID = ""
    html = client.get(reverse("home")).content.decode()
    assert 'id="owner-setup"' not in html
    for word in OWNER_WORDS:
        assert word not in html, word


def test_home_shows_no_owner_instructions_when_a_friend_is_logged_in(alice_client, settings):
    settings.SPOTIFY_CLIENT_ID = ""
    html = alice_client.get(reverse("home")).content.decode()
    for word in OWNER_WORDS:
        assert word not in html, word


def test_home_shows_the_owner_how_to_turn_login_on_when_staff_is_logged_in(admin_client, settings):
    settings.SPOTIFY_CLIENT_ID = ""
    page = tree(admin_client.get(reverse("home")))
    setup = page.get_element_by_id("owner-setup").text_content()
    assert "SPOTIFY_CLIENT_ID" in setup and "README" in setup


def test_home_offers_open_your_dashboard_when_logged_in(alice_client):
    page = tree(alice_client.get(reverse("home")))
    link = page.xpath('//a[normalize-space()="Open your dashboard"]')[0]
    assert link.get("href") == reverse("analytics:dashboard") and "btn-primary" in link.get("class")
    assert not page.xpath('//form[@action="/oauth/login/spotify/"]')
    assert not page.xpath('//form[@action="/demo/"]')


def test_home_shows_a_small_picture_of_the_product_with_its_size_and_alt(client):
    page = tree(client.get(reverse("home")))
    img = page.xpath('//figure[contains(@class,"hero-shot")]//img')[0]
    assert img.get("src") == f"{django_settings.STATIC_URL}img/dashboard-demo.webp"
    assert "dashboard" in img.get("alt")
    path = finders.find("img/dashboard-demo.webp")
    with Image.open(path) as picture:
        assert picture.format == "WEBP"
        assert picture.size == (int(img.get("width")), int(img.get("height")))
    with open(path, "rb") as file:
        assert len(file.read()) < 80_000


def test_home_links_only_to_pages_that_exist_when_logged_in(alice_client):
    page = tree(alice_client.get(reverse("home")))
    hrefs = {a.get("href") for a in page.xpath('//main//a[starts-with(@href, "/")]')}
    assert reverse("analytics:lyrics-search") in hrefs
    for href in hrefs:
        assert alice_client.get(href).status_code == 200, href


def test_about_speaks_to_the_user_before_the_developer_when_opened(client):
    page = tree(client.get(reverse("about")))
    headings = [h.text_content() for h in page.xpath("//main//h2")]
    assert headings.index("What it does with your data") < headings.index(
        "For developers: how it is built"
    )
    assert headings[0] == "What it shows you"


def test_about_has_a_text_diagram_for_small_screens_when_opened(client):
    page = tree(client.get(reverse("about")))
    narrow = page.xpath('//div[contains(@class, "diagram-narrow")]')[0]
    assert narrow.get("role") == "img" and "postgres_fdw" in narrow.get("aria-label")
    assert "PostgreSQL node B" in narrow.text_content()


def test_about_table_scrolls_with_the_keyboard_when_it_is_wider_than_the_screen(client):
    wrap = tree(client.get(reverse("about"))).xpath('//div[contains(@class, "table-wrap")]')[0]
    assert wrap.get("tabindex") == "0" and wrap.get("role") == "region"
