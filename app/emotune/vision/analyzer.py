"""Per-frame emotion analysis over DeepFace's public API.

Two ways to analyse a frame, with the same result type:

* ``plain``: ``DeepFace.analyze(frame, actions=["emotion"], ...)``, what a user would write.
* ``fast`` (default): DeepFace's own detector (``DeepFace.build_model(task="face_detector")``)
  on a downscaled copy of the frame, the box mapped back to full size, and DeepFace's
  Emotion model on that crop with DeepFace's preprocessing. Detection dominates the cost,
  and it is roughly proportional to the pixel count.

All DeepFace calls of one analyzer must stay on one thread (TensorFlow objects do not move
between threads, deepface#509); the session creates and uses it on its analysis thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from emotune.emotions import LABELS
from emotune.vision.engine import import_deepface
from emotune.vision.model_store import WeightsError
from emotune.vision.preprocess import pad_to_square

METHODS = ("fast", "plain")
DETECTORS = ("opencv", "ssd", "mtcnn", "retinaface", "yunet", "centerface", "mediapipe", "dlib")


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def area(self) -> int:
        return self.w * self.h


@dataclass(frozen=True)
class Reading:
    """What one analysed frame showed. ``box`` is None when no face was found."""

    t: float
    box: Box | None = None
    probabilities: dict[str, float] = field(default_factory=dict)

    @property
    def has_face(self) -> bool:
        return self.box is not None

    @property
    def dominant(self) -> str | None:
        if not self.probabilities:
            return None
        return max(self.probabilities, key=self.probabilities.__getitem__)

    @property
    def confidence(self) -> float:
        return max(self.probabilities.values()) if self.probabilities else 0.0


def _probabilities(values: Any) -> dict[str, float]:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    total = arr.sum()
    arr = arr / total if total > 0 else arr
    return {label: float(arr[i]) for i, label in enumerate(LABELS)}


class EmotionAnalyzer:
    """Build once on the analysis thread (loads the models), then call ``analyze`` per frame."""

    def __init__(self, detector: str = "opencv", method: str = "fast", detect_width: int = 320) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown analysis method {method!r}; choose one of {', '.join(METHODS)}")
        self.detector_name = detector
        self.method = method
        self.detect_width = detect_width
        self._deepface = import_deepface()
        try:
            self._emotion = self._deepface.build_model(task="facial_attribute", model_name="Emotion")
        except Exception as exc:  # DeepFace wraps loader errors in ValueError/OSError variants
            raise WeightsError(
                f"DeepFace could not load the emotion weights ({exc}). Delete the weights folder "
                "named above so Emotune copies fresh ones, or reinstall Emotune."
            ) from exc
        self._detector = self._deepface.build_model(task="face_detector", model_name=detector)

    def warm_up(self) -> None:
        """One call on a blank frame, so the first real frame does not pay for graph building."""
        self.analyze(np.zeros((240, 320, 3), np.uint8), 0.0)

    def analyze(self, frame: np.ndarray, t: float) -> Reading:
        """Analyse one BGR frame taken at time ``t`` (seconds)."""
        if self.method == "plain":
            return self._analyze_plain(frame, t)
        return self._analyze_fast(frame, t)

    def classify_face(self, face_bgr: np.ndarray) -> dict[str, float]:
        """Probabilities for a face crop, through DeepFace's Emotion model and preprocessing."""
        padded = pad_to_square(face_bgr.astype(np.float32) / 255.0)
        return _probabilities(self._emotion.predict(padded))

    def _analyze_plain(self, frame: np.ndarray, t: float) -> Reading:
        try:
            results = self._deepface.analyze(
                frame, actions=["emotion"], detector_backend=self.detector_name, enforce_detection=True, silent=True
            )
        except ValueError:  # DeepFace's "face could not be detected" (FaceNotDetected)
            return Reading(t)
        best = max(results, key=lambda r: r["region"]["w"] * r["region"]["h"])
        region = best["region"]
        box = Box(int(region["x"]), int(region["y"]), int(region["w"]), int(region["h"]))
        return Reading(t, box, _probabilities([best["emotion"][label] for label in LABELS]))

    def _analyze_fast(self, frame: np.ndarray, t: float) -> Reading:
        box = self.detect(frame)
        if box is None:
            return Reading(t)
        face = frame[box.y : box.y + box.h, box.x : box.x + box.w]
        return Reading(t, box, self.classify_face(face))

    def detect(self, frame: np.ndarray) -> Box | None:
        """The largest face in the frame, detected on a copy at most ``detect_width`` wide."""
        height, width = frame.shape[:2]
        scale = min(1.0, self.detect_width / width) if self.detect_width else 1.0
        small = cv2.resize(frame, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else frame
        regions = self._detector.detect_faces(small)
        if not regions:
            return None
        best = max(regions, key=lambda r: r.w * r.h)
        x, y = max(0, int(best.x / scale)), max(0, int(best.y / scale))
        w, h = min(width - x, int(best.w / scale)), min(height - y, int(best.h / scale))
        if w <= 0 or h <= 0:
            return None
        return Box(x, y, w, h)
