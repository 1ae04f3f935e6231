import pytest
from django.test import Client
from django.urls import reverse

from analytics.models import EmotionAnalysis, Vibe
from personalify.progress import IDLE, WORKER_UNAVAILABLE

pytestmark = pytest.mark.django_db

PASTE = reverse("analytics:emotion-paste")
JSON = reverse("analytics:emotion-analyse")


@pytest.fixture
def csrf_client(user):
    """A logged-in client that, like a browser, must send the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(PASTE)  # sets the csrftoken cookie
    return client


def token(client):
    return client.cookies["csrftoken"].value


def test_paste_page_redirects_to_login_when_anonymous(client):
    response = client.get(PASTE)
    assert response.status_code == 302 and response["Location"].startswith("/?next=")


def test_paste_page_shows_a_post_form_with_csrf_when_logged_in(csrf_client):
    html = csrf_client.get(PASTE).content.decode()
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html and "5,000 characters" in html


def test_paste_page_shows_emotion_bars_when_text_is_posted(csrf_client):
    response = csrf_client.post(
        PASTE,
        {
            "text": "I cried all night, my heart is broken",
            "csrfmiddlewaretoken": token(csrf_client),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="emotion-fill"') == 28 + 7
    assert "Mostly sadness" in html


def test_paste_page_shows_the_labels_that_matter_and_the_rest_behind_show_all(csrf_client):
    from lxml import html as lxml_html

    response = csrf_client.post(
        PASTE,
        {
            "text": "I cried all night, my heart is broken",
            "csrfmiddlewaretoken": token(csrf_client),
        },
    )
    result = lxml_html.fromstring(response.content).xpath('//section[@id="emotion-result"]')[0]
    for caption, count in (("Broad emotions", 7), ("Finer emotions", 28)):
        shown = result.xpath(f'.//ul[@aria-label="{caption}"]/li/span[@class="emotion-score"]')
        rest = result.xpath(
            f'.//details//ul[@aria-label="{caption}, the rest"]/li/span[@class="emotion-score"]'
        )
        percents = [int(s.text.rstrip("%")) for s in shown + rest]
        assert len(percents) == count and 98 <= sum(percents) <= 102  # one scale: shares
        assert len(shown) >= 3 and all(p >= 5 for p in percents[3 : len(shown)])
        assert rest and all(p < 5 for p in percents[len(shown) :])
    said = " ".join(result.text_content().split())
    assert "Read by Personalify's own emotion model, which runs on this server." in said
    assert "share of all the emotion read in the text" in said
    assert "model in" not in said and "0.00" not in said


def test_paste_page_answers_a_double_submit_twice_with_the_same_result(csrf_client):
    data = {
        "text": "We danced all night, so happy together",
        "csrfmiddlewaretoken": token(csrf_client),
    }
    first = csrf_client.post(PASTE, data)
    second = csrf_client.post(PASTE, data)
    assert first.status_code == second.status_code == 200

    def result(response):
        from lxml import html as lxml_html

        section = lxml_html.fromstring(response.content).xpath('//section[@id="emotion-result"]')
        return " ".join(section[0].text_content().split())

    assert result(first) == result(second)


def test_paste_page_refuses_post_without_csrf_token(csrf_client):
    response = csrf_client.post(PASTE, {"text": "hello"})
    assert response.status_code == 403
    assert EmotionAnalysis.objects.count() == 0


def test_paste_page_shows_the_limit_when_text_is_too_long(csrf_client, settings):
    settings.EMOTION_MAX_CHARS = 100
    response = csrf_client.post(
        PASTE, {"text": "x" * 150, "csrfmiddlewaretoken": token(csrf_client)}
    )
    assert response.status_code == 400
    assert "150 characters; the limit is 100" in response.content.decode()


def test_paste_page_answers_429_when_user_is_over_the_rate_limit(csrf_client, settings):
    settings.EMOTION_RATE_LIMIT = 1
    data = {"text": "Sunny Day", "csrfmiddlewaretoken": token(csrf_client)}
    assert csrf_client.post(PASTE, data).status_code == 200
    response = csrf_client.post(PASTE, data)
    assert response.status_code == 429 and "Too many analyses" in response.content.decode()


def test_json_endpoint_answers_401_when_anonymous(client):
    assert client.post(JSON, {"text": "hi"}).status_code == 401


def test_json_endpoint_returns_28_and_7_scores_when_json_is_posted(csrf_client):
    response = csrf_client.post(
        JSON,
        data={"text": "We dance all night, so happy"},
        content_type="application/json",
        headers={"X-CSRFToken": token(csrf_client)},
    )
    body = response.json()
    assert response.status_code == 200
    assert len(body["fine"]) == 28 and len(body["coarse"]) == 7
    assert body["backend"] == "local" and body["top"]["coarse"] == "joy"


def test_json_endpoint_refuses_post_without_csrf_token(csrf_client):
    response = csrf_client.post(JSON, data={"text": "hi"}, content_type="application/json")
    assert response.status_code == 403


def test_json_endpoint_answers_413_with_the_limit_when_text_is_too_long(csrf_client, settings):
    settings.EMOTION_MAX_CHARS = 10
    response = csrf_client.post(
        JSON, {"text": "x" * 11}, headers={"X-CSRFToken": token(csrf_client)}
    )
    assert response.status_code == 413 and response.json()["limit"] == 10


def test_json_endpoint_answers_400_when_text_is_empty(csrf_client):
    response = csrf_client.post(JSON, {"text": "  "}, headers={"X-CSRFToken": token(csrf_client)})
    assert response.status_code == 400 and response.json()["error"] == "The text is empty."


def test_json_endpoint_answers_429_when_user_is_over_the_rate_limit(csrf_client, settings):
    settings.EMOTION_RATE_LIMIT = 0
    response = csrf_client.post(JSON, {"text": "hi"}, headers={"X-CSRFToken": token(csrf_client)})
    assert response.status_code == 429 and response["Retry-After"] == "60"


def test_mood_page_shows_vibe_and_low_confidence_note_when_stored(client, user):
    Vibe.objects.create(
        user=user,
        time_range="short_term",
        sentence="Shades of soft sadness, tender love and quiet longing",
        top=[["sadness", 0.5]],
        fine={"sadness": 0.5},
        coarse={"sadness": 0.6, "joy": 0.4},
        confidence=0.1,
        confidence_level="low",
        analysed_count=4,
        skipped_count=1,
    )
    client.force_login(user)
    html = client.get(reverse("analytics:mood-detail")).content.decode()
    assert "Shades of soft sadness, tender love and quiet longing" in html
    assert "Last 4 weeks" in html and "take this as a hint" in html
    assert "the lyrics of 0 of 5 tracks (the titles of 4, 1 instrumental" in html


def test_mood_refresh_runs_the_analysis_and_progress_reports_done(
    client, user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:mood-refresh"))
    assert response.status_code == 302
    progress = client.get(reverse("analytics:mood-progress")).json()
    assert progress["state"] == "done"
    assert Vibe.objects.filter(user=user).count() == 3


def test_mood_progress_reads_idle_when_nothing_ran(client, user):
    client.force_login(user)
    assert client.get(reverse("analytics:mood-progress")).json() == IDLE


# --- Redis down: every page answers, from PostgreSQL, and says what it cannot show -------------


def test_mood_page_shows_vibes_and_says_progress_is_unavailable_when_redis_is_down(
    client, user, redis_down
):
    Vibe.objects.create(
        user=user,
        time_range="short_term",
        sentence="Mostly joyful",
        top=[["joy", 0.8]],
        fine={"joy": 0.8},
        coarse={"joy": 0.8},
        confidence=0.6,
        confidence_level="high",
    )
    client.force_login(user)
    response = client.get(reverse("analytics:mood-detail"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mostly joyful" in html and "Progress is unavailable right now" in html


def test_mood_progress_answers_unavailable_when_redis_is_down(client, user, redis_down):
    client.force_login(user)
    response = client.get(reverse("analytics:mood-progress"))
    assert response.status_code == 200
    assert response.json()["state"] == "unavailable"


def test_paste_page_analyses_without_rate_limit_when_redis_is_down(client, user, redis_down):
    client.force_login(user)
    response = client.post(PASTE, {"text": "I cried all night, my heart is broken"})
    assert response.status_code == 200 and "Mostly sadness" in response.content.decode()


def test_json_endpoint_analyses_without_rate_limit_when_redis_is_down(client, user, redis_down):
    client.force_login(user)
    response = client.post(JSON, {"text": "We dance all night, so happy"})
    assert response.status_code == 200 and response.json()["top"]["coarse"] == "joy"


def test_mood_refresh_stores_vibes_when_redis_is_down(
    client, user, redis_down, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:mood-refresh"))
    assert response.status_code == 302
    assert Vibe.objects.filter(user=user).count() == 3


def test_mood_page_says_the_worker_is_unavailable_when_refresh_meets_a_dead_broker(
    client, user, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analytics:mood-refresh"))
    assert response.status_code == 302
    html = client.get(reverse("analytics:mood-detail")).content.decode()
    assert WORKER_UNAVAILABLE in html
    assert Vibe.objects.filter(user=user).count() == 0


# --- The read-only demo -----------------------------------------------------------------------


def test_mood_refresh_answers_403_and_writes_nothing_when_user_is_demo(
    client, demo_user, django_capture_on_commit_callbacks
):
    client.force_login(demo_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("analytics:mood-refresh"))
    assert response.status_code == 403 and "demo is read-only" in response.content.decode()
    assert callbacks == [] and Vibe.objects.filter(user=demo_user).count() == 0


def test_mood_page_hides_refresh_button_and_says_why_when_user_is_demo(client, demo_user):
    client.force_login(demo_user)
    html = client.get(reverse("analytics:mood-detail")).content.decode()
    assert reverse("analytics:mood-refresh") not in html and "Analyse again" not in html
    assert "demo is read-only" in html


def test_mood_page_shows_refresh_button_when_user_is_not_demo(client, user):
    client.force_login(user)
    html = client.get(reverse("analytics:mood-detail")).content.decode()
    assert f'action="{reverse("analytics:mood-refresh")}"' in html


def test_mood_page_and_dashboard_mood_card_show_the_same_vibe_when_one_is_stored(
    alice_client, alice
):
    from lxml import html as lxml_html

    from analytics.rankings import TrackInput
    from analytics.services import vibe_compute, vibe_store

    from .dashboard_data import top_cache, top_payload

    titles = ["Tears on My Pillow", "Dancing in the Sun", "Lonely Road", "I Love You Always"]
    tracks = [TrackInput(str(i), title) for i, title in enumerate(titles)]
    vibe_store(user=alice, time_range="short_term", result=vibe_compute(tracks=tracks))
    top_cache(top_payload(alice.spotify_id))

    def words(element) -> str:
        return " ".join(element.text_content().split())

    card = lxml_html.fromstring(alice_client.get(reverse("analytics:dashboard")).content)
    card = card.xpath('//section[@id="mood"]')[0]
    card_scores = [
        (
            words(li.xpath('./span[@class="emotion-label"]')[0]),
            words(li.xpath('./span[@class="emotion-score"]')[0]),
        )
        for li in card.xpath('.//ul[@class="emotion-bars"]/li')
    ]
    page = lxml_html.fromstring(alice_client.get(reverse("analytics:mood-detail")).content)
    section = page.xpath('//section[@data-time-range="short_term"]')[0]
    page_scores = [
        (
            words(li.xpath('./span[@class="emotion-label"]')[0]),
            words(li.xpath('./span[@class="emotion-score"]')[0]),
        )
        for li in section.xpath('.//ul[@aria-label="Emotion scores"]/li')
    ]
    assert len(card_scores) >= 2 and all(score.endswith("%") for _, score in card_scores)
    assert page_scores == card_scores
    assert words(section.xpath('.//p[@class="vibe-sentence"]')[0]) == words(
        card.xpath('.//p[@class="vibe"]')[0]
    )
