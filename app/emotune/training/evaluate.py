"""``emotune evaluate``: the shipped (or given) weights on a labelled set of face crops.

Faces in such sets are already cropped, so there is no detection: each face goes through
``face_to_input`` (DeepFace's preprocessing of a detected face) and DeepFace's Emotion
model, exactly as the app treats a detected face.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from emotune.training.dataset import FaceSet, load_faces, stratified_split
from emotune.training.metrics import Scores, score
from emotune.vision import model_store
from emotune.vision.engine import import_deepface, select_engine


def engine_for(weights: Path) -> str:
    return "onnx" if weights.suffix == ".onnx" else "tensorflow"


def predict(faces: FaceSet, engine: str, weights: Path | None = None, batch: int = 256) -> np.ndarray:
    """Probabilities (n, 7) from DeepFace's Emotion model built on ``engine``."""
    select_engine(engine)
    if weights is None:
        model_store.prepare(engine)
    else:
        home = Path(tempfile.mkdtemp(prefix="emotune-eval-"))
        target = home / ".deepface" / "weights" / model_store.WEIGHT_FILES[engine]
        target.parent.mkdir(parents=True)
        shutil.copyfile(weights, target)
        os.environ["DEEPFACE_HOME"] = str(home)
    client = import_deepface().build_model(task="facial_attribute", model_name="Emotion")
    out = []
    for start in range(0, len(faces), batch):
        # A gray 48x48 face repeated to 3 channels is a fixed point of DeepFace's own
        # preprocessing (gray conversion, resize to 48x48), so this is its public predict
        # on exactly the input it would compute from the detected face.
        chunk = np.repeat(faces.x[start : start + batch, ..., None], 3, axis=-1)
        probs = np.asarray(client.predict(list(chunk) if len(chunk) > 1 else chunk[0]))
        out.append(probs.reshape(len(chunk), -1))
    return np.concatenate(out)


def evaluate(data: Path, weights: Path | None = None, engine: str = "onnx", split: str = "all",
             val_fraction: float = 0.1, seed: int = 1) -> Scores:
    """Score the model on ``data``; ``split="val"`` uses the training's held-out faces only."""
    faces = load_faces(data)
    if split == "val":
        _, val_idx = stratified_split(faces.y, val_fraction, seed)
        faces = FaceSet(faces.x[val_idx], faces.y[val_idx], [faces.names[i] for i in val_idx])
    probs = predict(faces, engine_for(weights) if weights else engine, weights)
    return score(faces.y, probs.argmax(axis=1))
