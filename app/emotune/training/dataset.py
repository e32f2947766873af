"""Folder-per-label image sets (FER2013 style) and ``labels.csv`` sets, loaded as arrays.

Both shapes hold face crops that need no detection. Images are read once into memory:
FER2013's 28,709 48x48 faces take 66 MB as float32, which beats re-decoding JPEGs every epoch.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from emotune.emotions import LABELS
from emotune.vision.preprocess import face_to_input

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}


@dataclass
class FaceSet:
    """Preprocessed faces ``x`` (n, 48, 48) in [0, 1] and label indices ``y`` into LABELS."""

    x: np.ndarray
    y: np.ndarray
    names: list[str]
    missed: list[tuple[str, int]] = field(default_factory=list)  # (image, label) where a detector found no face

    def __len__(self) -> int:
        return len(self.y)


def _list_images(data: Path, limit_per_label: int | None, seed: int) -> list[tuple[Path, int]]:
    """(path, label index) for every image; from labels.csv if there is one, else folders."""
    if not data.is_dir():
        raise FileNotFoundError(f"{data} is not a folder of labelled images")
    items: list[tuple[Path, int]] = []
    labels_csv = data / "labels.csv"
    if labels_csv.is_file():
        with labels_csv.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if row["label"] in LABELS:
                    image_dir = data / "images" if (data / "images").is_dir() else data
                    items.append((image_dir / row["filename"], LABELS.index(row["label"])))
    else:
        for index, label in enumerate(LABELS):
            folder = data / label
            if folder.is_dir():
                files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
                items.extend((p, index) for p in files)
    if not items:
        raise FileNotFoundError(
            f"no labelled images in {data}: expected folders named {', '.join(LABELS)} "
            "or a labels.csv with filename,label"
        )
    if limit_per_label:
        rng = np.random.default_rng(seed)
        kept: list[tuple[Path, int]] = []
        for index in range(len(LABELS)):
            of_label = [item for item in items if item[1] == index]
            order = rng.permutation(len(of_label))[:limit_per_label]
            kept.extend(of_label[i] for i in sorted(order))
        items = kept
    return items


def label_indices(data: Path, limit_per_label: int | None = None, seed: int = 0) -> np.ndarray:
    """The label index of every image ``load_faces`` would read, in its order, without reading them."""
    return np.array([label for _, label in _list_images(Path(data), limit_per_label, seed)], np.int64)


def load_faces(data: Path, limit_per_label: int | None = None, seed: int = 0, size: int = 48,
               crop: Callable[[np.ndarray], np.ndarray | None] | None = None,
               indices: np.ndarray | None = None) -> FaceSet:
    """Read and preprocess every face in ``data`` exactly as the app preprocesses a detection.

    With ``crop`` (image -> face crop, or None when it finds no face), each image first goes
    through it, as a camera frame goes through the app's detector; images where it finds no
    face are left out of ``x``/``y`` and named in ``missed``. ``indices`` picks images by
    their place in the listing (a split chosen on ``label_indices``), before any detection,
    so a detector's misses cannot move faces between splits.
    """
    items = _list_images(Path(data), limit_per_label, seed)
    if indices is not None:
        items = [items[i] for i in indices]
    xs = np.empty((len(items), size, size), np.float32)
    kept: list[tuple[Path, int]] = []
    missed: list[tuple[str, int]] = []
    for path, label in items:
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f"cannot read image {path}")
        if crop is not None:
            img = crop(img)
            if img is None:
                missed.append((str(path), label))
                continue
        xs[len(kept)] = face_to_input(img, size)
        kept.append((path, label))
    ys = np.array([label for _, label in kept], np.int64)
    return FaceSet(xs[: len(kept)], ys, [str(p) for p, _ in kept], missed)


def stratified_split(y: np.ndarray, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, val) holding out ``val_fraction`` of every label, seeded."""
    rng = np.random.default_rng(seed)
    train_idx: list[np.ndarray] = []
    val_idx: list[np.ndarray] = []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_val = max(1, int(round(len(idx) * val_fraction))) if len(idx) > 1 else 0
        val_idx.append(idx[:n_val])
        train_idx.append(idx[n_val:])
    return np.sort(np.concatenate(train_idx)), np.sort(np.concatenate(val_idx))
