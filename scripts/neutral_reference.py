"""The calibration's two tables: what the shipped network says of relaxed faces.

    python scripts/neutral_reference.py [--faces 600]

Prints TARGET (its average reading of FER2013's neutral training faces, what a relaxed face
should read as) and DEFAULT_BASELINE (its average reading of muxspace's neutral faces through
the app's own detector and crop, the typical relaxed face a new listener is read against) for
``emotune/calibration.py``; run it again whenever the shipped emotion weights change (both
are what *this* network says of a relaxed face).
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import cv2
import numpy as np

from emotune.emotions import LABELS
from emotune.training.dataset import load_faces
from emotune.training.evaluate import app_crop, predict
from emotune.vision import model_store
from emotune.vision.analyzer import EmotionAnalyzer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/fer2013/train"))
    parser.add_argument("--faces", type=int, default=600)
    parser.add_argument("--muxspace", type=Path, default=Path("../shared/data/expressions/muxspace-faces"))
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
    print("TARGET = " + _table(rows))
    faces = load_faces(args.muxspace, size=48, crop=app_crop("onnx"))
    rows = predict(faces, "onnx")[faces.y == LABELS.index("neutral")].tolist()
    print(f"DEFAULT_BASELINE = {_table(rows)}  # {len(rows)} neutral muxspace faces found by the app's detector")


def _table(rows: list[list[float]]) -> str:
    mean = np.mean(rows, axis=0)
    mean /= mean.sum()
    # three decimals that still sum to exactly 1 (the calibration's tests hold the baseline
    # to the target): the largest share takes what rounding leaves over
    mean = np.round(mean, 3)
    mean[int(np.argmax(mean))] += 1.0 - mean.sum()
    return "{" + ", ".join(f'"{label}": {value:.3f}' for label, value in zip(LABELS, mean)) + "}"


if __name__ == "__main__":
    main()
