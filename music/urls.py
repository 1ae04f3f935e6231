from django.urls import path

from . import views

app_name = "music"

urlpatterns = [
    path("dashboard/", views.dashboard_detail, name="dashboard"),
    path("dashboard/status/", views.dashboard_status, name="dashboard-status"),
    path("dashboard/history/", views.history_list, name="history"),
    path("dashboard/share.png", views.share_image, name="share-image"),
]
