"""The headless mode on real shared videos with the real shipped weights and DeepFace."""

import json
import shutil

import cv2
import pytest

from emotune.emotions import DEFAULT_MOOD_MAP, LABELS

from .helpers import emotune


@pytest.fixture(scope="module")
def fer_test_run(shared):
    return emotune("--headless", "--video", shared / "videos" / "fer-test.mp4")


def test_smiling_woman_gives_the_happy_mood(fer_test_run):
    run = fer_test_run
    assert run.returncode == 0, run.stderr
    summary = run.summary
    assert summary["frames_read"] == 115
    assert summary["dominant_mood"] == DEFAULT_MOOD_MAP["happy"]
    assert summary["faces_found"] >= 0.8 * summary["frames_analysed"] > 0
    moods = run.of_type("mood")
    # she looks down at her phone for the first second (read as sad by the model), then smiles
    assert moods and moods[-1]["emotion"] == "happy" and moods[-1]["mood"] == DEFAULT_MOOD_MAP["happy"]
    assert len(moods) <= 2  # no flapping on a steady smile


def test_json_lines_have_the_documented_fields(fer_test_run):
    frames = fer_test_run.of_type("frame")
    assert len(frames) == fer_test_run.summary["frames_analysed"]
    with_face = [f for f in frames if f["face"]]
    assert set(with_face[0]["face"]) == {"x", "y", "w", "h"}
    assert set(with_face[0]["probabilities"]) == set(LABELS)
    assert abs(sum(with_face[0]["probabilities"].values()) - 1) < 0.01
    assert with_face[0]["dominant"] in LABELS
    mood = fer_test_run.of_type("mood")[0]
    assert {"t", "emotion", "mood", "playlist", "track"} <= set(mood)
    started = fer_test_run.of_type("track_started")
    assert started and started[0]["mood"] == fer_test_run.of_type("mood")[0]["mood"]
    assert started[0]["path"].endswith(".ogg") and started[0]["title"]


def test_a_photo_without_a_face_gives_no_face_and_no_mood(shared, tmp_path):
    image = cv2.imread(str(shared / "faces" / "fer-no-faces.jpg"))
    video = tmp_path / "no-face.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (image.shape[1], image.shape[0]))
    for _ in range(30):
        writer.write(image)
    writer.release()
    run = emotune("--headless", "--video", video, "--calibrate", "2")
    assert run.returncode == 0, run.stderr
    [calibration] = run.of_type("calibration")  # no face to calibrate on: said, and nothing kept
    assert calibration["state"] == "failed" and "needs your face in view" in calibration["message"]
    assert run.summary["frames_analysed"] > 0
    assert run.summary["faces_found"] == 0
    assert run.summary["mood_changes"] == 0 and run.summary["dominant_mood"] is None
    assert not run.of_type("mood") and not run.of_type("track_started")


def test_calibrating_on_the_opening_changes_every_later_reading(shared, tmp_path):
    """liveportrait-d19 is neutral for its first 2.7 s (tests/timelines). Calibrated on its
    first 2.5 s, the readings after it are the network's reweighted (the maths is in
    tests/unit/test_calibration.py; whether it reads more faces right is measured by
    `emotune evaluate --calibrate`, README)."""
    video = shared / "videos" / "liveportrait-d19.mp4"
    plain = emotune("--headless", "--video", video, "--analysis-fps", "0")
    calibrated = emotune("--headless", "--video", video, "--calibrate", "2.5", "--analysis-fps", "0")
    assert plain.returncode == 0 and calibrated.returncode == 0, calibrated.stderr
    [done] = calibrated.of_type("calibration")
    assert done["state"] == "done" and "readings" in done["message"]
    assert not plain.of_type("calibration")
    # before the calibration ends both runs read the first faces alike; after it, the
    # readings of the same frames differ (the reweighting itself is unit-tested)
    first = lambda run: [f["probabilities"] for f in run.of_type("frame") if f["t"] < 1.0][:3]  # noqa: E731
    assert first(calibrated) == first(plain)
    raw = {f["t"]: f["probabilities"] for f in plain.of_type("frame") if f["probabilities"]}
    later = [(raw[f["t"]], f["probabilities"]) for f in calibrated.of_type("frame")
             if f["t"] > 2.7 and f["probabilities"] and f["t"] in raw]
    assert len(later) > 20
    assert sum(before != now for before, now in later) > 0.9 * len(later)
    for frame in calibrated.of_type("frame"):
        if frame["probabilities"]:
            assert sum(frame["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    bad = emotune("--headless", "--video", video, "--calibrate", "-1")
    assert bad.returncode == 2 and "--calibrate" in bad.stderr


def test_missing_and_corrupt_videos_exit_with_one_line(tmp_path):
    run = emotune("--headless", "--video", tmp_path / "missing.mp4")
    assert run.returncode == 2 and run.stderr.strip().count("\n") == 0
    assert "video not found" in run.stderr
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(bytes(4096))
    run = emotune("--headless", "--video", bad)
    assert run.returncode == 2 and "cannot read video" in run.stderr


def _data_dir_with(tmp_path, corrupt_checksum: bool):
    """A copy of the app's data with garbage ONNX weights (with or without a matching checksum)."""
    from emotune.resources import data_root
    from emotune.vision.model_store import sha256

    root = tmp_path / "data"
    shutil.copytree(data_root() / "assets", root / "assets")
    models = root / "assets" / "models"
    onnx = models / "facial_expression_model_weights.onnx"
    onnx.write_bytes(b"this is not an onnx graph" * 100)
    if not corrupt_checksum:
        sums = (models / "SHA256SUMS").read_text().splitlines()
        (models / "SHA256SUMS").write_text("\n".join(
            f"{sha256(onnx)}  {onnx.name}" if line.endswith(onnx.name) else line for line in sums) + "\n")
    return root


def test_damaged_shipped_weights_exit_with_advice(shared, tmp_path):
    env = {"EMOTUNE_DATA_DIR": str(_data_dir_with(tmp_path, corrupt_checksum=True)), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    run = emotune("--headless", "--video", shared / "videos" / "fer-test.mp4", env=env)
    assert run.returncode == 3 and "damaged" in run.stderr and "reinstall" in run.stderr


def test_unloadable_weights_exit_with_advice(shared, tmp_path):
    env = {"EMOTUNE_DATA_DIR": str(_data_dir_with(tmp_path, corrupt_checksum=False)), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    run = emotune("--headless", "--video", shared / "videos" / "fer-test.mp4", env=env)
    assert run.returncode == 4
    assert "could not load the emotion weights" in run.stderr
    assert run.summary["frames_analysed"] == 0


def test_the_retired_tensorflow_engine_is_refused_with_the_reason(shared, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('engine = "tensorflow"\n')
    run = emotune("--headless", "--video", shared / "videos" / "fer-test.mp4", "--settings", settings)
    assert run.returncode == 0, run.stderr  # a bad value: reported, the default used, the file kept
    assert "engine" in run.stderr and settings.read_text() == 'engine = "tensorflow"\n'
    assert run.summary["frames_analysed"] > 0


def test_out_file_and_a_broken_settings_file(shared, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("this is = = not toml")
    out = tmp_path / "run.jsonl"
    run = emotune("--headless", "--video", shared / "videos" / "liveportrait-d0.mp4", "--out", out,
                  "--settings", settings)
    assert run.returncode == 0, run.stderr
    assert "could not be read" in run.stderr and "left as it is" in run.stderr
    assert settings.read_text() == "this is = = not toml"  # a run never changes the listener's file
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[-1]["summary"]["frames_read"] == 78
    assert run.lines == []  # everything went to the file


def test_sigterm_still_writes_the_summary(shared, tmp_path):
    """Headless runs under a supervisor get SIGTERM: stop the threads and say what happened."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "emotune", "--headless", "--realtime", "--video",
                             str(shared / "videos" / "fer-woman2.mp4"), "--out", str(out)],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or '"frame"' not in out.read_text()):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr[-2000:]
    last = json.loads(out.read_text().splitlines()[-1])
    assert last["summary"]["end_reason"] == "terminated" and last["summary"]["frames_analysed"] > 0
    assert "Traceback" not in stderr


def test_a_cut_video_and_bad_sources_exit_2_with_a_reason(shared, tmp_path):
    whole = (shared / "videos" / "mparaguaia-captura-sentimentos.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[:250_000])
    run = emotune("--headless", "--video", cut)
    assert run.returncode == 2 and "ended early" in run.stderr, run.stderr[-1500:]
    assert "ended early" in run.summary["end_reason"]
    for args, words in ((["--camera", "-1"], "is not valid"),
                        (["--video", shared / "music" / "kevin-macleod-vibe-ace.ogg"], "audio file"),
                        (["--video", shared / "faces" / "fer-justin.jpg"], "still image")):
        run = emotune("--headless", *args)
        assert run.returncode == 2 and words in run.stderr, (args, run.returncode, run.stderr[-800:])
        assert "Traceback" not in run.stderr
