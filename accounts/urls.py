from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "accounts"

urlpatterns = [
    # Django's LogoutView only accepts POST, so logging out always carries a CSRF token.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
