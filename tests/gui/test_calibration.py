""""Calibrate…" in the real window on a real video: countdown, the relaxed face stored as a
distribution in the data folder, shown in Settings and cleared from there."""

import json

from emotune.calibration import load
from emotune.emotions import LABELS


def test_calibrate_from_the_menu_then_clear_it_in_settings(make_window, qtbot, tmp_path):
    path = tmp_path / "data" / "calibration.json"
    window = make_window("liveportrait-d19.mp4", calibration_path=path)  # a relaxed face for 7.5 s
    window.COUNTDOWN, window.CALIBRATION_SECONDS = 1, 2.0
    qtbot.waitUntil(window.session.analyzer_ready.is_set, timeout=60000)
    window.start_calibration()
    assert "Calibrating in 1" in window.calibration_bar.text() and window.calibration_bar.isVisible()
    qtbot.waitUntil(lambda: window.calibration_bar.text().startswith("Calibrated"), timeout=20000)
    assert "readings" in window.calibration_bar.text()
    stored = json.loads(path.read_text())
    assert set(stored["probabilities"]) == set(LABELS) and stored["faces"] >= 8  # numbers, never a frame
    assert sorted(p.name for p in path.parent.iterdir()) == ["calibration.json"]
    assert load(path) == window.session.baseline
    window._show_rates()
    assert window.rates.text().endswith("· calibrated")

    dialog = window.open_settings()
    assert "readings" in dialog.calibration.text() and dialog.clear_calibration.isVisibleTo(dialog)
    dialog.clear_calibration.click()
    assert not path.exists() and window.session.baseline is None
    assert "cleared" in dialog.calibration.text()
    qtbot.waitUntil(lambda: "cleared" in window.calibration_bar.text().lower(), timeout=5000)
    dialog.reject()


def test_a_broken_calibration_file_is_shown_and_left_alone(make_window, qtbot, tmp_path):
    path = tmp_path / "calibration.json"
    path.write_text("{ half a file")
    window = make_window(calibration_path=path)
    qtbot.waitUntil(lambda: "calibration" in window.banner.text() and window.banner.isVisible(), timeout=10000)
    assert "unusable" in window.banner.text()
    assert window.session.baseline is None
    assert path.read_text() == "{ half a file"


def test_calibrate_without_a_camera_says_so(make_window, qtbot):
    window = make_window()
    window.session.source.stop()
    window.session.source = None  # as when the window started with no camera
    window.start_calibration()
    assert "needs a camera" in window.calibration_bar.text()
