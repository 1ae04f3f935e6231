from django import template

from music.models import TIME_RANGE_CHOICES

register = template.Library()

TIME_RANGE_LABELS = dict(TIME_RANGE_CHOICES)


@register.simple_tag
def sorted_scores(scores: dict) -> list[tuple[str, float]]:
    """(label, score) pairs, highest first."""
    return sorted((scores or {}).items(), key=lambda kv: kv[1], reverse=True)


@register.simple_tag
def time_range_label(time_range: str) -> str:
    return TIME_RANGE_LABELS.get(time_range, time_range)
