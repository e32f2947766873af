"""`emotune bench`: both sides on the same frames, and our fast path agrees with the plain
``DeepFace.analyze`` loop on the dominant expression within a stated tolerance.

The fast path detects on a downscaled frame (then near the last face) and does not level
the face by OpenCV's eye cascade (see ``EmotionAnalyzer``), while DeepFace.analyze detects on
the whole frame padded to twice its size and levels it; the boxes differ by a few pixels and
on borderline faces (a grimace, a pout) the top two expressions swap. Measured on the first
60 frames: fer-test 98% (93% since the fast path stopped levelling), liveportrait-d3 70%
with the previous weights, 55% with the shipped network, which is more sensitive to the
crop on that grimace (0.5-1.5 s), and 60% unlevelled; on 120 frames and more see README,
Performance. With run 3 (shipped 2026-12-06) fer-test's faint smile sits between happy and
sad, and the two crops tip it either way on 6 of its first 45 faces (86.7%), 92.6% over the
whole clip: fer-test is now measured on all its 115 frames. Tolerances here: 85% and 50%,
and the same number of faces within 10% of the frames. No timing is asserted.
"""

import json

import pytest

from .helpers import emotune


@pytest.mark.parametrize(("video", "frames", "tolerance"),
                         [("fer-test.mp4", 115, 0.85), ("liveportrait-d3.mp4", 60, 0.5)])
def test_fast_path_agrees_with_plain_deepface(shared, video, frames, tolerance):
    run = emotune("bench", "--video", shared / "videos" / video, "--frames", str(frames), "--json", timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    result = run.lines[-1]
    assert {"ours_fps", "deepface_fps", "ratio", "agreement", "ours_peak_mb", "deepface_peak_mb",
            "network_ms"} <= set(result)
    assert result["network_ms"] > 0  # a figure to read, not a timing to hold (the machine decides it)
    assert result["ratio"] == pytest.approx(result["ours_fps"] / result["deepface_fps"], rel=0.02)
    assert result["deepface_engine"] == "onnx" and result["ours_engine"] == "onnx"
    assert abs(result["ours_faces"] - result["deepface_faces"]) <= 0.1 * frames
    assert result["agreement"] >= tolerance, json.dumps(result)
