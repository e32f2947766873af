"""Per-frame emotion analysis over DeepFace's public API.

Two ways to analyse a frame, with the same result type:

* ``plain``: ``DeepFace.analyze(frame, actions=["emotion"], ...)``, what a user would write.
* ``fast`` (default): DeepFace's own detector (``DeepFace.build_model(task="face_detector")``)
  on a downscaled copy of the frame, the box mapped back to full size, and DeepFace's
  Emotion model on that crop with DeepFace's preprocessing. Detection dominates the cost,
  and it is roughly proportional to the pixel count, so once a face is found the next
  frames search only a small region around it (the face moves little between frames);
  the whole frame is searched again every ``full_every`` analyses, or at once when the face
  is lost. (Every 25 instead of 10 saved a fifth of the analysis time, 0.8% of a core, but
  scored 44% instead of 47% mood-right on the shared videos: kept at 10.)

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
from emotune.vision.preprocess import aligned_crop, eye_angle, pad_to_square

METHODS = ("fast", "plain")
DETECTORS = ("opencv", "ssd", "mtcnn", "retinaface", "yunet", "centerface", "mediapipe", "dlib")


@dataclass(frozen=True)
class _Region:
    """The fields of DeepFace's FacialAreaRegion that the tracker reads."""

    x: int
    y: int
    w: int
    h: int
    left_eye: tuple[int, int] | None
    right_eye: tuple[int, int] | None


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

    def __init__(self, detector: str = "opencv", method: str = "fast", detect_width: int = 320,
                 full_every: int = 10, level: bool | None = None) -> None:
        """``level``: turn each face upright by its eyes before the network (DeepFace's
        alignment). None (default) levels only with detectors that return landmarks: OpenCV's
        eye cascade on a tracked face (about 56 px in the search near it) found both eyes in
        1 of 42 analyses on fer-woman2, and when it did they were often a nostril or a brow,
        so the crop was turned the wrong way. Without it, on the app's own crops
        (``emotune evaluate --detect``): JAFFE 39.7 -> 48.5%, muxspace 55.2 -> 57.5% of the
        faces found, the shared videos' mood scores the same (calibrated frames right 79%
        both), and 2-3 ms less an analysis."""
        if method not in METHODS:
            raise ValueError(f"unknown analysis method {method!r}; choose one of {', '.join(METHODS)}")
        self.detector_name = detector
        self.method = method
        self.detect_width = detect_width
        self.full_every = full_every
        self.level = detector != "opencv" if level is None else level
        self._last_box: Box | None = None
        self._angle = 0.0  # roll of the last face, from the detector's eye positions
        self._since_full = 0
        self._deepface = import_deepface()
        try:
            self._emotion = self._deepface.build_model(task="facial_attribute", model_name="Emotion")
        except Exception as exc:  # DeepFace wraps loader errors in ValueError/OSError variants
            raise WeightsError(
                f"DeepFace could not load the emotion weights ({exc}). Delete the weights folder "
                "named above so Emotune copies fresh ones, or reinstall Emotune."
            ) from exc
        self._detector = self._own_detector(self._deepface.build_model(task="face_detector", model_name=detector))
        self._quiet_onnx_threads()
        # OpenCV's own worker pool (for the detector, resizes and the preview's colour
        # conversion) spins between calls on small images and cost a few percent of a core
        # for nothing: the work here is a handful of small images a second.
        cv2.setNumThreads(1)

    @staticmethod
    def _own_detector(shared: Any) -> Any:
        """A detector of this analyzer's own where DeepFace's cached one holds OpenCV cascades.

        ``build_model`` hands every caller the same cached client, and a ``CascadeClassifier``
        is not safe to run from two threads at once: two sessions in one process (two windows
        in the tests) crashed the analysis with OpenCV's ``getScaleData`` assertion. A new
        client loads its own cascades from the same files (a few milliseconds, once).
        """
        if isinstance(getattr(shared, "model", None), dict) and "face_detector" in shared.model:
            return type(shared)()
        return shared

    def _quiet_onnx_threads(self) -> None:
        """Re-open DeepFace's ONNX session with one non-spinning intra-op thread.

        onnxruntime's idle worker threads spin and take a core from OpenCV's detector on a
        2-core laptop (a 17 ms frame became 28 ms); one face is too small to gain from more
        threads anyway. Same graph file, same outputs.
        """
        session = getattr(self._emotion, "model", None)
        if session is None or type(session).__name__ != "InferenceSession":
            return
        import onnxruntime as ort  # noqa: PLC0415

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self._emotion.model = ort.InferenceSession(session._model_path, sess_options=options,
                                                   providers=session.get_providers())

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
        found = self.face_crop(frame)
        if found is None:
            return Reading(t)
        box, face = found
        return Reading(t, box, self.classify_face(face))

    def face_crop(self, frame: np.ndarray) -> tuple[Box, np.ndarray] | None:
        """The largest face and its crop (levelled by the eyes if ``level``): what the network
        is shown."""
        box = self.detect(frame)
        if box is None:
            return None
        face = aligned_crop(frame, box.x, box.y, box.w, box.h, self._angle)
        if face.size == 0:
            return None
        return box, face

    def forget(self) -> None:
        """Drop the tracked face, so the next frame is searched whole (a new, unrelated image)."""
        self._last_box = None
        self._since_full = 0
        self._angle = 0.0

    def detect(self, frame: np.ndarray) -> Box | None:
        """The largest face: near the last one if there was one, else in the whole frame."""
        box = None
        if self._last_box is not None and self._since_full < self.full_every:
            box = self._detect_near(frame, self._last_box)
            self._since_full += 1
        if box is None:
            box = self._detect_in(frame, 0, 0, frame.shape[1], frame.shape[0], self.detect_width)
            self._since_full = 0
        self._last_box = box
        return box

    #: Size the tracked face is scaled to for the search near it. Haar's window starts at
    #: 24 px, so a small target means few scales to try (the cost of an analysis is mostly
    #: this search); the crop for the emotion network is still cut from the full frame.
    near_face_px = 56

    def _detect_near(self, frame: np.ndarray, last: Box) -> Box | None:
        """Search a region twice the last face's size around it, scaled so the face is
        ``near_face_px`` wide."""
        height, width = frame.shape[:2]
        x0, y0 = max(0, last.x - last.w // 2), max(0, last.y - last.h // 2)
        x1, y1 = min(width, last.x + last.w * 3 // 2), min(height, last.y + last.h * 3 // 2)
        return self._detect_in(frame, x0, y0, x1, y1, int(self.near_face_px * (x1 - x0) / max(1, last.w)),
                               face_px=self.near_face_px)

    #: Face sizes the search near the last face tries, relative to that face. Between two
    #: analyses (a fraction of a second) a face does not halve or double in size; bounding
    #: the cascade's scales halves its cost (11 -> 6 ms a search on this machine).
    near_size_range = (0.7, 1.45)

    #: Smallest face the whole-frame search looks for, as a share of the searched width
    #: (32 px of 320: a face a sixth of a metre wide seen from about 2.5 m by a laptop's
    #: camera). Smaller faces give the 48-pixel network too little to read, and the
    #: cascade's smallest scales are its most expensive: this halves the search.
    full_min_face = 0.1

    def _find_faces(self, small: np.ndarray, face_px: int | None) -> list[Any]:
        """DeepFace's detector on ``small``. With the OpenCV detector, call its own cascade
        and eye finder (the same models and parameters ``detect_faces`` uses: scale 1.1, 10
        neighbours) with the face size bounded: near a known face (``face_px`` set) to
        ``near_size_range`` of it, in the whole frame to at least ``full_min_face``; and
        look for the eyes of the largest face only, the one the caller keeps (and only when
        ``level`` is on)."""
        model = getattr(self._detector, "model", None)
        cascade = model.get("face_detector") if isinstance(model, dict) else None
        if cascade is None or not hasattr(self._detector, "find_eyes"):
            return self._detector.detect_faces(small)
        if face_px is None:
            low = round(small.shape[1] * self.full_min_face)
            faces = cascade.detectMultiScale(small, 1.1, 10, minSize=(low, low))
        else:
            low, high = (round(face_px * f) for f in self.near_size_range)
            faces = cascade.detectMultiScale(small, 1.1, 10, minSize=(low, low), maxSize=(high, high))
        if len(faces) == 0:
            return []
        x, y, w, h = (int(v) for v in max(faces, key=lambda f: int(f[2]) * int(f[3])))
        left, right = self._detector.find_eyes(small[y:y + h, x:x + w]) if self.level else (None, None)
        return [_Region(x, y, w, h,
                        None if left is None else (int(x + left[0]), int(y + left[1])),
                        None if right is None else (int(x + right[0]), int(y + right[1])))]

    def _detect_in(self, frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, max_width: int,
                   face_px: int | None = None) -> Box | None:
        """Run DeepFace's detector on frame[y0:y1, x0:x1] shrunk to ``max_width``; full-frame box."""
        region = frame[y0:y1, x0:x1]
        height, width = region.shape[:2]
        if width == 0 or height == 0:
            return None
        scale = min(1.0, max_width / width) if max_width else 1.0
        small = cv2.resize(region, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else region
        regions = self._find_faces(small, face_px)
        if not regions:
            return None
        best = max(regions, key=lambda r: r.w * r.h)
        # A uniform scale keeps angles.
        self._angle = eye_angle(best.left_eye, best.right_eye) if self.level else 0.0
        x, y = x0 + max(0, int(best.x / scale)), y0 + max(0, int(best.y / scale))
        w = min(frame.shape[1] - x, int(best.w / scale))
        h = min(frame.shape[0] - y, int(best.h / scale))
        if w <= 0 or h <= 0:
            return None
        return Box(x, y, w, h)
