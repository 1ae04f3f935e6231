from django import template

from music.spotify import TimeRange

register = template.Library()


@register.simple_tag
def sorted_scores(scores: dict) -> list[tuple[str, float]]:
    """(label, score) pairs, highest first."""
    return sorted((scores or {}).items(), key=lambda kv: kv[1], reverse=True)


@register.simple_tag
def time_range_label(time_range: str) -> str:
    return TimeRange(time_range).label if time_range in TimeRange.values else time_range
