"""Accuracy, per-label accuracy and the confusion matrix, printed the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from emotune.emotions import LABELS


@dataclass
class Scores:
    """Evaluation figures; ``confusion[i][j]`` counts true label i predicted as j."""

    accuracy: float
    per_label: dict[str, float]
    confusion: list[list[int]]
    n: int
    counts: dict[str, int] = field(default_factory=dict)
    #: Images where the detector found no face (``evaluate --detect``): they count as wrong
    #: in ``accuracy``, ``per_label`` and ``counts``, and are not in ``confusion``.
    missed: list[str] = field(default_factory=list)
    no_face: dict[str, int] = field(default_factory=dict)

    @property
    def accuracy_found(self) -> float:
        """Accuracy on the faces that were found (the network's share of the errors)."""
        found = self.n - len(self.missed)
        return float(sum(self.confusion[i][i] for i in range(len(LABELS))) / found) if found else float("nan")

    def as_dict(self) -> dict:
        out = {
            "accuracy": round(self.accuracy, 4),
            "per_label": {k: round(v, 4) for k, v in self.per_label.items()},
            "confusion": self.confusion,
            "labels": list(LABELS),
            "counts": self.counts,
            "n": self.n,
        }
        if self.missed:
            out.update(accuracy_found=round(self.accuracy_found, 4), no_face=self.no_face, missed=self.missed)
        return out


def score(y_true: np.ndarray, y_pred: np.ndarray, missed: list[tuple[str, int]] | None = None) -> Scores:
    """Compare label indices; labels absent from ``y_true`` get NaN accuracy, not 0.
    ``missed`` (image, label) pairs had no face found: each is one more wrong answer."""
    k = len(LABELS)
    missed = missed or []
    confusion = np.zeros((k, k), np.int64)
    np.add.at(confusion, (np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)), 1)
    no_face = np.zeros(k, np.int64)
    for _, label in missed:
        no_face[label] += 1
    totals = confusion.sum(axis=1) + no_face
    per_label = {
        LABELS[i]: float(confusion[i, i] / totals[i]) if totals[i] else float("nan") for i in range(k)
    }
    n = int(len(y_true)) + len(missed)
    accuracy = float(np.trace(confusion) / n) if n else float("nan")
    counts = {LABELS[i]: int(totals[i]) for i in range(k)}
    return Scores(accuracy, per_label, confusion.tolist(), n, counts,
                  [name for name, _ in missed], {LABELS[i]: int(no_face[i]) for i in range(k)} if missed else {})


def format_report(scores: Scores, title: str = "") -> str:
    """A plain-text report: overall, per label, and the confusion matrix with labels."""
    lines = [title] if title else []
    if scores.missed:
        lines.append(f"accuracy {scores.accuracy:.1%} on {scores.n} images, counting the {len(scores.missed)} "
                     f"where the detector found no face as wrong ({scores.accuracy_found:.1%} of the "
                     f"{scores.n - len(scores.missed)} faces found)")
        shown = ", ".join(scores.missed[:10]) + (f" and {len(scores.missed) - 10} more" if len(scores.missed) > 10 else "")
        lines.append(f"no face found in: {shown}")
    else:
        lines.append(f"accuracy {scores.accuracy:.1%} on {scores.n} faces")
    lines.append("per label:")
    for label in LABELS:
        value = scores.per_label[label]
        shown = "  n/a " if value != value else f"{value:6.1%}"  # NaN check
        lines.append(f"  {label:<9}{shown}  (n={scores.counts.get(label, 0)})")
    lines.append("confusion (rows true, columns predicted):")
    lines.append("          " + "".join(f"{label[:7]:>8}" for label in LABELS))
    for label, row in zip(LABELS, scores.confusion):
        lines.append(f"  {label:<8}" + "".join(f"{v:>8}" for v in row))
    return "\n".join(lines)
