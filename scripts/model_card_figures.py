"""Print the figures of assets/models/MODEL_CARD.md: our shipped weights and the mini-Xception
baseline, scored by the same evaluation on the same faces.

    python scripts/model_card_figures.py [--shared ../shared/data] > /tmp/figures.md

Each evaluation runs ``emotune evaluate … --json`` in a child process (DeepFace fixes its
engine per process) and the script formats the JSON lines as Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def run(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "emotune", "evaluate", *args, "--json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pct(v: float | None) -> str:
    return "n/a" if v is None or v != v else f"{100 * v:.1f}%"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    args = parser.parse_args()
    baseline = str(args.shared / "models" / "fer-mini-xception.hdf5")
    sets = {
        "FER2013 held-out split (2,872)": [str(args.shared / "fer2013" / "train"), "--split", "val"],
        "muxspace faces (1,915)": [str(args.shared / "expressions" / "muxspace-faces")],
        "JAFFE subset (68)": [str(args.shared / "expressions" / "jaffe-subset")],
    }
    results = {}
    for name, data in sets.items():
        results[name] = {
            "ours (ONNX)": run("--data", *data),
            "mini-Xception": run("--data", *data, "--baseline", baseline),
        }
    print("| set | model | accuracy | " + " | ".join(LABELS) + " |")
    print("|---|---|---|" + "---|" * len(LABELS))
    for name, by_model in results.items():
        for model, r in by_model.items():
            print(f"| {name} | {model} | **{pct(r['accuracy'])}** | " + " | ".join(pct(r["per_label"][k]) for k in LABELS) + " |")
    for name, by_model in results.items():
        r = by_model["ours (ONNX)"]
        print(f"\nConfusion matrix, ours, {name} (rows: true label, columns: predicted):\n")
        print("| true \\ predicted | " + " | ".join(LABELS) + " |")
        print("|---|" + "---|" * len(LABELS))
        for label, row in zip(LABELS, r["confusion"]):
            print(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    print("\n" + json.dumps({n: {m: r["accuracy"] for m, r in b.items()} for n, b in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
