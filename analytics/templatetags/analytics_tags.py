from django import template

from music.spotify import TimeRange

from ..pictures import placeholder_colour, placeholder_letter

register = template.Library()

# A label whose share is under this is noise for a reader: it waits behind "Show all".
SHOWN_SHARE = 5
SHOWN_AT_LEAST = 3
BACKEND_NAMES = {
    "local": "Personalify's own emotion model, which runs on this server",
    "huggingface": "the GoEmotions model on Hugging Face",
}


@register.simple_tag
def sorted_scores(scores: dict) -> list[tuple[str, float]]:
    """(label, score) pairs, highest first."""
    return sorted((scores or {}).items(), key=lambda kv: kv[1], reverse=True)


@register.simple_tag
def scores_shown(scores: dict) -> dict:
    """Scores on one scale, each label's share of all the emotion read (percent, the shares
    add up to 100), highest first: ``shown`` holds the ones at or above ``SHOWN_SHARE`` (at
    least ``SHOWN_AT_LEAST``), ``rest`` the others."""
    total = sum(max(0.0, float(v)) for v in (scores or {}).values()) or 1.0
    ranked = [
        {"label": label, "percent": round(100 * max(0.0, float(value)) / total)}
        for label, value in sorted_scores(scores)
    ]
    cut = max(SHOWN_AT_LEAST, sum(1 for s in ranked if s["percent"] >= SHOWN_SHARE))
    return {"shown": ranked[:cut], "rest": ranked[cut:], "count": len(ranked)}


@register.simple_tag
def backend_name(backend: str) -> str:
    """The emotion backend in plain words."""
    return BACKEND_NAMES.get(backend, f"the {backend} model")


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
