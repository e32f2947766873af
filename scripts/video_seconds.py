"""Per-second dominant expression on each shared video, against the by-eye timelines.

    python scripts/video_seconds.py [--weights W.onnx] [--videos ../shared/data/videos]

Runs the real headless session on each video (the app's detector, crop, analysis rate) with
the shipped weights or ``--weights``, takes the most frequent dominant expression of the
faces analysed in each second, and prints a Markdown table: per video, the labelled
expression of each second (``tests/timelines``, the span covering its middle; "·" where
nobody can name it) above the network's. The model card shows it before and after a change
of weights: a table a person can read against the videos, where the per-frame accuracy is
one number.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

from emotune import scoring
from emotune.config import Settings
from emotune.training.evaluate import pin_weights

SHORT = {"angry": "ang", "disgust": "dis", "fear": "fea", "happy": "hap", "sad": "sad",
         "surprise": "sur", "neutral": "neu"}


def per_second(frames: list[tuple[float, str | None]], seconds: int) -> list[str]:
    out = []
    for s in range(seconds):
        votes = Counter(d for t, d in frames if s <= t < s + 1 and d is not None)
        out.append(SHORT[votes.most_common(1)[0][0]] if votes else "–")
    return out


def labelled(spans: list[scoring.Span], seconds: int) -> list[str]:
    out = []
    for s in range(seconds):
        hit = [sp.expression for sp in spans if sp.start <= s + 0.5 < sp.end]
        out.append(SHORT[hit[0]] if hit else "·")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", type=Path, help="an .onnx file (default: the shipped weights)")
    parser.add_argument("--videos", type=Path, default=Path("../shared/data/videos"))
    parser.add_argument("--timelines", type=Path, default=Path("tests/timelines"))
    args = parser.parse_args()
    if args.weights:
        pin_weights("onnx", args.weights)
    agree = total = 0
    print("| video | row | " + " | ".join(f"{s}" for s in range(16)) + " |")
    print("|---|---|" + "---|" * 16)
    for video in sorted(args.videos.glob("*.mp4")):
        timeline = args.timelines / f"{video.stem}.csv"
        if not timeline.is_file():
            continue
        spans = scoring.read_timeline(timeline)
        _, frames, _ = scoring.run_video(video, Settings())
        seconds = max(1, math.ceil(max((t for t, _ in frames), default=0.0)))
        eye, net = labelled(spans, seconds), per_second(frames, seconds)
        for e, n in zip(eye, net):
            if e != "·":
                total += 1
                agree += e == n
        print(f"| {video.stem} | by eye | " + " | ".join(eye) + " |")
        print("| | network | " + " | ".join(n if n == e or e == "·" else f"**{n}**" for e, n in zip(eye, net)) + " |")
    print(f"\nlabelled seconds where the network's dominant expression matches: {agree}/{total}"
          f" ({agree / max(1, total):.0%}); bold: a labelled second it reads otherwise; –: no face")
    return 0


if __name__ == "__main__":
    sys.exit(main())
