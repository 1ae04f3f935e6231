"""Spotify's ranking windows: the one list of time ranges, used by the client, models and pages."""

from django.db import models


class TimeRange(models.TextChoices):
    """The ``time_range`` of Spotify's top lists, in the order pages show them."""

    SHORT = "short_term", "Last 4 weeks"
    MEDIUM = "medium_term", "Last 6 months"
    LONG = "long_term", "Last year"
