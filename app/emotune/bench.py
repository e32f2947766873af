"""``emotune bench``: our pipeline versus a plain ``DeepFace.analyze`` loop, same frames, one run.

Both sides run the same shipped network on DeepFace's ONNX engine (TensorFlow is no longer
part of the app), each in a child process of its own (this module with ``--worker``) so
that neither inherits the other's caches, on the same decoded frames, and each reports
frames per second, its labels per frame and its peak memory. The parent prints both, their ratio, and how often
the two agree on the dominant expression where both found a face.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import cv2


def read_frames(video: Path, limit: int | None) -> list:
    capture = cv2.VideoCapture(str(video))
    frames = []
    while limit is None or len(frames) < limit:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    if not frames:
        raise SystemExit(f"cannot read video {video}")
    return frames


def worker(side: str, video: Path, limit: int | None) -> dict:
    """Time one side on every frame (after one warm-up call); report as a dict."""
    frames = read_frames(video, limit)
    from emotune.config import Settings  # noqa: PLC0415
    from emotune.vision import model_store  # noqa: PLC0415
    from emotune.vision.analyzer import EmotionAnalyzer  # noqa: PLC0415
    from emotune.vision.engine import select_engine  # noqa: PLC0415

    settings = Settings()
    # ours: the app's fast path; plain: DeepFace.analyze with the opencv detector, the loop a
    # user would write (EmotionAnalyzer's "plain" method is exactly that call, with no face
    # as None and the largest face when there are several); both on the ONNX engine
    engine, detector, method = ((settings.engine, settings.detector, settings.method) if side == "ours"
                                else ("onnx", "opencv", "plain"))
    select_engine(engine)
    model_store.prepare(engine)
    analyzer = EmotionAnalyzer(detector, method)

    def analyze(frame):
        return analyzer.analyze(frame, 0.0).dominant

    analyze(frames[0])  # warm-up: the first call builds the graph (deepface#937)
    labels = []
    started = time.perf_counter()
    for frame in frames:
        labels.append(analyze(frame))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    frames_mb = sum(f.nbytes for f in frames) / 2**20
    result = {"side": side, "engine": engine, "frames": len(frames), "seconds": round(seconds, 3),
              "fps": round(len(frames) / seconds, 2), "peak_mb": round(peak_mb, 1),
              "frames_mb": round(frames_mb, 1), "labels": labels}
    if side == "ours":
        result["network_ms"] = round(network_ms(analyzer, frames[0]), 2)
    return result


def network_ms(analyzer, frame, repeats: int = 100) -> float:
    """Median milliseconds the emotion network (DeepFace's preprocessing and the ONNX graph:
    every network and pass the shipped file holds) takes for one face: what each analysed
    face costs beyond finding it, the figure that grows when the file averages more networks.
    The frame's centre square stands in for a face; the cost does not depend on what it shows."""
    h, w = frame.shape[:2]
    side = min(h, w) // 2
    face = frame[(h - side) // 2:(h + side) // 2, (w - side) // 2:(w + side) // 2]
    analyzer.classify_face(face)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        analyzer.classify_face(face)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2] * 1000


def _run_side(side: str, video: Path, limit: int | None) -> dict:
    cmd = [sys.executable, "-m", "emotune.bench", "--worker", side, "--video", str(video)]
    if limit:
        cmd += ["--frames", str(limit)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"bench worker {side} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(video: Path, limit: int | None = None) -> dict:
    ours = _run_side("ours", video, limit)
    plain = _run_side("plain", video, limit)
    both = [(a, b) for a, b in zip(ours["labels"], plain["labels"]) if a and b]
    agreement = sum(a == b for a, b in both) / len(both) if both else None
    return {
        "video": str(video),
        "frames": ours["frames"],
        "ours_fps": ours["fps"],
        "deepface_fps": plain["fps"],
        "ratio": round(ours["fps"] / plain["fps"], 2),
        "ours_engine": ours["engine"],
        "deepface_engine": plain["engine"],
        "ours_faces": sum(1 for a in ours["labels"] if a),
        "deepface_faces": sum(1 for b in plain["labels"] if b),
        "agreement": round(agreement, 3) if agreement is not None else None,
        "agreement_frames": len(both),
        "ours_peak_mb": ours["peak_mb"],
        "deepface_peak_mb": plain["peak_mb"],
        "frames_mb": ours["frames_mb"],  # the decoded frames each side holds, part of both peaks
        "network_ms": ours["network_ms"],
    }


def format_report(r: dict) -> str:
    return "\n".join([
        f"bench on {r['video']} ({r['frames']} frames, each side in its own process)",
        f"  ours (fast path, {r['ours_engine']}):        {r['ours_fps']:7.1f} frames/s  peak {r['ours_peak_mb']:.0f} MB  faces {r['ours_faces']}",
        f"  DeepFace.analyze ({r['deepface_engine']}): {r['deepface_fps']:7.1f} frames/s  peak {r['deepface_peak_mb']:.0f} MB  faces {r['deepface_faces']}",
        f"  ratio ours/plain: {r['ratio']:.2f}x; same dominant expression on {r['agreement']:.1%} of {r['agreement_frames']} frames both analysed"
        if r["agreement"] is not None else f"  ratio ours/plain: {r['ratio']:.2f}x",
        f"  (each peak includes the {r['frames_mb']:.0f} MB of decoded frames the bench holds in memory)",
        f"  the emotion network alone: {r['network_ms']:.2f} ms a face (median of 100, the shipped file's every pass)",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="emotune.bench")
    parser.add_argument("--worker", choices=["ours", "plain"], required=True)
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--frames", type=int)
    args = parser.parse_args(argv)
    print(json.dumps(worker(args.worker, args.video, args.frames)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
