from django import template

from music.spotify import TimeRange

from ..pictures import placeholder_colour, placeholder_letter

register = template.Library()


@register.simple_tag
def sorted_scores(scores: dict) -> list[tuple[str, float]]:
    """(label, score) pairs, highest first."""
    return sorted((scores or {}).items(), key=lambda kv: kv[1], reverse=True)


@register.simple_tag
def time_range_label(time_range: str) -> str:
    return TimeRange(time_range).label if time_range in TimeRange.values else time_range


@register.inclusion_tag("analytics/_picture.html")
def picture(url: str | None, name: str, alt: str = "", round: bool = False, size: int = 56):  # noqa: A002
    """An image, or the name's placeholder when there is none; static/js/pictures.js swaps a
    picture that fails to load for the same placeholder."""
    return {
        "url": url,
        "alt": alt,
        "round": round,
        "size": size,
        "letter": placeholder_letter(name),
        "colour": placeholder_colour(name),
    }
