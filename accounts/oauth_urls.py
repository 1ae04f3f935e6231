"""Where Personalify's login differs from social_django's URLs (included before them)."""

from django.urls import path

from . import views

app_name = "accounts-oauth"

urlpatterns = [
    # Same path as social_django's begin view, which it calls after logging out.
    path("login/<str:backend>/", views.spotify_login_begin, name="begin"),
]
