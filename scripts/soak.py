"""Soak test: run the real session on a looping video and watch memory over time.

    python scripts/soak.py --video ../shared/data/videos/fer-woman2.mp4 --duration 1800

DeepFace users report memory growth when analysing in a loop (deepface#141, #537, #791).
This prints the process's resident memory every ``--every`` seconds, then the peak and the
drift: the last sample against the first one taken after a warm-up minute (or a tenth of the
run, for short runs). Paced like a camera (real time), silent sink.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import psutil


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=1800.0)
    parser.add_argument("--every", type=float, default=10.0)
    parser.add_argument("--engine", default="onnx")
    args = parser.parse_args()

    from emotune.config import Settings
    from emotune.session import FrameAnalysed, Session
    from emotune.vision.sources import VideoFileSource

    counts = {"frames": 0, "faces": 0}
    lock = threading.Lock()

    def listen(event: object) -> None:
        if isinstance(event, FrameAnalysed):
            with lock:
                counts["frames"] += 1
                counts["faces"] += event.reading.has_face

    source = VideoFileSource(args.video, paced=True, loop=True)
    source.open()
    session = Session(Settings(engine=args.engine), source, listen)
    process = psutil.Process()
    session.start()
    started = time.monotonic()
    warm = min(60.0, args.duration / 10)
    samples: list[tuple[float, float]] = []
    try:
        while (elapsed := time.monotonic() - started) < args.duration:
            time.sleep(min(args.every, args.duration - elapsed))
            rss = process.memory_info().rss / 2**20
            samples.append((time.monotonic() - started, rss))
            print(f"t={samples[-1][0]:7.0f} s  rss {rss:6.1f} MB  analysed {counts['frames']}", flush=True)
    finally:
        session.stop()
    after_warm = [s for s in samples if s[0] >= warm] or samples
    first, last = after_warm[0][1], after_warm[-1][1]
    peak = max(r for _, r in samples)
    print(f"duration {args.duration:.0f} s, analysed {counts['frames']} frames ({counts['frames'] / args.duration:.1f}/s), "
          f"faces {counts['faces']}")
    print(f"memory: peak {peak:.0f} MB; after warm-up {first:.0f} MB -> end {last:.0f} MB "
          f"(drift {100 * (last - first) / first:+.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
