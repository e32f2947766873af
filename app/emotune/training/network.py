"""DeepFace's own Emotion network, built through DeepFace's code, and its two file formats.

DeepFace builds the network and then downloads official weights into it. We reuse the
builder and skip only the download, so the layer list (and so the weights file layout) is
exactly what DeepFace's unchanged loader expects. The TensorFlow engine must be selected
(DeepFace first, so ``tf.keras`` is tf-keras/Keras 2; Keras 3 writes a format DeepFace
cannot read).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from emotune.vision.engine import import_deepface

ONNX_NAME = "facial_expression_model_weights.onnx"
H5_NAME = "facial_expression_model_weights.h5"


def build_untrained() -> Any:
    """A freshly initialised DeepFace Emotion network (tf-keras Sequential)."""
    import_deepface("tensorflow")
    from deepface.commons import weight_utils  # noqa: PLC0415
    from deepface.models.demography.tf import Emotion  # noqa: PLC0415

    with (
        mock.patch.object(weight_utils, "download_weights_if_necessary", return_value=""),
        mock.patch.object(weight_utils, "load_model_weights", side_effect=lambda model, weight_file: model),
    ):
        return Emotion.load_model()


def load_trained(weights: Path) -> Any:
    """The network with ``weights`` loaded by DeepFace's own loader (proves compatibility)."""
    import_deepface("tensorflow")
    from deepface.commons import weight_utils  # noqa: PLC0415

    model = build_untrained()
    return weight_utils.load_model_weights(model=model, weight_file=str(weights))


def export_onnx(model: Any, out: Path) -> None:
    """Write the network as the ONNX graph DeepFace's onnx engine loads (channels last)."""
    import tensorflow as tf  # noqa: PLC0415 - after deepface, see module doc
    import tf2onnx  # noqa: PLC0415

    spec = (tf.TensorSpec((None, 48, 48, 1), tf.float32, name="input"),)

    @tf.function(input_signature=spec)
    def forward(x: Any) -> Any:
        return model(x, training=False)

    tf2onnx.convert.from_function(forward, input_signature=spec, opset=13, output_path=str(out))


def onnx_probabilities(path: Path, x: np.ndarray) -> np.ndarray:
    """Run the ONNX graph on (n, 48, 48) faces; used to check the export against Keras."""
    import onnxruntime as ort  # noqa: PLC0415

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return session.run(None, {name: x[..., None].astype(np.float32)})[0]
