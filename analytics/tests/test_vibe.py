import pytest

from analytics.labels import COARSE_LABELS, FINE_LABELS, coarse_from_fine
from analytics.vibe import PHRASES, vibe_read


def scores(**fine):
    f = dict.fromkeys(FINE_LABELS, 0.02)
    f.update(fine)
    return f, coarse_from_fine(f)


def test_every_label_has_a_distinct_phrase():
    assert set(PHRASES) == set(FINE_LABELS)
    assert len(set(PHRASES.values())) == len(FINE_LABELS)


def test_vibe_read_names_the_three_top_moods_in_a_sentence_when_they_are_close():
    tracks = [scores(sadness=0.8, love=0.7, desire=0.6)] * 6
    reading = vibe_read(tracks)
    assert reading.sentence == "Shades of soft sadness, tender love and quiet longing"


def test_vibe_read_names_one_mood_when_it_dominates():
    reading = vibe_read([scores(joy=0.9, excitement=0.2)] * 8)
    assert reading.sentence == "Mostly pure joy"
    assert reading.confidence_level == "high" and reading.note == ""


def test_vibe_read_confidence_is_low_when_top_labels_are_nearly_tied():
    reading = vibe_read([scores(anger=0.50, fear=0.49, sadness=0.48)] * 10)
    assert reading.confidence_level == "low"
    assert "anger, fear, sadness score almost the same" in reading.note


def test_vibe_read_confidence_is_low_when_only_one_track_was_read():
    reading = vibe_read([scores(joy=0.9)])
    assert reading.confidence_level == "low" and "too few tracks" in reading.note


def test_vibe_read_damps_neutral_so_it_does_not_drown_the_moods():
    tracks = [scores(neutral=0.9, sadness=0.4)] * 6
    reading = vibe_read(tracks)
    assert reading.top[0][0] == "sadness"
    assert reading.fine["neutral"] == pytest.approx(0.9 * 0.25)


def test_vibe_read_averages_scores_over_tracks():
    reading = vibe_read([scores(joy=0.8), scores(joy=0.4)])
    assert reading.fine["joy"] == pytest.approx(0.6)
    assert sum(reading.coarse.values()) == pytest.approx(1.0, abs=1e-3)
    assert set(reading.coarse) == set(COARSE_LABELS)


def test_vibe_read_says_so_when_no_track_could_be_read():
    reading = vibe_read([])
    assert reading.sentence.startswith("Not enough") and reading.confidence_level == "low"
