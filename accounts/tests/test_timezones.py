"""Every time shown is in the user's zone: the Account page's choice, else the browser's (the
``tz`` cookie), else UTC. And the Account page itself: settings, a danger-styled delete."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from accounts.timezones import zone_named

pytestmark = pytest.mark.django_db(databases=["default", "archive"])

# 23:30 UTC on 1 January is already 2 January in Tokyo.
LATE_EVENING = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)


@pytest.fixture
def member(alice):
    alice.date_joined = LATE_EVENING
    alice.save(update_fields=["date_joined"])
    return alice


def member_since(client) -> str:
    page = lxml_html.fromstring(client.get(reverse("accounts:account")).content.decode())
    return page.xpath('//dt[.="Member since"]/following-sibling::dd')[0].text_content()


def test_times_are_in_utc_when_neither_the_account_nor_the_browser_names_a_zone(client, member):
    client.force_login(member)
    assert member_since(client) == "1 January 2026"


def test_times_are_in_the_browsers_zone_when_only_the_cookie_names_one(client, member):
    client.force_login(member)
    client.cookies["tz"] = "Asia%2FTokyo"
    assert member_since(client) == "2 January 2026"


def test_times_are_in_the_accounts_zone_when_it_chose_one_whatever_the_browser_says(client, member):
    member.time_zone = "Asia/Tokyo"
    member.save(update_fields=["time_zone"])
    client.force_login(member)
    client.cookies["tz"] = "America/Los_Angeles"
    assert member_since(client) == "2 January 2026"


def test_times_are_in_utc_when_the_cookie_is_not_a_time_zone(client, member):
    client.force_login(member)
    client.cookies["tz"] = "../../etc/passwd"
    assert member_since(client) == "1 January 2026"


def test_zone_named_is_none_when_the_name_is_unknown_or_too_long():
    assert zone_named("Mars/Olympus") is None
    assert zone_named("A" * 65) is None
    assert zone_named("Europe%2FBerlin").key == "Europe/Berlin"


def test_account_page_shows_the_time_zone_setting_and_a_danger_delete_when_logged_in(
    alice_client,
):
    page = lxml_html.fromstring(alice_client.get(reverse("accounts:account")).content.decode())
    assert page.xpath('//form[@action="/accounts/time-zone/"]//select[@name="time_zone"]')
    button = page.xpath('//form[@action="/accounts/delete/"]//button')[0]
    assert "btn-danger" in button.get("class")
    form = button.xpath("ancestor::form")[0]
    assert form.get("method") == "post" and form.xpath('.//input[@name="csrfmiddlewaretoken"]')
    # No browser-default lists: every list in the page's content is styled.
    for element in page.xpath("//main//ul | //main//ol | //main//dl"):
        assert element.get("class"), lxml_html.tostring(element)[:80]


def test_account_delete_confirmation_is_a_danger_post_with_csrf_when_first_posted(alice_client):
    response = alice_client.post(reverse("accounts:account-delete"))
    page = lxml_html.fromstring(response.content.decode())
    button = page.xpath('//button[normalize-space()="Yes, delete everything"]')[0]
    assert "btn-danger" in button.get("class")
    form = button.xpath("ancestor::form")[0]
    assert form.get("method") == "post" and form.xpath('.//input[@name="confirm"][@value="yes"]')
    assert form.xpath('.//input[@name="csrfmiddlewaretoken"]')
