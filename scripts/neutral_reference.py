"""The calibration target: the shipped network's average reading of neutral faces.

    python scripts/neutral_reference.py [--faces 600]

Prints the TARGET table for ``emotune/calibration.py``; run it again whenever the shipped
emotion weights change (the target is what *this* network says of a relaxed face).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import cv2
import numpy as np

from emotune.emotions import LABELS
from emotune.vision import model_store
from emotune.vision.analyzer import EmotionAnalyzer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/fer2013/train"))
    parser.add_argument("--faces", type=int, default=600)
    args = parser.parse_args()
    model_store.prepare("onnx")
    analyzer = EmotionAnalyzer()
    files = sorted((args.data / "neutral").iterdir())
    random.Random(0).shuffle(files)
    rows = []
    for path in files[: args.faces]:
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        probs = analyzer.classify_face(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
        rows.append([probs[label] for label in LABELS])
    mean = np.mean(rows, axis=0)
    mean /= mean.sum()
    # three decimals that still sum to exactly 1 (the calibration's tests hold the baseline
    # to the target): the largest share takes what rounding leaves over
    mean = np.round(mean, 3)
    mean[int(np.argmax(mean))] += 1.0 - mean.sum()
    print("TARGET = {" + ", ".join(f'"{label}": {value:.3f}' for label, value in zip(LABELS, mean)) + "}")


if __name__ == "__main__":
    main()
