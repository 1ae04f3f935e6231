from django.conf import settings
from django.db import models

from music.spotify import TimeRange


class EmotionAnalysis(models.Model):
    """One analysed text, so a title or lyric is never analysed twice by the same model.

    The text itself is not stored, only its sha256 (lyrics are copyrighted; titles are enough
    to find again through the rankings).
    """

    backend = models.CharField(max_length=32)
    model = models.CharField(max_length=200)
    text_sha256 = models.CharField(max_length=64)
    fine = models.JSONField(help_text="28 GoEmotions labels, 0..1 each")
    coarse = models.JSONField(help_text="7 coarse labels, summing to 1")
    top_label = models.CharField(max_length=32)
    chunks = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "emotion_analyses"
        constraints = [
            models.UniqueConstraint(
                fields=["backend", "model", "text_sha256"], name="emotion_analysis_unique_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.backend}:{self.text_sha256[:12]} {self.top_label}"


class Vibe(models.Model):
    """The mood of a user's top tracks for one time range."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vibes"
    )
    time_range = models.CharField(max_length=16, choices=TimeRange.choices)
    sentence = models.CharField(max_length=255)
    top = models.JSONField(help_text="[[label, score], ...] best first, neutral damped")
    fine = models.JSONField()
    coarse = models.JSONField()
    confidence = models.FloatField()
    confidence_level = models.CharField(max_length=8)
    analysed_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    lyrics_count = models.PositiveIntegerField(default=0)
    backends = models.JSONField(default=dict, help_text="{backend that answered: tracks}")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "vibes"
        constraints = [
            models.UniqueConstraint(fields=["user", "time_range"], name="vibe_unique_user_range")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.time_range}: {self.sentence}"

    @property
    def is_low_confidence(self) -> bool:
        return self.confidence_level == "low"
