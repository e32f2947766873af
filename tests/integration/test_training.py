"""`emotune train` (a smoke run: 1 epoch, a small subset) and `emotune evaluate`."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotune.emotions import LABELS
from emotune.training.network import onnx_probabilities

from .helpers import emotune


def test_smoke_training_exports_an_onnx_deepface_loads_and_that_agrees_with_keras(shared, tmp_path):
    run_dir = tmp_path / "run"
    out = tmp_path / "w" / "facial_expression_model_weights.onnx"
    run = emotune("train", "--data", shared / "fer2013" / "train", "--run-dir", run_dir, "--out", out,
                  "--epochs", "1", "--limit-per-label", "20", "--widths", "8,16,16,32", timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.with_suffix(".train.json").read_text())
    assert report["validation"]["n"] == 14  # 10% of 20 per label, stratified
    assert report["onnx_max_abs_diff"] < 1e-4  # onnxruntime vs Keras, face + mirror, every val face
    assert report["deepface_max_abs_diff"] < 1e-4  # DeepFace's own ONNX engine loaded the file
    assert len(report["history"]) == 1 and report["history"][0]["seconds"] > 0
    # Videos are scored on the weights asked for, not silently on the shipped ones
    timelines = Path(__file__).resolve().parents[1] / "timelines"
    video = ("--video", shared / "videos" / "liveportrait-d0.mp4", "--timeline", timelines / "liveportrait-d0.csv",
             "--json")
    shipped, smoke = emotune("evaluate", *video), emotune("evaluate", *video, "--weights", out)
    assert shipped.returncode == 0 and smoke.returncode == 0, smoke.stderr[-2000:]
    assert shipped.lines[-1]["frame_accuracy"] != smoke.lines[-1]["frame_accuracy"]
    # DeepFace.build_model on the ONNX engine reads it in a fresh process: 7 probabilities
    check = (
        "import os, shutil, sys, tempfile, numpy as np; from emotune.vision.engine import import_deepface; "
        "home = tempfile.mkdtemp(); os.makedirs(home + '/.deepface/weights'); "
        f"shutil.copy({str(out)!r}, home + '/.deepface/weights/'); os.environ['DEEPFACE_HOME'] = home; "
        "m = import_deepface('onnx').build_model(task='facial_attribute', model_name='Emotion'); "
        "p = np.asarray(m.predict(np.zeros((48, 48, 3), np.uint8))); print(p.size, float(p.sum()))"
    )
    proc = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    classes, total = proc.stdout.split()[-2:]
    assert int(classes) == len(LABELS) and abs(float(total) - 1) < 1e-4


def test_an_interrupted_run_resumes_where_it_stopped(shared, tmp_path):
    """A checkpoint every epoch: a run cut off after its first epoch continues with the
    second, keeps the first epoch's history, and its learning-rate schedule goes on from
    the step it reached instead of starting over."""
    import signal
    import time

    run_dir = tmp_path / "run"
    args = [sys.executable, "-m", "emotune", "train", "--data", str(shared / "fer2013" / "train"), "--run-dir",
            str(run_dir), "--epochs", "3", "--limit-per-label", "20", "--widths", "8,16,16,32"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    history = run_dir / "history.json"
    deadline = time.monotonic() + 300
    while not history.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up: as a power cut would be
    proc.wait()
    first = json.loads(history.read_text())
    if len(first) >= 3:
        pytest.skip("the run finished before it could be interrupted")
    resumed = emotune("train", "--run-dir", run_dir, "--resume", timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    done = json.loads(history.read_text())
    assert len(done) == 3
    assert done[: len(first)] == first  # earlier epochs kept, not re-run
    lrs = [h["learning_rate"] for h in done]
    assert lrs[-1] < lrs[0]  # cosine decay went on from where it was
    assert (run_dir / "facial_expression_model_weights.onnx").is_file()
    again = emotune("train", "--data", shared / "fer2013" / "train", "--run-dir", run_dir, timeout=120)
    assert again.returncode == 2 and "--resume" in again.stderr  # a new run never overwrites one
    # A finished run lengthened on resume: one more epoch, the new length kept in its options
    longer = emotune("train", "--run-dir", run_dir, "--resume", "--epochs", "4", timeout=600)
    assert longer.returncode == 0, longer.stderr[-3000:]
    assert len(json.loads(history.read_text())) == 4
    assert json.loads((run_dir / "options.json").read_text())["epochs"] == 4

    # A warm restart from the finished run: a new run starts from its final weights. At a
    # learning rate of ~0 the exported network must still be the first run's (only batch
    # norm's running statistics move a little), which a fresh start would not be.
    warm_dir = tmp_path / "warm"
    warm = emotune("train", "--data", shared / "fer2013" / "train", "--run-dir", warm_dir, "--init-from",
                   run_dir, "--epochs", "1", "--learning-rate", "1e-12", "--limit-per-label", "20",
                   "--widths", "8,16,16,32", timeout=600)
    assert warm.returncode == 0, warm.stderr[-3000:]
    assert "starting from the weights of" in warm.stdout
    faces = np.random.default_rng(0).random((16, 48, 48), dtype=np.float32)
    first = onnx_probabilities(run_dir / "facial_expression_model_weights.onnx", faces)
    second = onnx_probabilities(warm_dir / "facial_expression_model_weights.onnx", faces)
    assert np.abs(first - second).max() < 0.05
    # A warm restart that would hold out other faces (another seed) is refused
    other = emotune("train", "--data", shared / "fer2013" / "train", "--run-dir", tmp_path / "other",
                    "--init-from", run_dir, "--seed", "2", "--limit-per-label", "20", "--widths", "8,16,16,32",
                    timeout=300)
    assert other.returncode == 2 and "held-out faces stay held out" in other.stderr

    # export: one file from finished runs, one pass or the average of two, checked like train's
    single = {}
    for name, dirs in (("first", [run_dir]), ("warm", [warm_dir]), ("both", [run_dir, warm_dir])):
        out = tmp_path / f"{name}.onnx"
        done = emotune("export", *dirs, "--out", out, "--no-mirror", timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(out.with_suffix(".export.json").read_text())
        assert report["mirror"] is False and report["validation"]["n"] == 14
        assert report["onnx_max_abs_diff"] < 1e-4 and report["deepface_max_abs_diff"] < 1e-4
        single[name] = onnx_probabilities(out, faces)
    assert np.abs(single["both"] - (single["first"] + single["warm"]) / 2).max() < 1e-5
    # without --no-mirror the first run's export is the file train wrote
    mirrored = emotune("export", run_dir, "--out", tmp_path / "m.onnx", timeout=600)
    assert mirrored.returncode == 0, mirrored.stderr[-3000:]
    assert np.abs(onnx_probabilities(tmp_path / "m.onnx", faces) - first).max() < 1e-5
    missing = emotune("export", tmp_path / "nothing", "--out", tmp_path / "x.onnx", timeout=120)
    assert missing.returncode == 2 and "no finished run" in missing.stderr

    # recover: the run folder rebuilt from the exported file and its report (what a later
    # session has of the shipped network) exports the same graph again, and can be averaged
    # with a run that only started elsewhere (--init-seed: same held-out faces)
    rebuilt = tmp_path / "rebuilt"
    onnx_file = run_dir / "facial_expression_model_weights.onnx"
    recovered = emotune("recover", onnx_file, "--report", onnx_file.with_suffix(".train.json"), "--run-dir",
                        rebuilt, timeout=600)
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    summary = json.loads((rebuilt / "recovered.json").read_text())
    assert summary["max_abs_diff"] < 1e-4
    # its batch norms hold the training faces' statistics, so training (batch statistics)
    # starts from the same network, not a scrambled one (pass-through layers agreed on ~half)
    assert summary["training_mode_same_label"] >= 0.9
    again = emotune("export", rebuilt, "--out", tmp_path / "again.onnx", timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert np.abs(onnx_probabilities(tmp_path / "again.onnx", faces) - first).max() < 1e-5
    member = tmp_path / "member"
    trained = emotune("train", "--data", shared / "fer2013" / "train", "--run-dir", member, "--init-seed", "3",
                      "--epochs", "1", "--limit-per-label", "20", "--widths", "8,16,16,32", timeout=600)
    assert trained.returncode == 0, trained.stderr[-3000:]
    member_probs = onnx_probabilities(member / "facial_expression_model_weights.onnx", faces)
    assert np.abs(member_probs - first).max() > 1e-3  # another network, not a copy
    pair = emotune("export", rebuilt, member, "--out", tmp_path / "pair.onnx", timeout=600)
    assert pair.returncode == 0, pair.stderr[-3000:]
    assert np.abs(onnx_probabilities(tmp_path / "pair.onnx", faces) - (first + member_probs) / 2).max() < 1e-5
    # the average taken apart again: one run folder per network, each with its run's report
    reports = [onnx_file.with_suffix(".train.json"), member / "facial_expression_model_weights.train.json"]
    short = emotune("recover", tmp_path / "pair.onnx", "--report", reports[0], "--run-dir", tmp_path / "short",
                    timeout=300)
    assert short.returncode == 2 and "holds 2 network(s)" in short.stderr
    assert not (tmp_path / "short").exists()
    parts = tmp_path / "parts"
    split = emotune("recover", tmp_path / "pair.onnx", "--report", reports[0], "--report", reports[1],
                    "--run-dir", parts, timeout=600)
    assert split.returncode == 0, split.stderr[-3000:]
    assert [json.loads((parts / f"net{i}" / "recovered.json").read_text())["member"] for i in (0, 1)] == [0, 1]
    alone = emotune("export", parts / "net1", "--out", tmp_path / "net1.onnx", timeout=600)
    assert alone.returncode == 0, alone.stderr[-3000:]
    assert np.abs(onnx_probabilities(tmp_path / "net1.onnx", faces) - member_probs).max() < 1e-5
    rejoined = emotune("export", parts / "net0", parts / "net1", "--out", tmp_path / "rejoined.onnx", timeout=600)
    assert rejoined.returncode == 0, rejoined.stderr[-3000:]
    assert np.abs(onnx_probabilities(tmp_path / "rejoined.onnx", faces)
                  - onnx_probabilities(tmp_path / "pair.onnx", faces)).max() < 1e-5
    damaged = tmp_path / "damaged.onnx"
    damaged.write_bytes(onnx_file.read_bytes()[:5000])
    refused = emotune("recover", damaged, "--report", onnx_file.with_suffix(".train.json"), "--run-dir",
                      tmp_path / "nope", timeout=300)
    assert refused.returncode == 2 and "not a readable ONNX file" in refused.stderr
    assert not (tmp_path / "nope").exists()


def test_evaluate_prints_the_report_and_a_json_last_line(shared):
    run = emotune("evaluate", "--data", shared / "expressions" / "jaffe-subset", "--json")
    assert run.returncode == 0, run.stderr[-3000:]
    result = run.lines[-1]
    assert result["n"] == 68 and set(result["per_label"]) == set(LABELS)
    assert 0 <= result["accuracy"] <= 1
    assert sum(map(sum, result["confusion"])) == 68


def test_evaluate_detect_runs_the_apps_detector_and_names_images_without_a_face(shared, tmp_path):
    """Two JAFFE heads (found and cropped by the app's detector) and a blank image (no face)."""
    (tmp_path / "images").mkdir()
    jaffe = shared / "expressions" / "jaffe-subset"
    rows = [line.split(",") for line in (jaffe / "labels.csv").read_text().splitlines()[1:3]]
    for name, _label in rows:
        shutil.copyfile(jaffe / "images" / name, tmp_path / "images" / name)
    cv2.imwrite(str(tmp_path / "images" / "blank.png"), np.full((256, 256, 3), 128, np.uint8))
    (tmp_path / "labels.csv").write_text("filename,label\n" + "".join(f"{n},{lab.strip()}\n" for n, lab in rows)
                                         + "blank.png,neutral\n")
    run = emotune("evaluate", "--data", tmp_path, "--detect", "--json")
    assert run.returncode == 0, run.stderr[-3000:]
    result = run.lines[-1]
    assert result["n"] == 3
    assert result["missed"] == [str(tmp_path / "images" / "blank.png")]
    assert result["no_face"]["neutral"] == 1
    assert sum(map(sum, result["confusion"])) == 2  # both heads were found and classified
    assert "no face found in:" in run.stdout



def test_mixup_blends_faces_and_labels_by_the_same_weight_the_face_itself_leading():
    """--mixup: every training face is blended with one other face of its batch, its one-hot
    label with that face's label by the same weight, the face's own weight at least a half."""
    from emotune.training.network import _tf
    from emotune.training.train import _mixer

    tf = _tf()
    tf.random.set_seed(0)
    n = 64
    # face i is the constant image i and has a label of its own (column i), so each mixed
    # face and label tell which partner j and which weight were used
    x = np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((n, 48, 48, 1), np.float32)
    y = np.eye(n, dtype=np.float32)
    mx, my = (t.numpy() for t in _mixer(tf, 0.2)(tf.constant(x), tf.constant(y)))
    assert mx.shape == x.shape and my.shape == y.shape
    np.testing.assert_allclose(my.sum(1), 1.0, atol=1e-6)  # still a distribution
    own = np.diag(my)
    assert (own >= 0.5 - 1e-6).all()  # the face's own label leads
    assert np.allclose(mx.std(axis=(1, 2, 3)), 0, atol=1e-4)  # a blend of two constant images
    others = np.where(np.eye(n, dtype=bool), -1.0, my)
    partner = np.where(own < 1 - 1e-6, others.argmax(1), np.arange(n))
    # the face is blended by the very weight its label is: lam * x_i + (1 - lam) * x_j
    np.testing.assert_allclose(mx[:, 0, 0, 0], own * np.arange(n) + (1 - own) * partner, atol=1e-3)
    assert not np.allclose(mx, x)  # something was blended (Beta(0.2, 0.2) draws lam < 1 for most)
