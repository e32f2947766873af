"""The emotion network: a VGG-style net with batch norm, and the ONNX file DeepFace loads.

DeepFace's TensorFlow engine can only build its own 2017 Emotion network (no batch norm,
about 56% on FER2013 here). Its ONNX engine builds nothing: it loads whatever graph sits
at ``$DEEPFACE_HOME/.deepface/weights/facial_expression_model_weights.onnx``, feeds it
(n, 48, 48, 1) float32 gray faces in [0, 1] and reads 7 probabilities in DeepFace's label
order. So we train a stronger network in tf-keras and export it to that file; DeepFace's
code stays unchanged in the app's path.

The exported graph averages the face and its mirror image (test-time flipping inside the
graph): a point or so of accuracy for a second pass that costs well under a millisecond.

DeepFace is imported first on purpose: it sets ``TF_USE_LEGACY_KERAS=1``, so ``tf.keras`` is
tf-keras (Keras 2) in training and export alike.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from emotune.emotions import LABELS
from emotune.vision.engine import import_deepface

ONNX_NAME = "facial_expression_model_weights.onnx"
DEFAULT_WIDTHS: tuple[int, ...] = (32, 64, 128, 256)


def _tf() -> Any:
    """TensorFlow with tf-keras (the ``train`` extra). DeepFace sets TF_USE_LEGACY_KERAS at
    import; imported the other way round the model builds on Keras 3, about twice as slow."""
    import_deepface("onnx")
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    try:
        import tensorflow as tf  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError("training needs TensorFlow: pip install -e '.[train]'") from exc
    return tf


def build_network(widths: Sequence[int] = DEFAULT_WIDTHS, dropout: float = 0.4) -> Any:
    """VGG-style: per stage two 3x3 conv + batch norm + ReLU, then 2x2 max-pool; global
    average pooling, dropout and a 7-way softmax. Batch norm is what lets this train well
    past DeepFace's 2017 net; global pooling keeps the parameters (and the file) small."""
    tf = _tf()
    layers = tf.keras.layers
    inputs = tf.keras.Input((48, 48, 1), name="face")
    x = inputs
    for stage, width in enumerate(widths):
        for conv in range(2):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"s{stage}c{conv}")(x)
            x = layers.BatchNormalization(name=f"s{stage}bn{conv}")(x)
            x = layers.ReLU(name=f"s{stage}relu{conv}")(x)
        if stage < len(widths) - 1:
            x = layers.MaxPool2D(name=f"s{stage}pool")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(len(LABELS), activation="softmax", name="probabilities")(x)
    return tf.keras.Model(inputs, outputs, name="emotune_vgg")


def export_onnx(model: Any, out: Path, mirror: bool = True) -> None:
    """Write ``model`` as the ONNX graph DeepFace's ONNX engine loads (channels last).

    With ``mirror`` the graph returns the mean of the probabilities of the face and of its
    mirror image, which is still a distribution (DeepFace divides by the sum anyway)."""
    tf = _tf()
    import tf2onnx  # noqa: PLC0415

    spec = (tf.TensorSpec((None, 48, 48, 1), tf.float32, name="input"),)

    @tf.function(input_signature=spec)
    def forward(x: Any) -> Any:
        p = model(x, training=False)
        if mirror:
            p = (p + model(tf.reverse(x, axis=[2]), training=False)) * 0.5
        return p

    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(out.suffix + ".part")
    tf2onnx.convert.from_function(forward, input_signature=spec, opset=13, output_path=str(partial))
    partial.replace(out)


def keras_probabilities(model: Any, x: np.ndarray, mirror: bool = True, batch: int = 256) -> np.ndarray:
    """What the exported graph should compute, in Keras: the reference for the export check."""
    p = model.predict(x[..., None], batch_size=batch, verbose=0)
    if mirror:
        p = (p + model.predict(x[:, :, ::-1, None], batch_size=batch, verbose=0)) * 0.5
    return p


def onnx_probabilities(path: Path, x: np.ndarray) -> np.ndarray:
    """Run the ONNX graph on (n, 48, 48) faces; used to check the export against Keras."""
    import onnxruntime as ort  # noqa: PLC0415

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run(None, {name: x[..., None].astype(np.float32)})[0]
