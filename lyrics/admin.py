from django.contrib import admin

from .models import Lyrics, TrackLyrics


@admin.register(Lyrics)
class LyricsAdmin(admin.ModelAdmin):
    list_display = ("source", "source_id", "title", "artist", "status", "fetched_at")
    list_filter = ("source", "status")
    search_fields = ("title", "artist", "source_id")


@admin.register(TrackLyrics)
class TrackLyricsAdmin(admin.ModelAdmin):
    list_display = ("track", "status", "lyrics", "fetched_at", "retry_at")
    list_filter = ("status",)
    raw_id_fields = ("track", "lyrics")
