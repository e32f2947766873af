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

    def as_dict(self) -> dict:
        return {
            "accuracy": round(self.accuracy, 4),
            "per_label": {k: round(v, 4) for k, v in self.per_label.items()},
            "confusion": self.confusion,
            "labels": list(LABELS),
            "counts": self.counts,
            "n": self.n,
        }


def score(y_true: np.ndarray, y_pred: np.ndarray) -> Scores:
    """Compare label indices; labels absent from ``y_true`` get NaN accuracy, not 0."""
    k = len(LABELS)
    confusion = np.zeros((k, k), np.int64)
    np.add.at(confusion, (y_true, y_pred), 1)
    totals = confusion.sum(axis=1)
    per_label = {
        LABELS[i]: float(confusion[i, i] / totals[i]) if totals[i] else float("nan") for i in range(k)
    }
    n = int(len(y_true))
    accuracy = float(np.trace(confusion) / n) if n else float("nan")
    counts = {LABELS[i]: int(totals[i]) for i in range(k)}
    return Scores(accuracy, per_label, confusion.tolist(), n, counts)


def format_report(scores: Scores, title: str = "") -> str:
    """A plain-text report: overall, per label, and the confusion matrix with labels."""
    lines = [title] if title else []
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
