"""DeepFace's preprocessing of a detected face, in one function we can call ourselves.

``DeepFace.analyze`` turns a face crop into the Emotion network's input like this:
scale into 224x224 keeping the aspect ratio and pad with black, convert to gray, resize to
48x48, values in [0, 1]. Training, evaluation and our fast path all go through this
function, so a face is seen the same way everywhere.
"""

from __future__ import annotations

import cv2
import numpy as np

INPUT_SIZE = 48
_PAD_SIZE = 224


def pad_to_square(img: np.ndarray, size: int = _PAD_SIZE) -> np.ndarray:
    """Scale ``img`` to fit ``size``x``size`` keeping its aspect ratio; pad the rest with 0."""
    factor = min(size / img.shape[0], size / img.shape[1])
    resized = cv2.resize(img, (int(img.shape[1] * factor), int(img.shape[0] * factor)))
    d0, d1 = size - resized.shape[0], size - resized.shape[1]
    pad = [(d0 // 2, d0 - d0 // 2), (d1 // 2, d1 - d1 // 2)] + [(0, 0)] * (resized.ndim - 2)
    out = np.pad(resized, pad, "constant")
    if out.shape[:2] != (size, size):
        out = cv2.resize(out, (size, size))
    return out


def face_to_input(face_bgr: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """A BGR (or gray) uint8 face crop → the (size, size) float32 gray input in [0, 1]
    (48 for DeepFace's Emotion network; other sizes only for comparing other models)."""
    face = face_bgr.astype(np.float32) / 255.0
    face = pad_to_square(face)
    if face.ndim == 3:
        face = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY)
    return cv2.resize(face, (size, size)).astype(np.float32)
