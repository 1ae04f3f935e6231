"""The import of Spotify's privacy export: generated exports in both real formats, on node B."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from music.models import Artist, Play, PlayImport, Track, TrackArtist
from music.services.export_files import EXTENDED
from music.services.export_plays import LOCAL_PREFIX, local_id, play_from_item, play_row
from music.services.plays import PlayRow, plays_store
from music.services.plays_import import (
    ImportRefused,
    play_import_claim,
    play_import_create,
    play_import_resume,
    play_import_run,
)
from personalify.testing.spotify_export import (
    ACCOUNT_FOLDER,
    EXTENDED_FOLDER,
    START,
    account_music,
    account_podcast,
    catalogue_entry,
    extended_episode,
    extended_items,
    extended_track,
    json_bytes,
    write_zip,
)

ARCHIVE = pytest.mark.django_db(databases=["default", "archive"])
pytestmark = ARCHIVE


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.PLAY_IMPORT_DIR = str(tmp_path / "imports")
    settings.PLAY_IMPORT_BATCH_SIZE = 100
    # In this thread: a test's data are in its transaction, which another thread cannot see.
    settings.PLAY_IMPORT_PIPELINE = False
    return Path(settings.PLAY_IMPORT_DIR)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def run_import(user, files, django_capture_on_commit_callbacks) -> PlayImport:
    """Create the import as the upload page does; its task runs in-process at the commit."""
    with django_capture_on_commit_callbacks(execute=True):
        job = play_import_create(user=user, files=files)
    job.refresh_from_db()
    return job


def zip_upload(tmp_path, files: dict, name: str = "my_spotify_data.zip") -> SimpleUploadedFile:
    return upload(name, write_zip(tmp_path / name, files).read_bytes())


def plays(user) -> list[Play]:
    return list(Play.objects.filter(spotify_id=user.spotify_id).order_by("played_at"))


def test_import_reads_a_zip_of_extended_history_when_spotify_sends_one(
    alice, tmp_path, import_dir, django_capture_on_commit_callbacks
):
    items = list(extended_items(250))
    files = {
        f"{EXTENDED_FOLDER}/Streaming_History_Audio_2024_0.json": items[:150],
        f"{EXTENDED_FOLDER}/Streaming_History_Audio_2024_1.json": items[150:],
        f"{EXTENDED_FOLDER}/Streaming_History_Video_2024.json": [extended_track(START, 1)] * 3,
        f"{EXTENDED_FOLDER}/ReadMeFirst_ExtendedStreamingHistory.pdf": b"%PDF-1.7 ...",
    }
    job = run_import(alice, [zip_upload(tmp_path, files)], django_capture_on_commit_callbacks)
    episodes = sum(1 for i in items if i["spotify_episode_uri"])
    short = sum(1 for i in items if i["ms_played"] < 30_000)
    assert job.state == PlayImport.State.DONE
    assert (job.files_total, job.files_done, job.plays_read, job.imported) == (2, 2, 250, 250)
    assert (job.podcasts, job.short_plays, job.videos_skipped) == (episodes, short, 3)
    assert job.files_skipped == [list(files)[3]]
    assert Play.objects.filter(spotify_id="alice-sp", source="export").count() == 250
    assert job.percent == 100 and job.problems == [] and job.error == ""
    assert list(import_dir.iterdir()) == []  # the upload is deleted after the import


def test_import_keeps_every_field_of_an_extended_history_play_when_imported(
    alice, tmp_path, django_capture_on_commit_callbacks
):
    item = extended_track(START, 3, skipped=True, ms_played=12_000, country="fr")
    item.update(shuffle=True, offline=True, incognito_mode=False, reason_start="clickrow")
    job = run_import(
        alice,
        [upload("Streaming_History_Audio_2024.json", json_bytes([item]))],
        django_capture_on_commit_callbacks,
    )
    play = Play.objects.get(spotify_id="alice-sp")
    entry = catalogue_entry(3)
    assert job.imported == 1
    assert (play.track_id, play.track_name, play.artist_name, play.album_name) == (
        entry["id"],
        entry["track"],
        entry["artist"],
        entry["album"],
    )
    assert play.played_at == START and play.ms_played == 12_000
    assert (play.country, play.platform, play.reason_start, play.reason_end) == (
        "FR",
        item["platform"],
        "clickrow",
        "fwdbtn",
    )
    assert (play.shuffle, play.skipped, play.offline, play.incognito) == (True, True, True, False)


def test_import_makes_catalogue_rows_from_names_when_tracks_are_unknown(
    alice, tmp_path, django_capture_on_commit_callbacks
):
    known = Artist.objects.create(id="4Z8W4fKeB5YxbusRsdQVPb", name="Artist 5")
    items = [extended_track(START + timedelta(minutes=i), n) for i, n in enumerate([5, 6, 5])]
    job = run_import(
        alice,
        [upload("Streaming_History_Audio_2024.json", json_bytes(items))],
        django_capture_on_commit_callbacks,
    )
    five, six = catalogue_entry(5), catalogue_entry(6)
    assert job.tracks_added == 2
    track = Track.objects.get(id=five["id"])
    assert (track.name, track.album_name) == (five["track"], five["album"])
    # An artist of the same exact name is that artist; an unknown one gets a row of its own.
    assert TrackArtist.objects.get(track=track).artist_id == known.id
    credit = TrackArtist.objects.get(track_id=six["id"])
    assert credit.artist_id == local_id(six["artist"])
    assert Artist.objects.get(id=credit.artist_id).name == six["artist"]


def test_import_reads_loose_account_data_files_when_uploaded_without_the_zip(
    alice, django_capture_on_commit_callbacks
):
    entry = catalogue_entry(1)
    Track.objects.create(id=entry["id"], name=entry["track"])
    artist = Artist.objects.create(id="0OdUWJ0sBjDrqHygGUXeCF", name=entry["artist"])
    TrackArtist.objects.create(track_id=entry["id"], artist=artist, position=0)
    music = [account_music(START + timedelta(minutes=5 * i), n) for i, n in enumerate([1, 2, 1])]
    podcasts = [account_podcast(START + timedelta(hours=5), 4)]
    job = run_import(
        alice,
        [
            upload("StreamingHistory_music_0.json", json_bytes(music)),
            upload("StreamingHistory_podcast_0.json", json_bytes(podcasts)),
        ],
        django_capture_on_commit_callbacks,
    )
    stored = plays(alice)
    assert (job.files_total, job.imported, job.podcasts) == (2, 4, 1)
    # Matched by exact names to the known track; the unknown one kept by its names.
    assert [p.track_id for p in stored[:3]] == [
        entry["id"],
        local_id("Artist 2", "Song 2"),
        entry["id"],
    ]
    assert Track.objects.get(id=local_id("Artist 2", "Song 2")).name == "Song 2"
    podcast = stored[3]
    assert (podcast.track_id, podcast.episode_name, podcast.episode_show_name) == (
        "",
        "Episode 4",
        "Show 1",
    )
    assert podcast.episode_uri.startswith(LOCAL_PREFIX)
    assert stored[0].played_at == START


def test_import_stores_podcast_episodes_of_extended_history_when_the_export_has_them(
    alice, django_capture_on_commit_callbacks
):
    items = [extended_episode(START, 1), extended_track(START + timedelta(hours=1), 2)]
    job = run_import(
        alice,
        [upload("Streaming_History_Audio_2024.json", json_bytes(items))],
        django_capture_on_commit_callbacks,
    )
    episode = plays(alice)[0]
    assert (job.podcasts, job.imported) == (1, 2)
    assert episode.episode_uri == items[0]["spotify_episode_uri"]
    assert (episode.episode_name, episode.episode_show_name) == ("Episode 1", "Show 1")


def test_import_fails_naming_the_file_when_the_zip_is_corrupt(
    alice, import_dir, django_capture_on_commit_callbacks
):
    good = write_zip(
        import_dir.parent / "x.zip",
        {"a/Streaming_History_Audio_2024.json": list(extended_items(10))},
    )
    broken = good.read_bytes()[:200] + b"\x00" * 50  # a cut download
    job = run_import(
        alice, [upload("my_spotify_data.zip", broken)], django_capture_on_commit_callbacks
    )
    assert job.state == PlayImport.State.FAILED
    assert "my_spotify_data.zip" in job.error and "zip" in job.error
    assert Play.objects.count() == 0
    assert list(import_dir.iterdir()) == []


def test_import_names_file_and_position_and_keeps_good_files_when_a_json_is_truncated(
    alice, django_capture_on_commit_callbacks
):
    good = list(extended_items(120, seed=1))
    later = list(extended_items(40, start=START + timedelta(days=30), seed=2))
    cut = json_bytes(later)
    cut = cut[: cut.index(b"\n", len(cut) // 2)]  # the file ends after a complete item
    complete = cut.count(b'"ts":')
    job = run_import(
        alice,
        [
            upload("Streaming_History_Audio_2024_0.json", json_bytes(good)),
            upload("Streaming_History_Audio_2024_1.json", cut),
        ],
        django_capture_on_commit_callbacks,
    )
    assert job.state == PlayImport.State.DONE
    [problem] = job.problems
    assert problem["file"] == "Streaming_History_Audio_2024_1.json"
    assert problem["position"] == complete and "truncated" in problem["message"]
    assert job.imported == 120 + complete == Play.objects.count()


def test_import_names_the_file_when_a_history_file_is_no_json_array(
    alice, django_capture_on_commit_callbacks
):
    job = run_import(
        alice,
        [
            upload("Streaming_History_Audio_2024_0.json", b'{"ts": 1}'),
            upload("StreamingHistory_music_0.json", json_bytes([account_music(START, 1)])),
        ],
        django_capture_on_commit_callbacks,
    )
    [problem] = job.problems
    assert problem["file"] == "Streaming_History_Audio_2024_0.json"
    assert "not a list of plays" in problem["message"]
    assert job.imported == 1


def test_import_counts_unreadable_items_and_goes_on_when_some_items_are_no_plays(
    alice, django_capture_on_commit_callbacks
):
    items = [extended_track(START, 1), {"ts": "yesterday"}, 42, extended_track(START, 2)]
    items[3]["ts"] = "2024-03-01T07:00:00Z"
    job = run_import(
        alice,
        [upload("Streaming_History_Audio_2024.json", json_bytes(items))],
        django_capture_on_commit_callbacks,
    )
    assert (job.plays_read, job.unreadable, job.imported) == (4, 2, 2)


def test_import_skips_other_files_of_the_export_when_they_are_no_history(
    alice, tmp_path, django_capture_on_commit_callbacks
):
    files = {
        f"{ACCOUNT_FOLDER}/Userdata.json": [{"username": "alice"}],
        f"{ACCOUNT_FOLDER}/Playlist1.json": [{"name": "x"}],
        f"{ACCOUNT_FOLDER}/StreamingHistory_music_0.json": [account_music(START, 1)],
    }
    job = run_import(alice, [zip_upload(tmp_path, files)], django_capture_on_commit_callbacks)
    assert (job.files_total, job.imported, job.problems) == (1, 1, [])
    assert sorted(job.files_skipped) == [
        f"{ACCOUNT_FOLDER}/Playlist1.json",
        f"{ACCOUNT_FOLDER}/Userdata.json",
    ]


def test_import_refuses_a_file_of_another_kind_when_uploaded(alice, import_dir):
    with pytest.raises(ImportRefused, match=r"notes\.txt: not a file of Spotify's export"):
        play_import_create(user=alice, files=[upload("notes.txt", b"hello")])
    assert PlayImport.objects.count() == 0
    assert not import_dir.exists() or list(import_dir.iterdir()) == []


def test_import_refuses_an_upload_when_it_is_over_the_size_limit(alice, settings):
    settings.PLAY_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportRefused, match="at most"):
        play_import_create(user=alice, files=[upload("StreamingHistory_music_0.json", b" " * 101)])
    assert PlayImport.objects.count() == 0


def test_import_adds_nothing_when_the_same_export_is_imported_twice(
    alice, tmp_path, django_capture_on_commit_callbacks
):
    files = {f"{EXTENDED_FOLDER}/Streaming_History_Audio_2024.json": list(extended_items(300))}
    first = run_import(alice, [zip_upload(tmp_path, files)], django_capture_on_commit_callbacks)
    again = run_import(alice, [zip_upload(tmp_path, files)], django_capture_on_commit_callbacks)
    assert (first.imported, first.already_there) == (300, 0)
    assert (again.imported, again.already_there) == (0, 300)
    assert Play.objects.count() == 300


def test_import_stores_a_play_once_when_two_files_repeat_it(
    alice, django_capture_on_commit_callbacks
):
    items = list(extended_items(30))
    job = run_import(
        alice,
        [
            upload("Streaming_History_Audio_2024_0.json", json_bytes(items)),
            upload("Streaming_History_Audio_2024_1.json", json_bytes(items[10:])),
        ],
        django_capture_on_commit_callbacks,
    )
    assert (job.plays_read, job.imported, job.already_there) == (50, 30, 20)


def test_import_recognises_account_data_plays_when_extended_history_has_them(
    alice, tmp_path, django_capture_on_commit_callbacks
):
    at = [START + timedelta(minutes=7 * i, seconds=23) for i in range(5)]
    extended = [extended_track(t, i) for i, t in enumerate(at)]
    account = [account_music(t, i) for i, t in enumerate(at)]  # the same plays, to the minute
    first = run_import(
        alice,
        [upload("Streaming_History_Audio_2024.json", json_bytes(extended))],
        django_capture_on_commit_callbacks,
    )
    second = run_import(
        alice,
        [upload("StreamingHistory_music_0.json", json_bytes(account))],
        django_capture_on_commit_callbacks,
    )
    assert (first.imported, second.imported, second.already_there) == (5, 0, 5)
    assert Play.objects.count() == 5


def test_import_recognises_plays_polled_from_recently_played_when_the_export_has_them(
    alice, django_capture_on_commit_callbacks
):
    entry = catalogue_entry(2)
    polled = START + timedelta(seconds=1, microseconds=512_000)  # the API's milliseconds
    plays_store(
        plays=[
            PlayRow(
                spotify_id="alice-sp",
                played_at=polled,
                track_id=entry["id"],
                ms_played=200_000,
                track_name=entry["track"],
                artist_name=entry["artist"],
            )
        ]
    )
    job = run_import(
        alice,
        [upload("Streaming_History_Audio_2024.json", json_bytes([extended_track(START, 2)]))],
        django_capture_on_commit_callbacks,
    )
    assert (job.imported, job.already_there) == (0, 1)


def test_import_resumes_from_its_cursor_when_the_worker_died_mid_import(
    alice, settings, import_dir, django_capture_on_commit_callbacks
):
    items = list(extended_items(450))
    files = [
        upload("Streaming_History_Audio_2024_0.json", json_bytes(items[:250])),
        upload("Streaming_History_Audio_2024_1.json", json_bytes(items[250:])),
    ]
    job = play_import_create(user=alice, files=files)  # not sent: the test is the worker
    attempt = play_import_claim(import_id=job.pk)

    def die_in_the_second_file(state: PlayImport) -> None:
        if state.plays_read > 250:
            raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        play_import_run(import_id=job.pk, attempt=attempt, on_checkpoint=die_in_the_second_file)
    job.refresh_from_db()
    assert job.state == PlayImport.State.RUNNING and (job.file_index, job.item_index) == (1, 100)
    assert Play.objects.count() == 350
    # Too soon: the worker may only be slow. Later, another worker takes the import over.
    assert play_import_resume() == []
    with (
        time_machine.travel(datetime.now(UTC) + timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert play_import_resume() == [job.pk]
    job.refresh_from_db()
    assert job.state == PlayImport.State.DONE and job.attempt == 2
    # Nothing read twice: the cursor, not a replay of the file, brought it to the end.
    assert (job.plays_read, job.imported, job.already_there) == (450, 450, 0)
    assert Play.objects.count() == 450
    assert list(import_dir.iterdir()) == []


def test_import_is_not_run_twice_when_a_live_worker_has_it(alice):
    job = play_import_create(
        user=alice,
        files=[upload("StreamingHistory_music_0.json", json_bytes([account_music(START, 1)]))],
    )
    assert play_import_claim(import_id=job.pk) == 1
    assert play_import_claim(import_id=job.pk) is None


def test_import_refuses_the_demo_user(demo_user):
    with pytest.raises(ImportRefused, match="read-only"):
        play_import_create(user=demo_user, files=[upload("a.json", b"[]")])


def test_export_zip_member_broken_mid_file_is_named_with_its_position(
    alice, tmp_path, django_capture_on_commit_callbacks
):
    path = write_zip(
        tmp_path / "my_spotify_data.zip",
        {
            "Streaming_History_Audio_2024_0.json": list(extended_items(50, seed=3)),
            "Streaming_History_Audio_2024_1.json": list(
                extended_items(400, seed=4, start=START + timedelta(days=9))
            ),
        },
    )
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("Streaming_History_Audio_2024_1.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 16] = b"\xff" * 16  # damaged bytes inside the compressed stream
    job = run_import(
        alice, [upload("my_spotify_data.zip", bytes(data))], django_capture_on_commit_callbacks
    )
    [problem] = job.problems
    assert problem["file"] == "my_spotify_data.zip/Streaming_History_Audio_2024_1.json"
    assert 0 < problem["position"] < 400
    assert job.imported >= 50 + problem["position"] - 1


@pytest.mark.django_db(transaction=True, databases=["default", "archive"])
def test_import_writes_in_a_thread_of_its_own_when_the_pipeline_is_on(alice, settings):
    settings.PLAY_IMPORT_PIPELINE = True
    items = list(extended_items(1000))
    files = [
        upload("Streaming_History_Audio_2024_0.json", json_bytes(items[:600])),
        upload("Streaming_History_Audio_2024_1.json", json_bytes(items[400:])),
    ]
    job = play_import_create(user=alice, files=files)  # committed: the task runs at once
    job.refresh_from_db()
    assert (job.state, job.plays_read, job.imported, job.already_there) == ("done", 1200, 1000, 200)
    assert Play.objects.count() == 1000 and job.file_index == 2


@pytest.mark.django_db(transaction=True, databases=["default", "archive"])
def test_import_waits_with_its_cursor_when_node_b_is_down(alice, settings, node_b_down):
    settings.PLAY_IMPORT_PIPELINE = True
    job = play_import_create(
        user=alice,
        files=[upload("Streaming_History_Audio_2024.json", json_bytes(extended_items(500)))],
    )
    job.refresh_from_db()
    assert job.state == PlayImport.State.QUEUED and "unavailable" in job.error.lower()
    assert (job.file_index, job.item_index, job.imported) == (0, 0, 0)
    assert job.upload_dir  # kept for the retry
    node_b_down()  # node B is back: the resume task's next run finishes it
    job.heartbeat_at = datetime.now(UTC) - timedelta(minutes=10)
    job.save()
    play_import_resume()
    job.refresh_from_db()
    assert (job.state, job.imported, job.error) == ("done", 500, "")


def test_play_row_fast_path_equals_the_dataclass_and_refuses_what_it_refuses():
    values = {
        "spotify_id": "a",
        "played_at": START,
        "track_id": "t",
        "ms_played": 5,
        "track_name": "x",
        "skipped": True,
    }
    assert play_row(dict(values)) == PlayRow(**values)
    for bad in (
        {"track_id": "t" * 65},
        {"track_name": "a\x00b"},
        {"track_id": ""},
        {"country": "DEU"},
    ):
        assert play_row({**values, **bad}) is None
        with pytest.raises(ValueError):
            PlayRow(**{**values, **bad})


EXTENDED_ITEM = {
    "ts": "2026-01-02T03:04:05Z",
    "ms_played": 185_000,
    "platform": " Android OS 14 ",
    "conn_country": "de",
    "master_metadata_track_name": "Song",
    "master_metadata_album_artist_name": "Band",
    "master_metadata_album_album_name": "Album",
    "spotify_track_uri": "spotify:track:abc",
    "reason_start": "trackdone",
    "reason_end": "endplay",
    "shuffle": False,
    "skipped": None,
    "offline": True,
    "incognito_mode": 1,
}


def test_play_from_item_reads_an_extended_item_as_the_dataclass_would():
    read = play_from_item(EXTENDED_ITEM, kind=EXTENDED, spotify_id="alice-sp")
    assert read.row == PlayRow(
        spotify_id="alice-sp",
        played_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        track_id="abc",
        ms_played=185_000,
        source="export",
        track_name="Song",
        artist_name="Band",
        album_name="Album",
        platform="Android OS 14",
        country="DE",
        reason_start="trackdone",
        reason_end="endplay",
        shuffle=False,
        skipped=None,
        offline=True,
        incognito=None,  # not a boolean
    )
    assert (read.podcast, read.needs_match) == (False, False)


@pytest.mark.parametrize(
    "bad",
    [
        {"master_metadata_track_name": "a\x00b"},
        {"master_metadata_album_artist_name": "a\x00"},
        {"master_metadata_album_album_name": "\x00"},
        {"platform": "x\x00"},
        {"reason_end": "\x00"},
        {"spotify_track_uri": "spotify:track:" + "t" * 65},
        {"platform": 5},
        {"ts": "yesterday"},
    ],
)
def test_play_from_item_refuses_an_extended_item_when_the_dataclass_would_refuse_it(bad):
    assert play_from_item({**EXTENDED_ITEM, **bad}, kind=EXTENDED, spotify_id="a").unreadable
