"""Finished pages: the error pages in the site's layout with a way back, the admin branded as
Personalify, and the current page marked in the navigation."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse
from lxml import html as lxml_html

from personalify import views

pytestmark = pytest.mark.django_db(databases=["default", "archive"])


def tree(response):
    return lxml_html.fromstring(response.content.decode())


def assert_site_page_with_a_way_back(page):
    assert page.xpath('//nav[@aria-label="Main"]'), "the site's navigation"
    assert page.xpath('//link[contains(@href, "css/site.css")]'), "the site's style"
    assert page.xpath('//main//a[@href="/" and contains(@class, "btn-primary")]'), "a way back"


def test_not_found_page_has_the_layout_and_a_way_back_when_a_visitor_mistypes(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = tree(response)
    assert_site_page_with_a_way_back(page)
    assert page.xpath("//h1")[0].text_content() == "This page does not exist"


def test_not_found_page_offers_the_dashboard_when_logged_in(alice_client):
    page = tree(alice_client.get("/no-such-page/"))
    assert page.xpath(f'//main//a[@href="{reverse("analytics:dashboard")}"]')
    assert page.xpath(f'//nav//a[@href="{reverse("accounts:account")}"]')  # the user's nav


def test_forbidden_page_has_the_layout_and_a_way_back_when_permission_is_denied(db):
    assert get_resolver().resolve_error_handler(403) is views.permission_denied
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    response = views.permission_denied(request)
    assert response.status_code == 403
    page = tree(response)
    assert_site_page_with_a_way_back(page)
    assert "log in first" in page.xpath("//main")[0].text_content()


def test_csrf_failure_page_explains_and_has_a_way_back_when_the_token_is_missing(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    page = tree(response)
    assert_site_page_with_a_way_back(page)
    assert page.xpath("//h1")[0].text_content() == "That form could not be sent"
    assert "CSRF" not in page.xpath("//main")[0].text_content()  # no jargon


def test_csrf_failure_page_says_cookies_are_needed_when_the_cookie_is_missing(db):
    response = Client(enforce_csrf_checks=True).post(reverse("music:demo-login"))
    assert response.status_code == 403
    assert "forms need cookies" in response.content.decode()


def test_server_error_page_has_the_layout_without_touching_the_database_when_drawn(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert_site_page_with_a_way_back(tree(response))


def test_admin_login_is_branded_personalify_when_opened(client):
    response = client.get("/admin/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Django administration" not in html and "Django site admin" not in html
    page = tree(response)
    assert "Personalify administration" in page.xpath('//*[@id="site-name"]')[0].text_content()
    assert page.xpath('//link[contains(@href, "css/admin.css")]')
    assert "Personalify admin" in page.xpath("//title")[0].text_content()
    assert page.xpath("//h1")[0].text_content() == "Log in to the admin"  # a page has an h1


def test_admin_index_tells_the_owner_how_to_turn_login_on_when_spotify_is_off(
    admin_client, settings
):
    settings.SPOTIFY_CLIENT_ID = ""
    page = tree(admin_client.get("/admin/"))
    assert "SPOTIFY_CLIENT_ID" in page.get_element_by_id("owner-setup").text_content()


def test_admin_index_has_no_setup_note_when_spotify_is_configured(admin_client):
    assert 'id="owner-setup"' not in admin_client.get("/admin/").content.decode()


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/about/", "About"),
        ("/accounts/", "Account"),
        ("/dashboard/", "Dashboard"),
        ("/dashboard/history/", "History"),
    ],
)
def test_navigation_marks_the_current_page_when_it_is_open(alice_client, path, label):
    page = tree(alice_client.get(path))
    current = page.xpath('//nav[@aria-label="Main"]//a[@aria-current="page"]')
    assert [a.text_content().strip() for a in current] == [label]


def test_brand_marks_the_home_page_as_current_when_it_is_open(client):
    page = tree(client.get("/"))
    assert page.xpath('//a[contains(@class, "brand")]')[0].get("aria-current") == "page"
    assert not tree(client.get("/about/")).xpath('//a[contains(@class, "brand")]/@aria-current')


def test_admin_index_tells_the_owner_to_load_the_demo_when_it_is_not_loaded(admin_client):
    page = tree(admin_client.get("/admin/"))
    assert "load_demo" in page.get_element_by_id("owner-demo").text_content()


def test_navigation_marks_nothing_when_the_page_is_not_in_it(alice_client):
    page = tree(alice_client.get("/privacy/"))
    assert not page.xpath('//nav[@aria-label="Main"]//a[@aria-current="page"]')
