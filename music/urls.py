from django.urls import path

from . import dashboard_views, views

app_name = "music"

urlpatterns = [
    path("dashboard/sync/", views.sync_start, name="sync-start"),
    path("dashboard/sync/progress/", views.sync_progress, name="sync-progress"),
    path("demo/", views.demo_login, name="demo-login"),
    # The dashboard pages (dashboard stream).
    path("dashboard/", dashboard_views.dashboard_detail, name="dashboard"),
    path("dashboard/status/", dashboard_views.dashboard_status, name="dashboard-status"),
    path("dashboard/history/", dashboard_views.history_list, name="history"),
    path("dashboard/share.png", dashboard_views.share_image, name="share-image"),
]
