"""Bounded input: request bodies and file parts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASTE = reverse("analytics:emotion-paste")


def test_a_body_over_the_limit_answers_413_before_it_is_read(client, settings):
    settings.REQUEST_MAX_BYTES = 1024
    response = client.post("/accounts/logout/", data=b"x" * 2048, content_type="text/plain")
    assert response.status_code == 413


def test_a_large_anonymous_multipart_post_answers_413(client):
    upload = SimpleUploadedFile("big.bin", b"\0" * (2 * 1024 * 1024))
    response = client.post(reverse("home"), {"file": upload})
    assert response.status_code == 413


def test_a_file_part_is_refused_even_when_small(alice_client):
    upload = SimpleUploadedFile("lyrics.txt", b"I miss you")
    response = alice_client.post(PASTE, {"text": "I miss you", "file": upload})
    assert response.status_code == 400


def test_a_paste_of_the_longest_allowed_text_is_under_the_body_limit(alice_client, settings):
    text = "é" * settings.EMOTION_MAX_CHARS  # 2 bytes in UTF-8, 6 when percent-encoded
    response = alice_client.post(PASTE, {"text": text})
    assert response.status_code == 200
