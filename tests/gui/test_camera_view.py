"""The preview's pixels: buffers reused from frame to frame still show each new frame, the
picture is fitted into the widget (scaled by the painter, never up; a frame far bigger than
drawn is shrunk first), and a preview hidden and shown again draws again."""

from __future__ import annotations

import numpy as np

from emotune.emotions import LABELS
from emotune.gui.camera_view import CameraView
from emotune.vision.analyzer import Box, Reading
from emotune.vision.sources import Frame


def _pixel(view: CameraView, x: int, y: int) -> tuple[int, int, int]:
    colour = view._image.pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def _drawn(view: CameraView, x: int, y: int) -> tuple[int, int, int]:
    colour = view.grab().toImage().pixelColor(x, y)
    return colour.red(), colour.green(), colour.blue()


def _picture_bounds(view: CameraView) -> tuple[int, int]:
    """Width and height of the non-background part of the painted widget."""
    image = view.grab().toImage()
    background = image.pixelColor(0, 0)
    xs = [x for x in range(image.width()) if image.pixelColor(x, image.height() // 2) != background]
    ys = [y for y in range(image.height()) if image.pixelColor(image.width() // 2, y) != background]
    return (max(xs) - min(xs) + 1, max(ys) - min(ys) + 1) if xs and ys else (0, 0)


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
        assert view._image is not None
        assert _pixel(view, 10, 10) == (bgr[2], bgr[1], bgr[0])  # BGR in, RGB on screen
        assert _drawn(view, 240, 180) == (bgr[2], bgr[1], bgr[0])  # and in the window
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


def _shown(qtbot, width: int, height: int) -> CameraView:
    view = CameraView(lambda: None, lambda: None)
    qtbot.addWidget(view)
    view.setFixedSize(width, height)
    with qtbot.waitExposed(view):
        view.show()
    view.timer.stop()
    return view


def test_a_bigger_frame_is_scaled_down_to_fit_and_a_smaller_one_is_never_scaled_up(qtbot):
    view = _shown(qtbot, 480, 360)
    frame = {"f": Frame(np.full((336, 596, 3), (0, 0, 255), np.uint8), 0.0, 0)}
    view._get_frame = lambda: frame["f"]
    view._pull()
    assert view._image.width() == 596  # converted at its own size, scaled by the painter
    width, height = _picture_bounds(view)
    assert width == 480 and abs(height - round(336 * 480 / 596)) <= 1
    frame["f"] = Frame(np.full((120, 160, 3), (0, 255, 0), np.uint8), 0.1, 1)
    view._pull()
    assert _picture_bounds(view) == (160, 120)  # 1:1 in the middle


def test_a_frame_far_bigger_than_drawn_is_shrunk_first_and_the_face_box_follows(qtbot):
    view = _shown(qtbot, 480, 360)
    image = np.full((1080, 1920, 3), 40, np.uint8)
    view._get_frame = lambda: Frame(image, 0.0, 0)
    # A face box 400 px from the frame's left edge: a quarter of that in the 480 px picture.
    view._get_reading = lambda: Reading(0.0, Box(400, 400, 400, 400), {label: 1 / 7 for label in LABELS})
    view._pull()
    assert view._image.width() == 480 and view._image_scale == 480 / 1920
    assert _picture_bounds(view)[0] == 480
    top = (360 - 270) // 2
    assert _drawn(view, 100, top + 150)[1] > 150  # the green box's left edge, at 400 / 4
    assert _drawn(view, 90, top + 150) == (40, 40, 40)  # the picture just left of it


def test_the_face_label_is_drawn_above_the_box_and_made_once_per_text(qtbot):
    view = _shown(qtbot, 480, 360)
    view._get_frame = lambda: Frame(np.full((240, 320, 3), 40, np.uint8), 0.0, 0)
    probabilities = dict.fromkeys(LABELS, 0.0)
    reading = {"r": Reading(0.0, Box(100, 100, 80, 80), {**probabilities, "happy": 0.9, "neutral": 0.1})}
    view._get_reading = lambda: reading["r"]
    view._pull()
    left, top = (480 - 320) // 2, (360 - 240) // 2
    assert _drawn(view, left + 104, top + 90)[1] > 150  # the green label just above the box
    label = view._label
    assert label is not None and label[0] == "happy 90%"
    view.grab()
    assert view._label is label  # the same text: the same image, not drawn again
    reading["r"] = Reading(0.1, Box(100, 100, 80, 80), {**probabilities, "sad": 0.7, "neutral": 0.3})
    view.grab()
    assert view._label[0] == "sad 70%" and view._label is not label
