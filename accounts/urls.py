from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # Django's LogoutView only accepts POST, so logging out always carries a CSRF token.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.account_detail, name="account"),
    path("time-zone/", views.time_zone_update, name="time-zone"),
    path("delete/", views.account_delete_view, name="account-delete"),
    path("login/not-allowed/", views.login_not_allowed, name="login-not-allowed"),
]
