"""The preview's pixels: buffers reused from frame to frame still show each new frame, and a
preview hidden and shown again draws again."""

from __future__ import annotations

import numpy as np

from emotune.gui.camera_view import CameraView
from emotune.vision.sources import Frame


def _pixel(view: CameraView, x: int, y: int) -> tuple[int, int, int]:
    colour = view._image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def test_each_new_frame_is_what_the_preview_shows(qtbot):
    state = {"frame": None}
    view = CameraView(lambda: state["frame"], lambda: None)
    qtbot.addWidget(view)
    view.resize(480, 360)
    with qtbot.waitExposed(view):
        view.show()
    view.timer.stop()  # pulled by hand below
    for index, bgr in enumerate([(255, 0, 0), (0, 0, 255), (0, 200, 100)]):
        state["frame"] = Frame(np.full((336, 596, 3), bgr, np.uint8), index / 30, index)
        view._pull()
        assert view._image is not None and view._image.width() <= 480
        assert _pixel(view, 10, 10) == (bgr[2], bgr[1], bgr[0])  # BGR in, RGB on screen
    buffer = view._pixels
    state["frame"] = Frame(np.zeros((336, 596, 3), np.uint8), 1.0, 99)
    view._pull()
    assert view._pixels is buffer  # the same memory, rewritten
    assert _pixel(view, 10, 10) == (0, 0, 0)


def test_a_preview_hidden_and_shown_again_draws_again(qtbot):
    state = {"frame": Frame(np.full((240, 320, 3), 90, np.uint8), 0.0, 0)}
    view = CameraView(lambda: state["frame"], lambda: None)
    qtbot.addWidget(view)
    view.resize(480, 360)
    with qtbot.waitExposed(view):
        view.show()
    view.timer.stop()
    view._pull()
    assert view._image is not None
    view.set_enabled(False)
    assert view._image is None
    view.set_enabled(True)
    state["frame"] = Frame(np.full((240, 320, 3), 200, np.uint8), 0.1, 1)
    view._pull()
    assert view._image is not None and _pixel(view, 5, 5) == (200, 200, 200)
