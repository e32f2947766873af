"""``emotune train``: fit the emotion network on a folder-per-label face set, resumably.

The run lives in a run folder: the options, a checkpoint after every epoch (weights,
optimizer state and the epoch), and the per-epoch history. ``--resume`` continues an
interrupted run where its last checkpoint left it, with the same options, so a run of
hours on two CPU cores survives a closed laptop lid or a session that ends. The learning
rate schedule (a short warm-up, then cosine decay) is defined over the whole run and is a
function of the optimizer's step count, which the checkpoint restores, so a resumed run
follows exactly the schedule of an uninterrupted one.

Recipe (measure any change on the held-out split): stratified hold-out; flips, small
shifts/rotations/zooms, brightness and contrast, random erasing; label smoothing; Adam.
The final weights are exported to the ONNX file DeepFace's ONNX engine loads, checked
against Keras on every validation face, and loaded through DeepFace itself in a child
process (DeepFace fixes its engine per process).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from emotune.emotions import LABELS
from emotune.training.dataset import load_faces, stratified_split
from emotune.training.metrics import format_report, score
from emotune.training.network import (
    DEFAULT_WIDTHS,
    _tf,
    build_network,
    export_onnx,
    keras_probabilities,
    onnx_probabilities,
)

#: Largest difference between the Keras and the ONNX probabilities that counts as equal.
EXPORT_TOLERANCE = 1e-4


@dataclass
class TrainOptions:
    data: Path
    out: Path  # the .onnx file; the report is written beside it as .train.json
    run_dir: Path
    epochs: int = 80
    batch_size: int = 64
    learning_rate: float = 1e-3
    warmup_epochs: int = 2
    label_smoothing: float = 0.1
    dropout: float = 0.4
    erase_probability: float = 0.5
    #: Mixup's Beta(alpha, alpha) (0: off): each training face blended with another face of the
    #: batch, labels blended alike; a regulariser the FER2013 literature reports helps long runs.
    mixup: float = 0.0
    widths: list[int] = field(default_factory=lambda: list(DEFAULT_WIDTHS))
    val_fraction: float = 0.1
    seed: int = 1
    #: Seeds the starting weights, the augmentation and the order of the batches (None: the
    #: split's ``seed``). The split stays with ``seed``, so two runs that differ only here hold
    #: out the same faces and can be averaged by ``emotune export`` into one honest ensemble.
    init_seed: int | None = None
    limit_per_label: int | None = None
    #: Another run's folder whose final weights start this one (a warm restart): a new
    #: schedule over more epochs without losing what the first run learned.
    init_from: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainOptions:
        paths = {"data", "out", "run_dir", "init_from"}
        known = {f.name for f in fields(cls)}
        return cls(**{k: Path(v) if k in paths and v is not None else v for k, v in data.items() if k in known})


class TrainingError(RuntimeError):
    """A run that cannot start or continue; the message says why."""


def _augmenter(tf: Any, erase_probability: float) -> Any:
    """Random changes applied per image to training batches only."""
    layers = tf.keras.layers
    geometric = tf.keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.03, fill_mode="nearest"),  # about ±11 degrees
            layers.RandomTranslation(0.1, 0.1, fill_mode="nearest"),
            layers.RandomZoom(0.1, fill_mode="nearest"),
        ]
    )

    def erase(x: Any) -> Any:
        """Random erasing: a rectangle of 2-16% of the face set to noise, on some faces.
        Vectorised with masks, so it costs next to nothing per batch."""
        n = tf.shape(x)[0]
        size = tf.random.uniform((n, 2), 0.15, 0.4) * 48.0
        centre = tf.random.uniform((n, 2), 0.0, 48.0)
        grid = tf.range(48, dtype=tf.float32)
        ys = tf.abs(grid[None, :] - centre[:, :1]) < size[:, :1] / 2  # (n, 48)
        xs = tf.abs(grid[None, :] - centre[:, 1:]) < size[:, 1:] / 2
        box = tf.logical_and(ys[:, :, None], xs[:, None, :])[..., None]
        chosen = tf.random.uniform((n, 1, 1, 1)) < erase_probability
        noise = tf.random.uniform(tf.shape(x))
        return tf.where(tf.logical_and(box, chosen), noise, x)

    def augment(x: Any, y: Any) -> tuple[Any, Any]:
        x = geometric(x, training=True)
        n = tf.shape(x)[0]
        mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
        contrast = tf.random.uniform((n, 1, 1, 1), 0.7, 1.3)
        brightness = tf.random.uniform((n, 1, 1, 1), -0.12, 0.12)
        x = tf.clip_by_value((x - mean) * contrast + mean + brightness, 0.0, 1.0)
        if erase_probability > 0:
            x = erase(x)
        return x, y

    return augment


def _mixer(tf: Any, alpha: float) -> Any:
    """Mixup on a batch: each face and its one-hot label blended with those of another face of
    the batch, by a weight drawn from Beta(alpha, alpha) (two Gamma draws: TensorFlow has no
    Beta sampler in core). The larger weight stays with the face itself, so its label leads."""

    def mix(x: Any, y: Any) -> tuple[Any, Any]:
        n = tf.shape(x)[0]
        a = tf.random.gamma((n,), alpha)
        b = tf.random.gamma((n,), alpha)
        lam = a / (a + b)
        lam = tf.maximum(lam, 1.0 - lam)
        other = tf.random.shuffle(tf.range(n))
        return (lam[:, None, None, None] * x + (1 - lam[:, None, None, None]) * tf.gather(x, other),
                lam[:, None] * y + (1 - lam[:, None]) * tf.gather(y, other))

    return mix


def _schedule(tf: Any, options: TrainOptions, steps_per_epoch: int) -> Any:
    """Warm-up then cosine decay to zero, over the whole run's steps."""
    total = options.epochs * steps_per_epoch
    warmup = min(options.warmup_epochs * steps_per_epoch, total // 2)
    return tf.keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=options.learning_rate / 10,
        decay_steps=max(1, total - warmup),
        warmup_target=options.learning_rate,
        warmup_steps=warmup,
    )


def _initial_weights(options: TrainOptions) -> Path:
    """The final weights of the run ``options.init_from`` continues, after checking that the
    two runs hold out the same faces.

    A warm restart from a run that split the data differently would train on faces this run
    reports as held out, and its accuracy would be a lie; so the split (data, seed, fraction)
    and the architecture must match."""
    assert options.init_from is not None
    weights = options.init_from / "final.weights.h5"
    saved_options = options.init_from / "options.json"
    if not weights.is_file() or not saved_options.is_file():
        raise TrainingError(f"--init-from {options.init_from}: no finished run there (final.weights.h5 and options.json)")
    other = TrainOptions.from_json(json.loads(saved_options.read_text()))
    if other.widths != options.widths:
        raise TrainingError(f"--init-from {options.init_from}: its widths are {other.widths}, this run's "
                            f"{options.widths}; a warm restart needs the same network")
    mismatch = split_mismatch(other, options)
    if mismatch:
        raise TrainingError(f"--init-from {options.init_from}: {mismatch}")
    return weights


def split_faces(options: TrainOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The faces (n, 48, 48) and labels the run ``options`` trained on, then those it held
    out: what ``train`` fits and checks, ``export`` scores and ``recover`` rebuilds from."""
    faces = load_faces(options.data, options.limit_per_label, options.seed)
    train_idx, val_idx = stratified_split(faces.y, options.val_fraction, options.seed)
    return faces.x[train_idx], faces.y[train_idx], faces.x[val_idx], faces.y[val_idx]


def held_out(options: TrainOptions) -> tuple[np.ndarray, np.ndarray]:
    """The faces (n, 48, 48) and labels the run ``options`` held out."""
    return split_faces(options)[2:]


def split_mismatch(a: TrainOptions, b: TrainOptions) -> str | None:
    """Why runs ``a`` and ``b`` hold out different faces, or None when they hold out the same.
    Combining runs (a warm restart, an average) that split differently would train on faces
    reported as held out, and the held-out accuracy would be a lie."""
    for name in ("seed", "val_fraction", "limit_per_label"):
        if getattr(a, name) != getattr(b, name):
            return (f"its {name} is {getattr(a, name)!r}, the other's {getattr(b, name)!r}; they must match "
                    "so the held-out faces stay held out")
    if Path(a.data).resolve() != Path(b.data).resolve():
        return f"it was trained on {a.data}, the other on {b.data}"
    return None


def _format_eta(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _prepare_run(options: TrainOptions, resume: bool, new_epochs: int | None = None) -> TrainOptions:
    """Write the options of a new run, or read those of the run being resumed.

    ``new_epochs`` changes the length of a resumed run (written back to its options, so a
    later ``--resume`` keeps it): on a machine where an epoch takes minutes, a run planned
    for 80 may have to end sooner. The cosine schedule is a function of the step, so it is
    redefined over the new total from the current step on; the history records the change.
    """
    options_file = options.run_dir / "options.json"
    if resume:
        if not options_file.is_file():
            raise TrainingError(f"nothing to resume in {options.run_dir}: no options.json there")
        saved = TrainOptions.from_json(json.loads(options_file.read_text()))
        if new_epochs is not None and new_epochs != saved.epochs:
            if new_epochs < 1:
                raise TrainingError(f"--epochs must be at least 1, not {new_epochs}")
            print(f"run length changed from {saved.epochs} to {new_epochs} epochs", flush=True)
            saved.epochs = new_epochs
            options_file.write_text(json.dumps(saved.to_json(), indent=1))
        print(f"resuming the run in {saved.run_dir} ({saved.epochs} epochs)", flush=True)
        return saved
    if (options.run_dir / "checkpoints").exists():
        raise TrainingError(
            f"{options.run_dir} already holds a run: continue it with --resume, or choose another --run-dir"
        )
    if options.init_from is not None:
        _initial_weights(options)  # refuse a mismatched warm restart before writing anything
    options.run_dir.mkdir(parents=True, exist_ok=True)
    options_file.write_text(json.dumps(options.to_json(), indent=1))
    return options


def train(options: TrainOptions, resume: bool = False, new_epochs: int | None = None) -> dict:
    """Train (or continue), export and verify; returns the report also written as JSON."""
    options = _prepare_run(options, resume, new_epochs)
    started = time.monotonic()
    tf = _tf()  # deepface before tensorflow, so tf.keras is tf-keras
    init_seed = options.seed if options.init_seed is None else options.init_seed
    tf.keras.utils.set_random_seed(init_seed)  # before the build: seeded starting weights
    model = build_network(options.widths, options.dropout)
    print(f"reading faces from {options.data} ...", flush=True)
    x_train, y_train, x_val, y_val = split_faces(options)
    x_train = x_train[..., None]
    print(f"{len(y_train)} training and {len(y_val)} validation faces; "
          f"{model.count_params():,} parameters", flush=True)

    steps_per_epoch = int(np.ceil(len(y_train) / options.batch_size))
    schedule = _schedule(tf, options, steps_per_epoch)
    optimizer = tf.keras.optimizers.Adam(schedule)
    model.compile(
        optimizer=optimizer,
        loss=tf.keras.losses.CategoricalCrossentropy(label_smoothing=options.label_smoothing),
        metrics=["accuracy"],
    )
    epoch_var = tf.Variable(0, dtype=tf.int64, trainable=False)
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch_var)
    manager = tf.train.CheckpointManager(checkpoint, str(options.run_dir / "checkpoints"), max_to_keep=2)
    history_file = options.run_dir / "history.json"
    history: list[dict[str, float]] = []
    if resume and manager.latest_checkpoint:
        checkpoint.restore(manager.latest_checkpoint).expect_partial()
        if history_file.is_file():
            history = json.loads(history_file.read_text())[: int(epoch_var.numpy())]
        print(f"restored {manager.latest_checkpoint}: epoch {int(epoch_var.numpy())} of {options.epochs} done",
              flush=True)
    first_epoch = int(epoch_var.numpy())
    if first_epoch == 0 and options.init_from is not None:
        model.load_weights(str(_initial_weights(options)))
        print(f"starting from the weights of {options.init_from}", flush=True)

    one_hot = lambda y: tf.one_hot(y, len(LABELS))  # noqa: E731

    def epoch_data(epoch: int) -> Any:
        # The order of each epoch depends on the seed and the epoch only, so a resumed run
        # sees the same batches an uninterrupted one would have.
        order = np.random.default_rng(init_seed * 1000 + epoch).permutation(len(y_train))
        data = (
            tf.data.Dataset.from_tensor_slices((x_train[order], y_train[order]))
            .batch(options.batch_size)
            .map(lambda x, y: (x, one_hot(y)))
            .map(_augmenter(tf, options.erase_probability), num_parallel_calls=tf.data.AUTOTUNE)
        )
        if options.mixup > 0:
            data = data.map(_mixer(tf, options.mixup), num_parallel_calls=tf.data.AUTOTUNE)
        return data.prefetch(tf.data.AUTOTUNE)

    val_ds = tf.data.Dataset.from_tensor_slices((x_val[..., None], one_hot(y_val))).batch(256)
    for epoch in range(first_epoch, options.epochs):
        epoch_started = time.monotonic()
        fit = model.fit(epoch_data(epoch), validation_data=val_ds, epochs=epoch + 1, initial_epoch=epoch,
                        verbose=0)
        row = {k: round(float(v[-1]), 4) for k, v in fit.history.items()}
        row["seconds"] = round(time.monotonic() - epoch_started, 1)
        row["learning_rate"] = float(schedule(optimizer.iterations))
        history.append(row)
        epoch_var.assign(epoch + 1)
        manager.save(checkpoint_number=epoch + 1)
        history_file.write_text(json.dumps(history, indent=0))
        recent = [h["seconds"] for h in history[-3:]]
        eta = (options.epochs - epoch - 1) * sum(recent) / len(recent)
        print(
            f"epoch {epoch + 1}/{options.epochs}  loss {row['loss']:.3f} acc {row['accuracy']:.3f}  "
            f"val_loss {row['val_loss']:.3f} val_acc {row['val_accuracy']:.3f}  "
            f"lr {row['learning_rate']:.2e}  {row['seconds']:.0f} s  ETA {_format_eta(eta)}",
            flush=True,
        )

    model.save_weights(str(options.run_dir / "final.weights.h5"))
    checked = export_and_check(model, options.out, x_val, y_val)
    report = {
        "data": str(options.data),
        "options": options.to_json(),
        "parameters": int(model.count_params()),
        "epochs_run": len(history),
        "history": history,
        **checked,
        "train_seconds": round(sum(h["seconds"] for h in history), 1),
        "seconds_this_process": round(time.monotonic() - started, 1),
        "onnx": str(options.out),
    }
    report_file = options.out.with_suffix(".train.json")
    report_file.write_text(json.dumps(report, indent=1))
    (options.run_dir / "report.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {options.out} and {report_file}")
    return report


def export_and_check(model: Any, out: Path, x_val: np.ndarray, y_val: np.ndarray, mirror: bool = True) -> dict:
    """Export ``model`` to ``out``, check the file against Keras on every held-out face and
    through DeepFace's own ONNX engine, print the held-out report; the report's figures."""
    export_onnx(model, out, mirror=mirror)
    keras_probs = keras_probabilities(model, x_val, mirror=mirror)
    onnx_probs = onnx_probabilities(out, x_val)
    max_diff = float(np.abs(keras_probs - onnx_probs).max())
    same_labels = float((keras_probs.argmax(1) == onnx_probs.argmax(1)).mean())
    if max_diff > EXPORT_TOLERANCE:
        raise TrainingError(f"ONNX export differs from the Keras weights by {max_diff:.2e}")
    deepface_diff = check_with_deepface(out, x_val[:64], onnx_probs[:64])
    scores = score(y_val, keras_probs.argmax(1))
    passes = "face + mirror" if mirror else "face only"
    print(format_report(scores, f"validation (held-out split, {passes}):"), flush=True)
    print(f"ONNX vs Keras on {len(y_val)} faces: max |Δp| {max_diff:.2e}, same label {same_labels:.1%}; "
          f"DeepFace's ONNX engine vs onnxruntime: max |Δp| {deepface_diff:.2e}")
    return {
        "mirror": mirror,
        "validation": scores.as_dict(),
        "onnx_max_abs_diff": max_diff,
        "onnx_same_label": same_labels,
        "deepface_max_abs_diff": deepface_diff,
    }


_DEEPFACE_CHECK = """
import json, os, shutil, sys, tempfile
import numpy as np
from emotune.vision.engine import import_deepface
home = tempfile.mkdtemp(prefix="emotune-check-")
os.makedirs(os.path.join(home, ".deepface", "weights"))
shutil.copyfile(sys.argv[1], os.path.join(home, ".deepface", "weights", "facial_expression_model_weights.onnx"))
os.environ["DEEPFACE_HOME"] = home
DeepFace = import_deepface("onnx")
model = DeepFace.build_model(task="facial_attribute", model_name="Emotion")
faces = np.load(sys.argv[2])
probs = np.stack([np.asarray(model.predict(np.repeat(f[..., None], 3, axis=-1))).reshape(-1) for f in faces])
np.save(sys.argv[3], probs)
shutil.rmtree(home)
"""


def check_with_deepface(onnx_path: Path, faces: np.ndarray, expected: np.ndarray) -> float:
    """Load ``onnx_path`` through DeepFace's own ONNX engine (``build_model`` and its
    ``predict``) in a child process and return the largest difference from ``expected``."""
    import tempfile  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="emotune-check-") as tmp:
        faces_file, out_file = Path(tmp) / "faces.npy", Path(tmp) / "probs.npy"
        np.save(faces_file, faces)
        proc = subprocess.run([sys.executable, "-c", _DEEPFACE_CHECK, str(onnx_path), str(faces_file),
                               str(out_file)], capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise TrainingError(f"DeepFace could not load {onnx_path}: {proc.stderr.strip()[-800:]}")
        probs = np.load(out_file)
    diff = float(np.abs(probs - expected).max())
    if diff > EXPORT_TOLERANCE:
        raise TrainingError(f"DeepFace's ONNX engine gives other probabilities ({diff:.2e}) for {onnx_path}")
    return diff
