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


def eye_angle(left_eye: tuple[float, float] | None, right_eye: tuple[float, float] | None) -> float:
    """The face's roll in degrees from the two eyes (DeepFace's convention); 0 without both."""
    if left_eye is None or right_eye is None:
        return 0.0
    return float(np.degrees(np.arctan2(left_eye[1] - right_eye[1], left_eye[0] - right_eye[0])))


def aligned_crop(frame: np.ndarray, x: int, y: int, w: int, h: int, angle: float) -> np.ndarray:
    """The face box of ``frame``, rotated upright by ``angle`` as DeepFace's alignment does.

    Same steps as DeepFace's ``extract_face``: take the box with half its size of margin on
    every side (black where the frame ends), rotate that about its centre, and cut out the
    axis-aligned bounds of the rotated box. Only the region around the face is rotated,
    not the whole padded frame, which is where DeepFace's alignment spends its time.
    """
    if not angle:
        return frame[y : y + h, x : x + w]
    mx, my = w // 2, h // 2
    sub = np.zeros((h + 2 * my, w + 2 * mx, frame.shape[2]), frame.dtype)
    x1, y1 = max(0, x - mx), max(0, y - my)
    x2, y2 = min(frame.shape[1], x + w + mx), min(frame.shape[0], y + h + my)
    sub[y1 - (y - my) : y2 - (y - my), x1 - (x - mx) : x2 - (x - mx)] = frame[y1:y2, x1:x2]
    sh, sw = sub.shape[:2]
    matrix = cv2.getRotationMatrix2D((sw // 2, sh // 2), angle, 1.0)
    rotated = cv2.warpAffine(sub, matrix, (sw, sh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT)
    corners = np.array([[mx, my, 1], [mx + w, my, 1], [mx, my + h, 1], [mx + w, my + h, 1]], np.float64)
    moved = corners @ matrix.T
    (cx1, cy1), (cx2, cy2) = np.clip(moved.min(axis=0), 0, None), moved.max(axis=0)
    return rotated[int(cy1) : int(min(sh, cy2)), int(cx1) : int(min(sw, cx2))]
