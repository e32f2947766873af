"""Per-listener calibration: read each face relative to the listener's relaxed face.

Many resting faces are read as sad or angry by an emotion network trained on posed
expressions (deepface#247, "always sad instead of neutral"), and that plays sad music all
day. A calibration records what the network says about *this* listener's relaxed face (a
probability distribution, the median of a few seconds' readings; never a frame) and from then on maps
each reading through

    p'(e) ∝ p(e) · (target(e) / baseline(e)) ** strength

so that the baseline itself reads as ``TARGET`` (a relaxed face: mostly neutral), and any
departure from it (more happy than usual, more angry than usual) moves the reading the same
way. ``strength`` 0 is no calibration, 1 is the full correction; the default was chosen on
the mood scores (README, "Calibration").

The baseline file is the listener's data, in the user data folder: loading never changes
it; a broken one is reported and ignored (left in place); clearing deletes only it.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
from platformdirs import user_data_dir

from emotune.emotions import LABELS

#: What a relaxed face should read as after calibration: the shipped network's average
#: reading of 600 neutral FER2013 training faces (``python scripts/neutral_reference.py``).
#: Mapping the listener's baseline onto it removes what is particular to their face and
#: keeps what the network says of relaxed faces in general. A neutral-heavy target
#: (neutral 0.64, each other 0.06) scored 63% of frames right against 65% for this one.
TARGET: dict[str, float] = {"angry": 0.081, "disgust": 0.015, "fear": 0.087, "happy": 0.096, "sad": 0.146,
                            "surprise": 0.038, "neutral": 0.537}
#: The baseline for a listener who has not calibrated: the shipped network's average reading
#: of the 323 neutral muxspace faces its own detector finds (``python
#: scripts/neutral_reference.py``). Through the app's crop a relaxed face of a stranger reads
#: neutral 25%, sad 23%, angry 17%, fear 17%: the "always sad" complaint, in the population.
#: Mapped onto ``TARGET`` like a listener's own baseline, it takes that lean out before anyone
#: has pressed Calibrate…; their own baseline replaces it (README, "How right is the mood":
#: on the shared videos, which it never saw, mood right 34% -> 43%, spurious changes 5.9 ->
#: 1.5 a minute with the average shipped 2026-12-06). ``default_calibration = false`` turns it off.
DEFAULT_BASELINE: dict[str, float] = {"angry": 0.174, "disgust": 0.034, "fear": 0.165, "happy": 0.073,
                                      "sad": 0.232, "surprise": 0.075, "neutral": 0.247}
#: Fewest face readings a calibration needs (about 2 s at the fast analysis rate).
MIN_FACES = 8
#: No expression's baseline share goes below this, so that one near-zero class cannot be
#: multiplied up without bound.
FLOOR = 0.01


class CalibrationError(Exception):
    """A calibration could not be made, read or stored; the message says why and what to do."""


@dataclass(frozen=True)
class Baseline:
    """The listener's relaxed face as the network reads it."""

    probabilities: dict[str, float]
    faces: int  # how many readings were averaged
    created: str  # ISO time, for "active since …"

    def adjust(self, probabilities: Mapping[str, float], strength: float) -> dict[str, float]:
        """``probabilities`` read relative to this baseline (see the module docstring)."""
        if strength <= 0 or not probabilities:
            return dict(probabilities)
        scores = {
            label: max(p, 0.0) * (TARGET[label] / max(self.probabilities.get(label, FLOOR), FLOOR)) ** strength
            for label, p in probabilities.items()
        }
        total = sum(scores.values())
        if total <= 0 or not math.isfinite(total):
            return dict(probabilities)
        return {label: s / total for label, s in scores.items()}

    def describe(self) -> str:
        top = sorted(self.probabilities.items(), key=lambda kv: -kv[1])[:3]
        read = ", ".join(f"{label} {p:.0%}" for label, p in top)
        return f"calibrated {self.created[:16].replace('T', ' ')} on {self.faces} readings (your relaxed face read as {read})"

    def to_json(self) -> dict:
        return {"version": 1, "probabilities": self.probabilities, "faces": self.faces, "created": self.created}

    @classmethod
    def from_json(cls, data: object) -> "Baseline":
        if not isinstance(data, dict) or not isinstance(data.get("probabilities"), dict):
            raise ValueError("not a calibration (no probabilities table)")
        probs = data["probabilities"]
        if set(probs) != set(LABELS):
            raise ValueError(f"expected the expressions {', '.join(LABELS)}, found {', '.join(map(str, probs))}")
        values = [probs[label] for label in LABELS]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in values):
            raise ValueError("probabilities must be numbers from 0 to 1")
        if abs(sum(values) - 1) > 0.01:
            raise ValueError(f"probabilities add up to {sum(values):.3f}, not 1")
        faces = data.get("faces", 0)
        return cls({label: float(probs[label]) for label in LABELS}, int(faces) if isinstance(faces, int) else 0,
                   str(data.get("created", "")))


class Collector:
    """The typical reading of a relaxed face over a span of source time."""

    def __init__(self, seconds: float, min_faces: int = MIN_FACES) -> None:
        self.seconds = seconds
        self.min_faces = min_faces
        self.start: float | None = None
        self._faces: list[list[float]] = []
        self.faces = 0
        self.readings = 0

    def add(self, t: float, probabilities: Mapping[str, float] | None) -> bool:
        """Take one reading (None or empty: no face); True once the span is over."""
        if self.start is None:
            self.start = t
        self.readings += 1
        if probabilities:
            self.faces += 1
            self._faces.append([probabilities.get(label, 0.0) for label in LABELS])
        return t - self.start >= self.seconds

    def remaining(self, t: float) -> float:
        return self.seconds if self.start is None else max(0.0, self.seconds - (t - self.start))

    def result(self) -> Baseline:
        if self.faces < self.min_faces:
            raise CalibrationError(
                f"calibration needs your face in view: it saw a face in {self.faces} of {self.readings} "
                f"readings (at least {self.min_faces} needed). Face the camera and try again."
            )
        # The median of each expression, not the mean: a smile or a blink during the
        # seconds of calibration must not become part of the relaxed face.
        medians = np.median(np.asarray(self._faces), axis=0)
        total = float(medians.sum()) or 1.0
        probs = {label: float(m) / total for label, m in zip(LABELS, medians)}
        return Baseline(probs, self.faces, time.strftime("%Y-%m-%dT%H:%M:%S"))


def typical() -> Baseline:
    """``DEFAULT_BASELINE`` as a baseline: what applies until the listener calibrates."""
    return Baseline(dict(DEFAULT_BASELINE), 0, "")


def uncalibrated_reading(settings: object) -> str:
    """How faces are read while the listener has no calibration of their own (for the window)."""
    if getattr(settings, "default_calibration", True) and getattr(settings, "calibration_strength", 1.0) > 0:
        return "faces are read relative to a typical relaxed face"
    return "faces are read as the network sees them"


def default_path() -> Path:
    return Path(user_data_dir("emotune", appauthor=False)) / "calibration.json"


def load(path: Path) -> Baseline | None:
    """The stored baseline, None if there is none; CalibrationError if the file is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CalibrationError(f"cannot read the calibration {path}: {exc.strerror}; reading faces uncalibrated") from exc
    try:
        return Baseline.from_json(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise CalibrationError(
            f"the calibration {path} is unusable ({exc}); reading faces uncalibrated. Calibrate again to replace it."
        ) from exc


def save(path: Path, baseline: Baseline) -> None:
    """Write the baseline atomically (a crash never leaves half a file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".calibration-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(baseline.to_json(), handle, indent=1)
        os.replace(tmp, path)
    except OSError as exc:
        raise CalibrationError(
            f"cannot save the calibration to {path}: {exc.strerror}; it applies until Emotune closes"
        ) from exc


def clear(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise CalibrationError(f"cannot remove the calibration {path}: {exc.strerror}") from exc
