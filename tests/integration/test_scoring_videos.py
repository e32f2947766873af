"""`emotune evaluate --video --timeline`: the real session scored on shared videos. The
figures are printed (the README shows them), not asserted: they measure the model."""

import json
from pathlib import Path

from .helpers import emotune

KEYS = {"mood_right", "reaction_median_s", "reaction_max_s", "spurious_per_min", "frame_accuracy"}


def test_scores_two_shared_videos_and_ends_with_one_json_object(shared, tmp_path):
    timelines = Path(__file__).resolve().parents[1] / "timelines"
    videos = tmp_path / "videos"
    videos.mkdir()
    for name in ("liveportrait-d0.mp4", "mparaguaia-captura-sentimentos.mp4"):
        (videos / name).symlink_to(shared / "videos" / name)
    run = emotune("evaluate", "--video", videos, "--timeline", timelines, "--json")
    assert run.returncode == 0, run.stderr[-2000:]
    result = run.lines[-1]
    assert KEYS <= set(result)
    assert 0 <= result["mood_right"] <= 1 and 0 <= result["frame_accuracy"] <= 1
    assert set(result["videos"]) == {"liveportrait-d0", "mparaguaia-captura-sentimentos", "all (time-weighted)"}
    print(json.dumps(result["videos"], indent=1))


def test_one_video_and_bad_arguments(shared, tmp_path):
    timelines = Path(__file__).resolve().parents[1] / "timelines"
    run = emotune("evaluate", "--video", shared / "videos" / "liveportrait-d0.mp4",
                  "--timeline", timelines / "liveportrait-d0.csv", "--json")
    assert run.returncode == 0 and KEYS <= set(run.lines[-1])
    bad = tmp_path / "bad.csv"
    bad.write_text("nope\n")
    run = emotune("evaluate", "--video", shared / "videos" / "liveportrait-d0.mp4", "--timeline", bad)
    assert run.returncode == 2 and "header" in run.stderr
    run = emotune("evaluate", "--video", shared / "videos" / "liveportrait-d0.mp4")
    assert run.returncode == 2 and "--timeline" in run.stderr
    run = emotune("evaluate", "--video", shared / "videos" / "liveportrait-d0.mp4",
                  "--timeline", timelines / "liveportrait-d0.csv", "--weights", tmp_path / "none.onnx")
    assert run.returncode == 2 and "no such file" in run.stderr


def test_calibrated_scoring_uses_each_videos_neutral_spans(shared):
    """--calibrate neutral: a baseline from the video's labelled neutral frames, then the
    whole video read through it; the frames are then read differently than without."""
    timelines = Path(__file__).resolve().parents[1] / "timelines"
    args = ("evaluate", "--video", shared / "videos" / "liveportrait-d3.mp4",
            "--timeline", timelines / "liveportrait-d3.csv", "--json")
    plain = emotune(*args)
    calibrated = emotune(*args, "--calibrate", "neutral")
    assert plain.returncode == 0 and calibrated.returncode == 0, calibrated.stderr[-2000:]
    assert KEYS <= set(calibrated.lines[-1])
    assert calibrated.lines[-1]["frame_accuracy"] != plain.lines[-1]["frame_accuracy"]
    print("plain", plain.lines[-1]["frame_accuracy"], "calibrated", calibrated.lines[-1]["frame_accuracy"])
    bad = emotune(*args, "--calibrate", "soon")
    assert bad.returncode == 2 and "none, neutral or a number" in bad.stderr
