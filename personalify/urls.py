from django.contrib import admin
from django.urls import include, path

from . import views

handler403 = "personalify.views.permission_denied"
handler404 = "personalify.views.page_not_found"
handler500 = "personalify.views.server_error"

# The admin says whose it is (its login page is styled in templates/admin/).
admin.site.site_header = "Personalify administration"
admin.site.site_title = "Personalify admin"
admin.site.index_title = "Users, music and the server"

urlpatterns = [
    path("", views.PageView.as_view(template_name="pages/home.html"), name="home"),
    path("about/", views.PageView.as_view(template_name="pages/about.html"), name="about"),
    path("terms/", views.PageView.as_view(template_name="pages/terms.html"), name="terms"),
    path("privacy/", views.PageView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("", include("music.urls")),
    path("", include("analytics.urls")),
    # Before social_django's own begin view: logging in logs out whoever was logged in.
    path("oauth/", include("accounts.oauth_urls")),
    path("oauth/", include("social_django.urls", namespace="social")),
    path("admin/", admin.site.urls),
]
