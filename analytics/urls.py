from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("emotions/", views.emotion_paste, name="emotion-paste"),
    path("emotions/analyse.json", views.emotion_analyse_json, name="emotion-analyse"),
    path("mood/", views.mood_detail, name="mood-detail"),
    path("mood/refresh/", views.mood_refresh, name="mood-refresh"),
    path("mood/progress.json", views.mood_progress, name="mood-progress"),
]
