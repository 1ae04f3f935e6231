"""The read-only demo account, synced from bundled Spotify-shaped JSON (``music/demo_data/``).

The bundled files are read by ``BundledSpotifyClient``, the real client with its transport
replaced, so the demo goes through the real parsing and the real sync pipeline.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import DEMO_SPOTIFY_ID
from music.models import Play, Track
from music.services.plays import PlayRow, plays_delete_for_user, plays_store
from music.spotify.bundled import BundledSpotifyClient

from .sync import SyncResult, library_sync

DEMO_DATA_DIR = Path(__file__).resolve().parent.parent / "demo_data"


def demo_load() -> SyncResult:
    """Create (or refresh) the demo user and sync it from the bundled data. Idempotent."""
    client = BundledSpotifyClient(data_dir=DEMO_DATA_DIR)
    profile = client.me()
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(
            spotify_id=DEMO_SPOTIFY_ID,
            defaults={"username": DEMO_SPOTIFY_ID, "display_name": profile.display_name},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    return library_sync(user=user, client=client)


# The demo's listening history: generated, a few months up to today, with one gap.
DEMO_HISTORY_DAYS = 120
DEMO_GAP = (70, 80)  # days before today: nothing stored (as when polling was down)
DEMO_SHOWS = [("The Daily Groove", 6), ("Sound Science", 4)]  # (show, episodes)


def demo_listening_load(*, today: date | None = None, seed: int = 11) -> int:
    """Replace the demo user's plays with a generated history of ``DEMO_HISTORY_DAYS`` days up
    to ``today`` (its tracks from the demo's rankings, a few podcasts, skips, three platforms,
    two countries), imported-export plays before a 10-day gap and polled plays after it, so
    every statistic, and the gap, show offline. Returns the plays stored."""
    user = get_user_model().objects.get(spotify_id=DEMO_SPOTIFY_ID)
    tracks = list(
        Track.objects.filter(rankings__user=user)
        .distinct()
        .order_by("id")
        .prefetch_related("credits__artist")
    )
    if not tracks:
        return 0
    today = today or timezone.now().date()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    # A taste: a few tracks played much more than the rest.
    weights = [1 / (1 + rank) ** 0.8 for rank in range(len(tracks))]
    rng.shuffle(weights)
    rows: list[PlayRow] = []
    first_day = today - timedelta(days=DEMO_HISTORY_DAYS)
    for offset in range(DEMO_HISTORY_DAYS):
        day = first_day + timedelta(days=offset)
        days_before = (today - day).days
        if DEMO_GAP[0] <= days_before < DEMO_GAP[1]:
            continue
        source = Play.Source.EXPORT if days_before >= DEMO_GAP[1] else Play.Source.API
        weekend = day.weekday() >= 5
        sessions = [(8, 40), (18, 120)] if not weekend else [(11, 180)]
        for start_hour, minutes in sessions:
            moment = datetime.combine(day, time(start_hour), tzinfo=UTC) + timedelta(
                minutes=rng.randrange(0, 50)
            )
            end = moment + timedelta(minutes=minutes + rng.randrange(-20, 40))
            while moment < end:
                rows.append(_demo_play(user.spotify_id, moment, rng, tracks, weights, source))
                moment += timedelta(milliseconds=rows[-1].ms_played + rng.randrange(500, 4000))
        if day.weekday() in (1, 4):  # podcasts on the commute
            show, episodes = DEMO_SHOWS[day.weekday() == 4]
            number = offset // 7 % episodes + 1
            rows.append(
                PlayRow(
                    spotify_id=user.spotify_id,
                    source=source,
                    track_id="",
                    played_at=datetime.combine(day, time(7, 45), tzinfo=UTC),
                    ms_played=rng.randrange(900_000, 2_400_000),
                    episode_show_name=show,
                    episode_name=f"{show}, episode {number}",
                    episode_uri=f"demo:episode:{DEMO_SHOWS.index((show, episodes))}:{number}",
                    platform="Android OS 14" if source == Play.Source.EXPORT else "",
                )
            )
    plays_delete_for_user(spotify_id=user.spotify_id)
    return plays_store(plays=rows).inserted


def _demo_play(
    spotify_id: str, moment: datetime, rng: random.Random, tracks, weights, source: str
) -> PlayRow:
    track = rng.choices(tracks, weights)[0]
    length = track.duration_ms or 200_000
    skipped = rng.random() < 0.08
    ms = rng.randrange(3_000, 28_000) if skipped else length
    exported = source == Play.Source.EXPORT
    credited = list(track.credits.all())
    return PlayRow(
        spotify_id=spotify_id,
        played_at=moment + timedelta(milliseconds=ms),
        track_id=track.id,
        ms_played=ms,
        source=source,
        track_name=track.name,
        album_name=track.album_name,
        artist_name=credited[0].artist.name if credited else "",
        platform=rng.choice(["Android OS 14", "iOS 17.4", "Windows 10"]) if exported else "",
        country=rng.choice(["DE", "DE", "DE", "NL"]) if exported else "",
        skipped=skipped if exported else None,
        reason_end=("fwdbtn" if skipped else "trackdone") if exported else "",
    )
