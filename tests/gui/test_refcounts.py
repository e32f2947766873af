"""The window must not leak references to Python's singletons.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` on every widget repaint and
one to ``True`` on every ``Signal(object)`` emit; a window repainting at 30 fps died after
about 140 s with ``Fatal Python error: none_dealloc``. A long run is the slow way to see it:
the reference counts before and after a few hundred repaints and emits show it in a second.
From Python 3.12 on ``None`` and ``True`` are immortal, their counts never move, and such a
leak can no longer kill the process, so there is nothing to measure.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from emotune.gui.bridge import SessionBridge
from emotune.gui.camera_view import CameraView
from emotune.session import FrameAnalysed, Status
from emotune.vision.analyzer import Box, Reading
from emotune.vision.sources import Frame

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None and True are immortal from Python 3.12: counts never change"
)

ROUNDS = 300
#: Unrelated code may take or drop a handful of references; the bug costs one per round.
SLACK = 20


def _counts() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def test_repainting_the_camera_view_keeps_none_and_true_alive(qtbot):
    image = np.zeros((360, 640, 3), np.uint8)
    state = {"index": 0}

    def frame() -> Frame:
        state["index"] += 1
        image[:, :, 1] = state["index"] % 255
        return Frame(image, state["index"] / 30, state["index"])

    reading = Reading(0.0, Box(200, 80, 160, 160), {"happy": 0.9, "sad": 0.1})
    view = CameraView(frame, lambda: reading)
    view.timer.stop()  # we drive it: one new frame and one synchronous repaint a round
    qtbot.addWidget(view)
    view.resize(640, 360)
    with qtbot.waitExposed(view):
        view.show()
    for _ in range(20):  # warm-up: first paints create fonts, caches, pixmaps
        view._pull()
        view.repaint()
    before = _counts()
    for _ in range(ROUNDS):
        view._pull()
        view.repaint()
    after = _counts()
    assert view.frames_drawn >= ROUNDS
    for name, b, a in zip(("None", "True", "False"), before, after):
        assert abs(a - b) < SLACK, f"{ROUNDS} repaints moved the refcount of {name} by {a - b}"


def test_signals_through_the_bridge_keep_none_and_true_alive(qtbot):
    bridge = SessionBridge()
    received: list[object] = []
    bridge.frame_analysed.connect(received.append)
    bridge.status.connect(received.append)
    event = FrameAnalysed(Reading(1.0, None, {}), 0.01)
    status = Status("ready", "ok")
    for _ in range(20):
        bridge.deliver(event)
    QApplication.processEvents()
    before = _counts()
    for _ in range(ROUNDS):
        bridge.deliver(event)
        bridge.deliver(status)
    QApplication.processEvents()
    after = _counts()
    assert len(received) == 20 + 2 * ROUNDS
    for name, b, a in zip(("None", "True", "False"), before, after):
        assert abs(a - b) < SLACK, f"{2 * ROUNDS} emits moved the refcount of {name} by {a - b}"
