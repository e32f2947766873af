"""``emotune export``: one ONNX file for DeepFace from the final weights of finished runs.

What the app ships is a trade of accuracy against CPU a face, decided after training: one
network or the average of several, with or without the mirror pass (each pass is a full
forward run; at the analysis rate a few milliseconds a face are a point of a core). The
runs stay as trained; this writes the graph and checks it exactly as ``train`` does (Keras
against onnxruntime on every held-out face, then DeepFace's own ONNX engine). Runs are only
averaged if they held out the same faces, so the held-out figure stays honest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from emotune.training.network import build_network
from emotune.training.train import TrainingError, TrainOptions, export_and_check, held_out, split_mismatch


def _run(run_dir: Path) -> TrainOptions:
    options_file, weights = run_dir / "options.json", run_dir / "final.weights.h5"
    if not options_file.is_file() or not weights.is_file():
        raise TrainingError(f"{run_dir}: no finished run there (options.json and final.weights.h5)")
    return TrainOptions.from_json(json.loads(options_file.read_text()))


def averaged(models: Sequence[Any]) -> Any:
    """One Keras model whose output is the mean of ``models``' probabilities (a distribution)."""
    if len(models) == 1:
        return models[0]
    import tensorflow as tf  # noqa: PLC0415 (build_network has imported it the right way)

    inputs = tf.keras.Input((48, 48, 1), name="face")
    for index, model in enumerate(models):
        model._name = f"net{index}"  # sub-models need distinct names in one graph
    outputs = tf.keras.layers.Average(name="average")([model(inputs) for model in models])
    return tf.keras.Model(inputs, outputs, name="emotune_average")


def export_runs(run_dirs: Sequence[Path], out: Path, mirror: bool = True) -> dict:
    """Export the (average of the) runs' final weights to ``out``; the report, also written
    beside it as ``.export.json``."""
    if not run_dirs:
        raise TrainingError("export needs at least one run folder")
    runs = [_run(Path(d)) for d in run_dirs]
    for run_dir, options in zip(run_dirs[1:], runs[1:]):
        mismatch = split_mismatch(options, runs[0])
        if mismatch:
            raise TrainingError(f"{run_dir} cannot be averaged with {run_dirs[0]}: {mismatch}")
    models = []
    for run_dir, options in zip(run_dirs, runs):
        model = build_network(options.widths, options.dropout)
        model.load_weights(str(Path(run_dir) / "final.weights.h5"))
        models.append(model)
    model = averaged(models)
    first = runs[0]
    checked = export_and_check(model, out, *held_out(first), mirror=mirror)
    report = {
        "runs": [str(d) for d in run_dirs],
        "widths": [options.widths for options in runs],
        "parameters": int(model.count_params()),
        **checked,
        "onnx": str(out),
    }
    out.with_suffix(".export.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {out} and {out.with_suffix('.export.json')}")
    return report
