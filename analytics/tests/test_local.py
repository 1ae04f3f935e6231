"""The offline backend on real inputs, with the real packaged models."""

import os

import numpy as np
import pytest

from analytics.backends.local import LocalBackend, local_model
from analytics.backends.plutchik import EMOTIONS, Forest, nade_preprocess
from analytics.labels import COARSE_LABELS, FINE_LABELS


@pytest.fixture(scope="module")
def analyse():
    backend = LocalBackend()
    return lambda text: backend.analyse([text])[0]


def test_local_scores_sadness_above_joy_when_line_is_sad(analyse):
    s = analyse("I cried all night, you left me alone and my heart is broken")
    assert s.coarse["sadness"] > s.coarse["joy"]
    assert s.fine["sadness"] > s.fine["joy"]


def test_local_scores_joy_above_sadness_when_line_is_happy(analyse):
    s = analyse("We are dancing in the sun, laughing, happy to be alive")
    assert s.coarse["joy"] > s.coarse["sadness"]
    assert max(s.coarse, key=s.coarse.get) == "joy"


def test_local_ranks_anger_first_when_line_is_furious(analyse):
    s = analyse("I'm furious, I hate your lies, I want to smash everything")
    assert max(s.coarse, key=s.coarse.get) == "anger"


def test_local_scores_fear_above_joy_when_line_is_frightening(analyse):
    s = analyse("I'm terrified, something is hiding in the dark and I can't breathe")
    assert s.coarse["fear"] > s.coarse["joy"]


def test_local_scores_love_above_anger_when_line_is_tender(analyse):
    s = analyse("I love you, darling, hold me close tonight")
    assert s.fine["love"] > s.fine["anger"]


def test_local_returns_all_labels_in_range_when_called(analyse):
    s = analyse("Highway 61")
    assert list(s.fine) == list(FINE_LABELS) and list(s.coarse) == list(COARSE_LABELS)
    assert all(0.0 <= v <= 1.0 for v in s.fine.values())
    assert sum(s.coarse.values()) == pytest.approx(1.0, abs=1e-3)


def test_local_splits_lyrics_into_chunks_when_text_is_long(analyse):
    stanza = "\n".join(["Tears are falling on the window, I am so alone tonight"] * 8)
    s = analyse("\n\n".join([stanza] * 4))
    assert s.chunks >= 4
    assert s.coarse["sadness"] > s.coarse["joy"]


def test_local_model_loads_once_per_process_and_stays_offline_when_used(analyse):
    analyse("hello")
    assert local_model() is local_model()
    assert os.environ.get("HF_HUB_OFFLINE") == "1"


def test_forest_matches_lightgbm_when_evaluating_nade_regressors():
    lightgbm = pytest.importorskip("lightgbm")  # installed with nade, never imported by the app
    import gzip

    from analytics.backends.minilm import package_dir

    path = package_dir("nade") / "data/socialmedia_en/reg_sadness.txt.gz"
    with gzip.open(path, "rt") as fh:
        text = fh.read()
    x = np.random.default_rng(0).dirichlet(np.ones(151), size=50)
    expected = lightgbm.Booster(model_str=text).predict(x)
    assert np.allclose(Forest(text).predict(x), expected, atol=1e-9)


def test_nade_preprocess_matches_nade_when_text_has_punctuation():
    pa = pytest.importorskip("pyarrow")
    import nade

    texts = ["Hello,world!  I'm OK...", "  Wait -- what?! ¿Qué?\n “quoted” "]
    assert [nade_preprocess(t) for t in texts] == nade.Nade.preprocess(texts).to_pylist()
    assert pa  # the reference implementation ran


def test_plutchik_rows_follow_emotion_order_when_predicting():
    scores = local_model().plutchik.predict(["I am so happy today!", "I hate you"])
    joy, anger = EMOTIONS.index("joy"), EMOTIONS.index("anger")
    assert scores[0, joy] > scores[0, anger] and scores[1, anger] > scores[1, joy]
