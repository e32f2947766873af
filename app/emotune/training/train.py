"""``emotune train``: fit DeepFace's Emotion network on a folder-per-label face set.

Recipe, chosen because the network has no batch normalisation and overfits FER2013 within
a few epochs: a stratified hold-out, on-the-fly augmentation (flips, small shifts,
rotations and zooms, brightness and contrast), Adam with the learning rate halved when the
validation loss stalls, and early stopping that restores the best epoch. Everything is
seeded. The result is saved in DeepFace's weights format, reloaded through DeepFace's own
loader, exported to ONNX, and both files are checked to agree on the validation faces.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emotune.emotions import LABELS
from emotune.training.dataset import load_faces, stratified_split
from emotune.training.metrics import format_report, score
from emotune.training.network import build_untrained, export_onnx, load_trained, onnx_probabilities

#: Largest difference between the Keras and the ONNX probabilities that counts as equal.
EXPORT_TOLERANCE = 1e-4


@dataclass
class TrainOptions:
    data: Path
    out: Path
    epochs: int = 60
    batch_size: int = 64
    learning_rate: float = 1e-3
    val_fraction: float = 0.1
    patience: int = 10
    seed: int = 1
    limit_per_label: int | None = None
    init: Path | None = None  # continue from these weights (a second, longer stage)


def _augmenter(tf: Any) -> Any:
    """Random geometric and photometric changes, applied to training batches only."""
    layers = tf.keras.layers
    geometric = tf.keras.Sequential(
        [
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(0.04, fill_mode="nearest"),  # about ±15 degrees
            layers.RandomTranslation(0.08, 0.08, fill_mode="nearest"),
            layers.RandomZoom(0.1, fill_mode="nearest"),
        ]
    )

    def augment(x: Any, y: Any) -> tuple[Any, Any]:
        x = geometric(x, training=True)
        x = tf.image.random_brightness(x, 0.15)
        x = tf.image.random_contrast(x, 0.7, 1.3)
        return tf.clip_by_value(x, 0.0, 1.0), y

    return augment


def train(options: TrainOptions) -> dict:
    """Train, save, export and verify; returns the report that is also written as JSON."""
    started = time.monotonic()
    model = build_untrained()  # imports deepface before tensorflow
    import tensorflow as tf  # noqa: PLC0415

    tf.keras.utils.set_random_seed(options.seed)
    if options.init is not None:
        model.load_weights(str(options.init))
        print(f"starting from {options.init}", flush=True)
    print(f"reading faces from {options.data} ...", flush=True)
    faces = load_faces(options.data, options.limit_per_label, options.seed)
    train_idx, val_idx = stratified_split(faces.y, options.val_fraction, options.seed)
    x_train, y_train = faces.x[train_idx, ..., None], faces.y[train_idx]
    x_val, y_val = faces.x[val_idx, ..., None], faces.y[val_idx]
    print(f"{len(train_idx)} training and {len(val_idx)} validation faces", flush=True)

    one_hot = lambda y: tf.one_hot(y, len(LABELS))  # noqa: E731
    train_ds = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(y_train), seed=options.seed, reshuffle_each_iteration=True)
        .batch(options.batch_size)
        .map(lambda x, y: (x, one_hot(y)))
        .map(_augmenter(tf), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    val_ds = tf.data.Dataset.from_tensor_slices((x_val, tf.one_hot(y_val, len(LABELS)))).batch(256)

    model.compile(
        optimizer=tf.keras.optimizers.Adam(options.learning_rate),
        loss=tf.keras.losses.CategoricalCrossentropy(label_smoothing=0.05),
        metrics=["accuracy"],
    )
    callbacks = [
        tf.keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3, min_lr=1e-5, verbose=1),
        tf.keras.callbacks.EarlyStopping(
            monitor="val_accuracy", patience=options.patience, restore_best_weights=True, verbose=1
        ),
    ]
    history = model.fit(train_ds, validation_data=val_ds, epochs=options.epochs, callbacks=callbacks, verbose=2)

    options.out.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(str(options.out), save_format="h5")
    onnx_path = options.out.with_suffix(".onnx")
    export_onnx(model, onnx_path)

    # Prove the files are what DeepFace reads: reload the .h5 with DeepFace's loader and
    # compare it with the ONNX graph on every validation face.
    reloaded = load_trained(options.out)
    keras_probs = reloaded.predict(x_val, batch_size=256, verbose=0)
    onnx_probs = onnx_probabilities(onnx_path, x_val[..., 0])
    max_diff = float(np.abs(keras_probs - onnx_probs).max())
    same_labels = float((keras_probs.argmax(1) == onnx_probs.argmax(1)).mean())
    if max_diff > EXPORT_TOLERANCE:
        raise RuntimeError(f"ONNX export differs from the Keras weights by {max_diff:.2e}")

    scores = score(y_val, keras_probs.argmax(1))
    print(format_report(scores, "validation (held-out split):"), flush=True)
    print(f"ONNX vs Keras on {len(y_val)} faces: max |Δp| {max_diff:.2e}, same label {same_labels:.1%}")
    report = {
        "data": str(options.data),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in vars(options).items()},
        "epochs_run": len(history.history["loss"]),
        "best_epoch": int(np.argmax(history.history["val_accuracy"])) + 1,
        "history": {k: [round(float(v), 4) for v in vs] for k, vs in history.history.items()},
        "validation": scores.as_dict(),
        "onnx_max_abs_diff": max_diff,
        "onnx_same_label": same_labels,
        "seconds": round(time.monotonic() - started, 1),
        "weights": str(options.out),
        "onnx": str(onnx_path),
    }
    options.out.with_suffix(".train.json").write_text(json.dumps(report, indent=1))
    print(f"wrote {options.out}, {onnx_path} and {options.out.with_suffix('.train.json')}")
    return report
