"""The mood tracker: most common expression in a window, with hysteresis."""

import itertools

import pytest

from emotune.emotions import DEFAULT_MOOD_MAP
from emotune.config import Settings
from emotune.mood import MoodTracker

#: The shipped tracker settings: the guarantees below are about what a listener gets.
WINDOW, HOLD = Settings().window_seconds, Settings().hold_seconds

FPS = 15


def feed(tracker, labels, start=0.0, confidence=0.8):
    changes = []
    for i, label in enumerate(labels):
        change = tracker.update(start + i / FPS, label, confidence)
        if change:
            changes.append(change)
    return changes


def test_steady_noisy_face_settles_once_and_does_not_flap():
    tracker = MoodTracker(window=WINDOW, hold=HOLD)
    # 10 s of a smiling face where every third reading says neutral, plus one "sad" blip a second
    pattern = ["happy", "happy", "neutral"] * 4 + ["sad", "happy", "happy"]
    labels = list(itertools.islice(itertools.cycle(pattern), 10 * FPS))
    changes = feed(tracker, labels)
    assert [c.mood for c in changes] == [DEFAULT_MOOD_MAP["happy"]]
    assert changes[0].t == pytest.approx(HOLD, abs=0.15)  # settles after the hold time


def test_sustained_change_switches_within_two_seconds():
    tracker = MoodTracker(window=WINDOW, hold=HOLD)
    feed(tracker, ["happy"] * (5 * FPS))
    changes = feed(tracker, ["sad"] * (5 * FPS), start=5.0)
    assert [c.mood for c in changes] == [DEFAULT_MOOD_MAP["sad"]]
    assert changes[0].emotion == "sad" and changes[0].previous == "happy"
    assert 5.0 < changes[0].t <= 7.0


def test_short_burst_does_not_switch():
    tracker = MoodTracker(window=WINDOW, hold=HOLD)
    feed(tracker, ["happy"] * (5 * FPS))
    assert feed(tracker, ["angry"] * FPS, start=5.0) == []  # 1 s of anger inside a happy window
    assert tracker.mood == "happy"


def test_low_confidence_and_no_face_cast_no_vote():
    tracker = MoodTracker(window=WINDOW, hold=HOLD, min_confidence=0.5)
    assert feed(tracker, ["sad"] * (3 * FPS), confidence=0.3) == []
    feed(tracker, ["happy"] * (3 * FPS), start=3.0)
    assert feed(tracker, [None] * (10 * FPS), start=6.0) == []
    assert tracker.mood == "happy"


def test_labels_of_one_mood_pool_their_votes():
    tracker = MoodTracker(window=3.0, hold=0.5, mood_map={**DEFAULT_MOOD_MAP, "angry": "energetic", "surprise": "energetic"})
    changes = feed(tracker, ["angry", "surprise"] * (2 * FPS))
    assert [c.mood for c in changes] == ["energetic"]


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError):
        MoodTracker(window=0)


@pytest.mark.parametrize("fps", [15, 5, 3, 2])
@pytest.mark.parametrize("hold", [0.5, 0.75])
@pytest.mark.parametrize("steady_confidence, blip_confidence", [(0.8, 0.8), (0.5, 0.9), (0.3, 0.95)])
def test_a_one_second_blip_never_switches_however_confident(fps, hold, steady_confidence, blip_confidence):
    """Votes are weighted by confidence, so a confident blip in an unsure face used to win
    long enough to switch (hold 0.75 s: 1 s of anger at 0.9 in a face read happy at 0.5
    switched at 15 and 5 frames/s). A new mood now also needs more than a second of its own
    readings; a sustained change still switches within two seconds."""

    def run(seconds):
        tracker = MoodTracker(window=3.0, hold=hold, min_confidence=0.25)
        changes = []
        for start, label, conf, length in ((0.0, "happy", steady_confidence, 5.0),
                                           (5.0, "angry", blip_confidence, seconds),
                                           (5.0 + seconds, "happy", steady_confidence, 5.0)):
            for i in range(int(round(length * fps))):
                change = tracker.update(start + i / fps, label, conf)
                if change:
                    changes.append(change)
        return changes[1:]  # after the first mood

    assert run(1.0) == []
    sustained = run(3.0)
    assert sustained and sustained[0].mood == DEFAULT_MOOD_MAP["angry"] and 5.0 < sustained[0].t <= 7.0
