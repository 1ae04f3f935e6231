"""The home page's picture of the product (static/img/dashboard-demo.webp), retaken from the demo
dashboard in Chromium by `make product-shot` when the dashboard changes. It writes a committed
file, so it runs only when asked (PRODUCT_SHOT=1)."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from accounts.selectors import user_demo_get
from music.services import demo_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "archive"]),
    pytest.mark.skipif(not os.environ.get("PRODUCT_SHOT"), reason="make product-shot only"),
]

TARGET = Path(__file__).resolve().parents[2] / "static" / "img" / "dashboard-demo.webp"
SIZE = (800, 560)  # the <img> width and height in templates/pages/home.html


def test_product_shot_is_a_small_webp_of_the_demo_dashboard(browser_context, live_server):
    assert demo_load().ok
    client = Client()
    client.force_login(user_demo_get())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size({"width": 1200, "height": 840})
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("networkidle")
    png = page.screenshot(clip={"x": 0, "y": 0, "width": 1200, "height": 840})
    picture = Image.open(io.BytesIO(png)).convert("RGB").resize(SIZE, Image.LANCZOS)
    picture.save(TARGET, "WEBP", quality=72, method=6)
    assert TARGET.stat().st_size < 80_000
