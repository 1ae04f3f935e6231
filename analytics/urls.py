from django.urls import path

from .views import dashboard, emotions, listening, lyrics

app_name = "analytics"

urlpatterns = [
    path("dashboard/", dashboard.dashboard_detail, name="dashboard"),
    path("dashboard/status/", dashboard.dashboard_status, name="dashboard-status"),
    path("dashboard/history/", dashboard.history_list, name="history"),
    path("dashboard/share.png", dashboard.share_image, name="share-image"),
    path("analytics/listening/", listening.listening_detail, name="listening"),
    path(
        "analytics/listening/artist/<str:artist_id>/",
        listening.listening_artist,
        name="listening-artist",
    ),
    path("analytics/my-data.zip", listening.data_download, name="data-download"),
    path("analytics/emotions/", emotions.emotion_paste, name="emotion-paste"),
    path("analytics/emotions/analyse.json", emotions.emotion_analyse_json, name="emotion-analyse"),
    path("analytics/mood/", emotions.mood_detail, name="mood-detail"),
    path("analytics/mood/refresh/", emotions.mood_refresh, name="mood-refresh"),
    path("analytics/mood/progress.json", emotions.mood_progress, name="mood-progress"),
    path("lyrics/", lyrics.lyrics_search, name="lyrics-search"),
    path("lyrics/genius/<int:song_id>/", lyrics.lyrics_genius_detail, name="lyrics-genius"),
    path("lyrics/track/<str:track_id>/", lyrics.lyrics_track_detail, name="lyrics-track"),
]
