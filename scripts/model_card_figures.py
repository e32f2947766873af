"""Print the figures of assets/models/MODEL_CARD.md: the shipped weights, the previous weights
and the mini-Xception baseline, scored by the same evaluation on the same faces, each set with
and without the app's own face detector (``--detect``).

    git show 951af5b:assets/models/facial_expression_model_weights.onnx > /tmp/previous.onnx
    python scripts/model_card_figures.py --previous /tmp/previous.onnx > /tmp/figures.md

Each evaluation runs ``emotune evaluate … --json`` in a child process (DeepFace fixes its
engine and caches its model per process) and the script formats the JSON lines as Markdown.
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


def cell(r: dict) -> str:
    """Accuracy; with the detector also its share on the faces found and the images missed."""
    if "missed" not in r:
        return pct(r["accuracy"])
    return f"{pct(r['accuracy'])} ({pct(r['accuracy_found'])} of found; {len(r['missed'])} no face)"


def confusion(title: str, r: dict) -> None:
    print(f"\nConfusion matrix, {title} (rows: true label, columns: predicted):\n")
    print("| true \\ predicted | " + " | ".join(LABELS) + (" | no face |" if "missed" in r else " |"))
    print("|---|" + "---|" * (len(LABELS) + ("missed" in r)))
    for label, row in zip(LABELS, r["confusion"]):
        extra = f" | {r['no_face'][label]}" if "missed" in r else ""
        print(f"| {label} | " + " | ".join(str(v) for v in row) + extra + " |")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--previous", type=Path, help="the previous weights (.onnx) to compare with")
    args = parser.parse_args()
    baseline = ["--baseline", str(args.shared / "models" / "fer-mini-xception.hdf5")]
    sets = {
        "FER2013 held-out split (2,872)": [str(args.shared / "fer2013" / "train"), "--split", "val"],
        "muxspace faces (1,915)": [str(args.shared / "expressions" / "muxspace-faces")],
        "JAFFE subset (68)": [str(args.shared / "expressions" / "jaffe-subset")],
    }
    models = {"shipped": [], **({"previous": ["--weights", str(args.previous)]} if args.previous else {}),
              "mini-Xception": baseline}
    results: dict[tuple[str, bool], dict[str, dict]] = {}
    for name, data in sets.items():
        for detect in (False, True):
            results[name, detect] = {m: run("--data", *data, *extra, *(["--detect"] if detect else []))
                                     for m, extra in models.items()}
    print("| set | crop | " + " | ".join(models) + " |")
    print("|---|---|" + "---|" * len(models))
    for (name, detect), by_model in results.items():
        crop = "app detector" if detect else "as given"
        print(f"| {name} | {crop} | " + " | ".join(cell(by_model[m]) for m in models) + " |")
    print("\nPer label, shipped weights:\n")
    print("| set | crop | accuracy | " + " | ".join(LABELS) + " |")
    print("|---|---|---|" + "---|" * len(LABELS))
    for (name, detect), by_model in results.items():
        r = by_model["shipped"]
        crop = "app detector" if detect else "as given"
        print(f"| {name} | {crop} | **{pct(r['accuracy'])}** | " + " | ".join(pct(r["per_label"][k]) for k in LABELS) + " |")
    for name in sets:
        confusion(f"shipped, {name}", results[name, False]["shipped"])
    confusion("shipped, JAFFE subset (68), app detector", results["JAFFE subset (68)", True]["shipped"])
    print("\n" + json.dumps({f"{n} {'detect' if d else 'given'}": {m: r["accuracy"] for m, r in b.items()}
                             for (n, d), b in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
