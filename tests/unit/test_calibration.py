"""Per-listener calibration: the maths, the collector, and the file that holds the baseline."""

import json

import pytest

from emotune import calibration
from emotune.calibration import TARGET, Baseline, CalibrationError, Collector
from emotune.emotions import LABELS


def _dist(**weights: float) -> dict[str, float]:
    raw = {label: weights.get(label, 0.02) for label in LABELS}
    total = sum(raw.values())
    return {label: v / total for label, v in raw.items()}


SAD_RESTING = _dist(sad=0.55, neutral=0.25)


def test_the_baseline_itself_reads_as_the_target():
    baseline = Baseline(SAD_RESTING, 20, "2026-11-23T22:00:00")
    adjusted = baseline.adjust(SAD_RESTING, 1.0)
    assert adjusted == pytest.approx(TARGET, abs=1e-9)
    assert max(adjusted, key=adjusted.get) == "neutral"  # a resting face is no longer "sad"


def test_departures_from_the_baseline_move_the_reading_the_same_way():
    baseline = Baseline(SAD_RESTING, 20, "x")
    smiling = _dist(sad=0.3, happy=0.45, neutral=0.15)
    adjusted = baseline.adjust(smiling, 1.0)
    assert max(adjusted, key=adjusted.get) == "happy"
    assert adjusted["sad"] < smiling["sad"]
    assert sum(adjusted.values()) == pytest.approx(1.0)


def test_strength_zero_is_no_calibration_and_half_is_in_between():
    baseline = Baseline(SAD_RESTING, 20, "x")
    assert baseline.adjust(SAD_RESTING, 0.0) == SAD_RESTING
    half = baseline.adjust(SAD_RESTING, 0.5)
    assert TARGET["sad"] < SAD_RESTING["sad"] and TARGET["sad"] < half["sad"] < SAD_RESTING["sad"]


def test_a_near_zero_baseline_class_is_floored_not_blown_up():
    baseline = Baseline(_dist(neutral=0.9, disgust=0.0), 20, "x")
    adjusted = baseline.adjust(_dist(neutral=0.9, disgust=0.001), 1.0)
    assert adjusted["disgust"] < 0.5


def test_the_collector_takes_the_typical_face_and_needs_enough_of_them():
    collector = Collector(2.0, min_faces=3)
    assert not collector.add(10.0, SAD_RESTING)
    assert not collector.add(10.5, None)  # no face: counted as a reading, not averaged
    assert not collector.add(11.0, _dist(neutral=0.9))
    assert collector.remaining(11.0) == pytest.approx(1.0)
    with pytest.raises(CalibrationError, match="face in 2 of 3"):
        collector.result()
    assert collector.add(12.0, _dist(neutral=0.9))
    baseline = collector.result()
    assert baseline.faces == 3 and sum(baseline.probabilities.values()) == pytest.approx(1.0)
    # the median face: the one sad-looking reading among relaxed ones does not count
    assert baseline.probabilities == pytest.approx(_dist(neutral=0.9))


def test_a_smile_during_calibration_does_not_become_the_relaxed_face():
    collector = Collector(10.0, min_faces=3)
    relaxed, smile = _dist(neutral=0.6, sad=0.2), _dist(happy=0.9)
    for i, reading in enumerate([relaxed] * 6 + [smile] * 3):
        collector.add(float(i), reading)
    baseline = collector.result()
    assert max(baseline.probabilities, key=baseline.probabilities.get) == "neutral"
    assert baseline.probabilities["happy"] < 0.05


def test_save_load_clear_round_trip(tmp_path):
    path = tmp_path / "data" / "calibration.json"
    assert calibration.load(path) is None
    baseline = Baseline(SAD_RESTING, 12, "2026-11-23T22:00:00")
    calibration.save(path, baseline)
    assert calibration.load(path) == baseline
    assert "12 readings" in baseline.describe() and "sad 61%" in baseline.describe()
    assert [p.name for p in path.parent.iterdir()] == ["calibration.json"]  # no temp file left
    calibration.clear(path)
    assert not path.exists()
    calibration.clear(path)  # twice is fine


@pytest.mark.parametrize("text, why", [
    ("not json", "unusable"),
    (json.dumps({"probabilities": {"happy": 1.0}}), "expected the expressions"),
    (json.dumps({"probabilities": dict.fromkeys(LABELS, 0.5)}), "add up to"),
    (json.dumps({"probabilities": dict.fromkeys(LABELS, "x")}), "numbers from 0 to 1"),
    (json.dumps([1, 2]), "not a calibration"),
])
def test_a_broken_file_is_reported_and_left_alone(tmp_path, text, why):
    path = tmp_path / "calibration.json"
    path.write_text(text)
    with pytest.raises(CalibrationError, match=why):
        calibration.load(path)
    assert path.read_text() == text  # the listener's file is never rewritten by a load


def test_saving_into_a_read_only_folder_says_so(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(CalibrationError, match="cannot save"):
            calibration.save(folder / "calibration.json", Baseline(SAD_RESTING, 9, "x"))
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("default_calibration", [True, False])
def test_until_the_listener_calibrates_a_typical_relaxed_face_applies(default_calibration):
    """A new listener's resting face (read sad first, as strangers' neutral faces are through
    the app's crop) is read relative to DEFAULT_BASELINE: neutral. Their own calibration
    replaces it; ``default_calibration = false`` reads faces as the network sees them."""
    from emotune.config import Settings
    from emotune.session import Session
    from emotune.vision.analyzer import Reading

    resting = _dist(sad=0.30, neutral=0.27, angry=0.17, fear=0.15)
    assert max(resting, key=resting.get) == "sad"
    session = Session(Settings(default_calibration=default_calibration), None, lambda event: None)
    try:
        read = session._calibrated(Reading(1.0, (0, 0, 10, 10), resting)).probabilities
        if default_calibration:
            assert read == pytest.approx(calibration.typical().adjust(resting, 1.0))
            assert max(read, key=read.get) == "neutral"
        else:
            assert read == resting
        session.baseline = Baseline(SAD_RESTING, 20, "x")  # the listener calibrates
        own = session._calibrated(Reading(2.0, (0, 0, 10, 10), resting)).probabilities
        assert own == pytest.approx(session.baseline.adjust(resting, 1.0))
        assert own != pytest.approx(calibration.typical().adjust(resting, 1.0))
    finally:
        session.stop()


def test_the_default_baseline_is_a_distribution_over_the_labels():
    assert set(calibration.DEFAULT_BASELINE) == set(LABELS)
    assert sum(calibration.DEFAULT_BASELINE.values()) == pytest.approx(1.0, abs=1e-9)
    assert calibration.typical().adjust(calibration.DEFAULT_BASELINE, 1.0) == pytest.approx(TARGET, abs=1e-9)
