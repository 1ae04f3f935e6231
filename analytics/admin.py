from django.contrib import admin

from .models import EmotionAnalysis, Vibe


@admin.register(EmotionAnalysis)
class EmotionAnalysisAdmin(admin.ModelAdmin):
    list_display = ("text_sha256", "backend", "model", "top_label", "chunks", "created_at")
    list_filter = ("backend", "model", "top_label")
    search_fields = ("text_sha256",)


@admin.register(Vibe)
class VibeAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "time_range",
        "sentence",
        "confidence_level",
        "analysed_count",
        "updated_at",
    )
    list_filter = ("time_range", "confidence_level")
    list_select_related = ("user",)
