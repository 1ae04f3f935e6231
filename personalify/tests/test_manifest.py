"""The web app manifest and icons that make the site installable on a phone."""

import json

import pytest
from lxml import html as lxml_html
from PIL import Image

pytestmark = pytest.mark.django_db


def test_manifest_names_the_app_and_its_icons_which_exist_at_their_sizes(client):
    from pathlib import Path

    from django.conf import settings

    response = client.get("/static/manifest.webmanifest")
    assert response.status_code == 200
    manifest = json.loads(b"".join(response.streaming_content))
    assert manifest["start_url"] == "/dashboard/" and manifest["display"] == "standalone"
    static = Path(settings.BASE_DIR) / "static"
    purposes = set()
    for icon in manifest["icons"]:
        purposes.add(icon["purpose"])
        if icon["type"] == "image/png":
            width, height = map(int, icon["sizes"].split("x"))
            assert Image.open(static / icon["src"]).size == (width, height)
    assert {"any", "maskable"} <= purposes
    assert {i["sizes"] for i in manifest["icons"]} >= {"192x192", "512x512"}


def test_pages_link_the_manifest_and_a_touch_icon(client):
    tree = lxml_html.fromstring(client.get("/").content)
    assert tree.xpath('//link[@rel="manifest"]/@href') == ["/static/manifest.webmanifest"]
    assert tree.xpath('//link[@rel="apple-touch-icon"]')
