"""The emotion weights: copied from the app's assets into an app-owned ``DEEPFACE_HOME``.

DeepFace looks for weights in ``$DEEPFACE_HOME/.deepface/weights/`` and downloads them if
absent; this machine and many users' have no internet. So at start we point DeepFace at a
folder of our own and put the shipped, checksum-verified weights there. Users who want
DeepFace's official weights get a separate home, so the two never overwrite each other.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from pathlib import Path

from platformdirs import user_data_dir

from emotune.resources import assets_dir

WEIGHT_FILES = {
    "onnx": "facial_expression_model_weights.onnx",
}
CHECKSUMS = "SHA256SUMS"


class WeightsError(RuntimeError):
    """The emotion weights are missing or damaged; the message says what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shipped_checksums(models: Path) -> dict[str, str]:
    """File name → sha256 from the shipped ``SHA256SUMS`` (``sha256sum`` format)."""
    sums = models / CHECKSUMS
    if not sums.is_file():
        raise WeightsError(f"{sums} is missing: reinstall Emotune, or train weights with `emotune train`")
    result = {}
    try:
        text = sums.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WeightsError(f"{sums} cannot be read ({exc}): reinstall Emotune") from exc
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        digest = parts[0].lower()
        if len(parts) != 2 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise WeightsError(f"{sums} is damaged (line {number} is not 'sha256  file name'): reinstall Emotune")
        result[parts[1].strip().lstrip("*")] = digest
    return result


def default_home(official: bool = False) -> Path:
    return Path(user_data_dir("emotune", appauthor=False)) / ("deepface-official" if official else "deepface")


def prepare(engine: str, official: bool = False, home: Path | None = None, models: Path | None = None) -> Path:
    """Set ``DEEPFACE_HOME`` and make sure the weights for ``engine`` are in it.

    Returns the weights file DeepFace will load. With ``official`` nothing is copied:
    DeepFace downloads its own weights there on first use (needs internet).
    """
    home = home or default_home(official)
    weights_dir = home / ".deepface" / "weights"
    try:
        weights_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WeightsError(
            f"cannot create Emotune's data folder {weights_dir} ({exc.strerror or exc}): "
            "make sure your data folder (~/.local/share/emotune) is a writable folder"
        ) from exc
    os.environ["DEEPFACE_HOME"] = str(home)
    name = WEIGHT_FILES[engine]
    target = weights_dir / name
    if official:
        return target

    models = models or assets_dir() / "models"
    expected = shipped_checksums(models).get(name)
    source = models / name
    if expected is not None and target.is_file() and sha256(target) == expected:
        return target  # a verified copy: enough, even if the shipped file has gone since
    if expected is None or not source.is_file():
        raise WeightsError(
            f"the shipped emotion weights {source} are missing: reinstall Emotune, or run "
            "`emotune train` (see the README) and put the result there"
        )
    if sha256(source) != expected:
        raise WeightsError(
            f"the shipped emotion weights {source} are damaged (checksum mismatch): reinstall "
            "Emotune, or retrain them with `emotune train`"
        )
    # Copy to a file of this process's own, then rename: a crash mid-copy never leaves a
    # half file DeepFace would trust, and two Emotunes starting at once never share one.
    partial = weights_dir / f".{name}.{os.getpid()}.{threading.get_ident()}.part"
    try:
        shutil.copyfile(source, partial)
        partial.replace(target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise WeightsError(f"cannot copy the emotion weights into {weights_dir} ({exc.strerror or exc})") from exc
    return target
