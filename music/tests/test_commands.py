"""Management commands: sync_spotify, flush_history_outbox, load_demo."""

from __future__ import annotations

import copy
import io
import itertools

import pytest
from django.core.management import CommandError, call_command

from accounts.models import DEMO_SPOTIFY_ID
from music.history import history_client_reset, sync_history_for_user
from music.models import HistoryOutbox, SyncState, UserArtist
from music.selectors import top_get
from personalify.testing.fakehttp import Reply
from personalify.testing.terminal import FakeTTY
from personalify.testing.users import spotify_user_make

pytestmark = pytest.mark.django_db


def test_sync_spotify_syncs_one_user_and_summarises_when_given_user(spotify_user):
    out = io.StringIO()
    call_command("sync_spotify", "--user", spotify_user.spotify_id, stdout=out)
    assert "Synced 1, failed 0, skipped 0" in out.getvalue()
    assert UserArtist.objects.filter(user=spotify_user).count() == 60


def test_sync_spotify_says_how_many_malformed_items_were_skipped_when_spotify_sends_some(
    spotify_user, fake_spotify
):
    items = copy.deepcopy(fake_spotify.catalogue.ranking("artists", "short_term"))
    items[0]["id"] = None
    fake_spotify.inject("/v1/me/top/artists", Reply(json={"items": items}))
    out = io.StringIO()
    call_command("sync_spotify", "--user", spotify_user.spotify_id, stdout=out)
    assert "Synced 1, failed 0, skipped 0" in out.getvalue()
    assert "1 malformed item(s) from Spotify (no id or name) were skipped." in out.getvalue()


def test_sync_spotify_syncs_only_the_given_range_when_given_time_range(spotify_user):
    call_command(
        "sync_spotify", "--user", spotify_user.spotify_id, "--time-range", "short_term",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert set(UserArtist.objects.values_list("time_range", flat=True)) == {"short_term"}


def test_sync_spotify_draws_a_progress_bar_when_on_a_terminal(spotify_user):
    err = FakeTTY()
    call_command("sync_spotify", "--user", spotify_user.spotify_id, stderr=err)
    assert "\r" in err.getvalue() and "1/1" in err.getvalue() and "testuser123" in err.getvalue()


def test_sync_spotify_prints_no_bar_when_not_on_a_terminal(spotify_user):
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_spotify", "--user", spotify_user.spotify_id, stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "\r" not in out.getvalue() and "Synced 1" in out.getvalue()


def test_sync_spotify_exits_non_zero_with_reasons_when_a_user_fails(
    spotify_user, fake_spotify, django_user_model
):
    django_user_model.objects.create(username="demo", spotify_id=DEMO_SPOTIFY_ID)
    spotify_user_make(fake_spotify, spotify_id="second")
    fake_spotify.not_allow_listed()
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 user"):
        call_command("sync_spotify", "--all", stdout=out)
    text = out.getvalue()
    assert "Synced 0, failed 2, skipped 0" in text  # --all leaves the demo out
    assert "failed: testuser123: This Spotify account is not on the app's allow-list" in text


def test_sync_spotify_reports_skipped_with_reason_when_already_syncing(spotify_user):
    from django.core.cache import cache

    from music.services.sync_lock import sync_lock_key

    cache.set(sync_lock_key(spotify_id=spotify_user.spotify_id), "x", 60)
    out = io.StringIO()
    call_command("sync_spotify", "--user", spotify_user.spotify_id, stdout=out)
    assert "skipped 1" in out.getvalue() and "already running" in out.getvalue()


def test_sync_spotify_fails_when_the_user_is_unknown(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("sync_spotify", "--user", "nobody", stdout=io.StringIO())


def test_flush_history_outbox_delivers_once_when_mongodb_is_back(
    spotify_user, settings, mongo_server
):
    from music.services import library_sync

    settings.MONGO_URI = "mongodb://127.0.0.1:9/"
    history_client_reset()
    try:
        library_sync(user=spotify_user)
        with pytest.raises(CommandError, match="unreachable"):
            call_command("flush_history_outbox", stdout=io.StringIO())
    finally:
        settings.MONGO_URI = mongo_server
        history_client_reset()
    out = io.StringIO()
    call_command("flush_history_outbox", stdout=out)
    assert "Delivered 3; 0 waiting." in out.getvalue()
    call_command("flush_history_outbox", stdout=io.StringIO())
    assert not HistoryOutbox.objects.exists()
    assert all(
        len(d["history"]) == 1 for d in sync_history_for_user(spotify_id=spotify_user.spotify_id)
    )


@pytest.mark.django_db(databases=["default", "archive"])
def test_load_demo_creates_the_demo_from_bundled_data_when_run(django_user_model):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    demo = django_user_model.objects.get(spotify_id=DEMO_SPOTIFY_ID)
    assert demo.is_demo and not demo.has_usable_password()
    payload = top_get(user=demo, time_range="short_term")
    assert payload["artists"][0]["name"] == "The Golden Foxes"  # music/demo_data/
    assert payload["genres_available"] is True
    assert SyncState.objects.filter(user=demo, status="ok").count() == 3
    assert "Demo user personalify-demo loaded" in out.getvalue()


@pytest.mark.django_db(databases=["default", "archive"])
def test_load_demo_is_idempotent_when_run_twice(django_user_model):
    call_command("load_demo", stdout=io.StringIO())
    counts = UserArtist.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert django_user_model.objects.filter(spotify_id=DEMO_SPOTIFY_ID).count() == 1
    assert UserArtist.objects.count() == counts


def test_sync_spotify_says_how_many_items_had_their_text_cleaned(spotify_user, fake_spotify):
    items = copy.deepcopy(fake_spotify.catalogue.ranking("artists", "short_term"))
    items[0]["name"] = "Nul\x00"
    fake_spotify.inject("/v1/me/top/artists", Reply(json={"items": items}))
    out = io.StringIO()
    call_command("sync_spotify", "--user", spotify_user.spotify_id, stdout=out)
    assert "Synced 1, failed 0, skipped 0" in out.getvalue()
    assert "1 item(s) from Spotify had text that cannot be stored" in out.getvalue()


@pytest.mark.django_db(databases=["default", "archive"])
def test_load_demo_generates_months_of_plays_with_one_gap_when_run(django_user_model):
    from datetime import timedelta

    from music.models import Play

    call_command("load_demo", stdout=io.StringIO())
    plays = Play.objects.filter(spotify_id=DEMO_SPOTIFY_ID)
    days = sorted({p.date() for p in plays.values_list("played_at", flat=True)})
    assert len(days) > 90 and plays.count() > 2000
    gaps = [(a, b) for a, b in itertools.pairwise(days) if b - a > timedelta(days=3)]
    assert len(gaps) == 1 and gaps[0][1] - gaps[0][0] == timedelta(days=11)
    assert plays.exclude(episode_uri="").exists() and plays.filter(skipped=True).exists()
    assert set(plays.values_list("source", flat=True)) == {"export", "api"}
    count = plays.count()
    call_command("load_demo", stdout=io.StringIO())  # replaced, not added to
    assert Play.objects.filter(spotify_id=DEMO_SPOTIFY_ID).count() == count
