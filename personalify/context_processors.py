from django.conf import settings


def integrations(request) -> dict:
    """Which optional integrations are configured, so pages can say when one is off."""
    return {
        "spotify_enabled": bool(settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET),
        "genius_enabled": bool(settings.GENIUS_ACCESS_TOKEN),
        "hf_enabled": bool(settings.HUGGING_FACE_API_KEY),
    }
