"""`emotune train` (a smoke run: 1 epoch, a small subset) and `emotune evaluate`."""

import json
import subprocess
import sys

from emotune.emotions import LABELS

from .helpers import emotune


def test_smoke_training_writes_weights_deepface_loads_and_an_equal_onnx(shared, tmp_path):
    out = tmp_path / "w" / "facial_expression_model_weights.h5"
    run = emotune("train", "--data", shared / "fer2013" / "train", "--out", out,
                  "--epochs", "1", "--limit-per-label", "20", timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.with_suffix(".train.json").read_text())
    assert report["validation"]["n"] == 14  # 10% of 20 per label, stratified
    assert report["onnx_max_abs_diff"] < 1e-4
    # DeepFace's own loader reads the .h5 into its own network (a Keras 3 file would fail
    # here). In a child process: DeepFace fixes its engine per process.
    check = (
        "import sys, numpy as np; from emotune.training.network import load_trained; "
        f"m = load_trained({str(out)!r}); p = m.predict(np.zeros((1, 48, 48, 1)), verbose=0); "
        "print(m.output_shape[-1], float(p.sum()))"
    )
    proc = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    classes, total = proc.stdout.split()[-2:]
    assert int(classes) == len(LABELS) and abs(float(total) - 1) < 1e-4


def test_evaluate_prints_the_report_and_a_json_last_line(shared):
    run = emotune("evaluate", "--data", shared / "expressions" / "jaffe-subset", "--json")
    assert run.returncode == 0, run.stderr[-3000:]
    result = run.lines[-1]
    assert result["n"] == 68 and set(result["per_label"]) == set(LABELS)
    assert 0 <= result["accuracy"] <= 1
    assert sum(map(sum, result["confusion"])) == 68
