"""Train and cross-validate the music mood model on the labelled excerpts.

    python scripts/music_mood.py --data ../shared/data/music-moods [--write assets/models/music_mood.json]

Reads every excerpt, computes ``emotune.music.audio_mood.features``, and prints the
accuracy of the top mood and of arousal (high: happy, energetic, tense; low: calm, sad;
the model's arousal, the summed probability of the high moods, above one half)
under repeated stratified 5-fold cross-validation, beside the majority baseline (always
"calm") on the same folds. With ``--write`` it fits on all excerpts and writes the model
the app ships (weights only: the excerpts are research data and never shipped).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np

from emotune.emotions import MOODS
from emotune.music.audio_mood import MoodModel, features, load_audio

HIGH = {"happy", "energetic", "tense"}


def _weights(y: np.ndarray) -> np.ndarray:
    """Each mood weighs the same in total: a rare mood (sad, 21 of 200) is not ignored."""
    counts = np.bincount(y, minlength=len(MOODS)).astype(float)
    return 1.0 / counts[y]


def folds(y: np.ndarray, k: int, seed: int) -> list[np.ndarray]:
    """Stratified: each mood's items dealt round-robin into k folds after a shuffle."""
    rng = np.random.default_rng(seed)
    assignment = np.empty(len(y), int)
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        assignment[idx] = np.arange(len(idx)) % k
    return [np.flatnonzero(assignment == f) for f in range(k)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data/music-moods"))
    parser.add_argument("--l2", type=float, nargs="*", default=[0.3, 1.0, 3.0, 10.0, 30.0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--choose", choices=["accuracy", "balanced"], default="balanced",
                        help="pick the setting by top-mood accuracy or by mean recall over the five moods")
    args = parser.parse_args()
    rows = list(csv.DictReader((args.data / "labels.csv").open()))
    started = time.monotonic()
    x = np.array([features(load_audio(args.data / r["file"])) for r in rows])
    y = np.array([MOODS.index(r["top"]) for r in rows])
    print(f"{len(rows)} excerpts, features in {time.monotonic() - started:.0f} s; "
          f"top moods: {', '.join(f'{m} {int((y == i).sum())}' for i, m in enumerate(MOODS))}")
    high = np.array([MOODS[i] in HIGH for i in y])
    results = {}
    for l2 in args.l2:
        for weighted in ("", "balanced"):
            right = arousal = base = base_arousal = total = 0
            per = np.zeros((len(MOODS), 2))
            for repeat in range(args.repeats):
                for test in folds(y, 5, repeat):
                    train = np.setdiff1d(np.arange(len(y)), test)
                    model = MoodModel.fit(x[train], y[train], l2, weights=_weights(y[train]) if weighted else None)
                    probs = model.probabilities(x[test])
                    pred = probs.argmax(axis=1)
                    right += (pred == y[test]).sum()
                    # the arousal the app stores: the probability of the high-energy moods
                    up = probs[:, [MOODS.index(m) for m in sorted(HIGH)]].sum(axis=1) > 0.5
                    arousal += (up == high[test]).sum()
                    majority = np.bincount(y[train]).argmax()
                    base += (y[test] == majority).sum()
                    base_arousal += (high[test] == (MOODS[majority] in HIGH)).sum()
                    total += len(test)
                    for t, p in zip(y[test], pred):
                        per[t] += (p == t, 1)
            key = f"l2={l2:g} {weighted}".strip()
            balanced = float(np.mean(per[:, 0] / per[:, 1]))
            recall = ", ".join(f"{m} {per[i, 0] / per[i, 1]:.0%}" for i, m in enumerate(MOODS))
            print(f"{key:<18} top mood {right / total:.1%} (always calm {base / total:.1%})  "
                  f"arousal {arousal / total:.1%} (always calm {base_arousal / total:.1%})  "
                  f"mean recall {balanced:.1%} (always calm 20.0%): {recall}")
            results[key] = balanced if args.choose == "balanced" else right / total
    best = max(results, key=results.get)
    print(f"best: {best} ({results[best]:.1%})")
    if args.write:
        l2 = float(best.split()[0].split("=")[1])
        model = MoodModel.fit(x, y, l2, weights=_weights(y) if "balanced" in best else None)
        data = {**model.to_json(), "trained_on": f"{len(rows)} excerpts of {args.data.name}",
                "l2": l2, "balanced": "balanced" in best, "chosen_by": args.choose,
                "cv_score": round(results[best], 3)}
        args.write.write_text(json.dumps(data, indent=1) + "\n")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
