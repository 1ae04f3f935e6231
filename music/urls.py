from django.urls import path

from . import views

app_name = "music"

urlpatterns = [
    path("dashboard/sync/", views.sync_start, name="sync-start"),
    path("dashboard/sync/progress/", views.sync_progress, name="sync-progress"),
    path("listening/import/", views.import_list, name="import-list"),
    path(
        "listening/import/<int:import_id>/progress.json",
        views.import_progress,
        name="import-progress",
    ),
    path("demo/", views.demo_login, name="demo-login"),
]
