"""The one place that imports DeepFace, after choosing its engine.

DeepFace reads ``DEEPFACE_BACKEND_ENGINE`` and ``DEEPFACE_HOME`` once, at import, and caches
the engine for the life of the process. So both must be set before the first import, and
a second, different choice in the same process is an error rather than a silent no-op.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

#: DeepFace runs Emotune's network on its ONNX engine only: the network is not DeepFace's
#: 2017 architecture, which DeepFace's TensorFlow engine would build and fill from an .h5.
#: TensorFlow is needed to *train* it (the ``train`` extra), never to run the app.
ENGINES: tuple[str, ...] = ("onnx",)
DEFAULT_ENGINE = "onnx"

_ENV = "DEEPFACE_BACKEND_ENGINE"


class EngineError(RuntimeError):
    """The requested engine cannot be used in this process."""


def select_engine(engine: str = DEFAULT_ENGINE) -> None:
    """Choose DeepFace's engine for this process; must run before deepface is imported."""
    if engine == "tensorflow":
        raise EngineError('the TensorFlow engine was retired: Emotune\'s emotion network runs on DeepFace\'s '
                          'ONNX engine (engine = "onnx")')
    if engine not in ENGINES:
        raise EngineError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    backend_utils = sys.modules.get("deepface.commons.backend_utils")
    chosen = getattr(backend_utils, "_backend_engine", None)  # None until DeepFace first asks
    if chosen is not None and chosen != engine:
        raise EngineError(f"DeepFace already runs on the {chosen} engine; start a new process to use {engine}")
    os.environ[_ENV] = engine
    # TensorFlow's C++ start-up chatter is noise for a desktop app's log.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def current_engine() -> str:
    """The engine chosen for this process (the default if none was chosen yet)."""
    return os.environ.get(_ENV, DEFAULT_ENGINE)


def import_deepface(engine: str | None = None) -> ModuleType:
    """Import and return ``deepface.DeepFace`` on the chosen engine.

    DeepFace is imported before TensorFlow on purpose: imported the other way round its
    models run on Keras 3 instead of tf-keras, about twice as slow per face.
    """
    select_engine(engine or current_engine())
    from deepface import DeepFace  # noqa: PLC0415 - lazy on purpose: 0.25 s to 2.3 s

    return DeepFace
