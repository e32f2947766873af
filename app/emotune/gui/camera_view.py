"""The live preview: pulls the newest frame on a timer and draws the tracked face on it.

It reads the source's slot with ``peek`` (never waits, never takes the analyzer's frame),
so the preview runs at the camera's rate however slow the analysis is (Friture's pattern:
the GUI pulls the latest data on a fixed QTimer; nothing queues in the event loop).
"""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QRegion
from PySide6.QtWidgets import QSizePolicy, QWidget

from emotune.vision.analyzer import Reading
from emotune.vision.sources import Frame


_BACKGROUND = QColor("#15171c")
_GREEN = QColor("#4cd964")
_LABEL_TEXT = QColor("#111")
_BOX_WIDTH = 3  # pixels


def _fit(width: int, height: int, room_w: int, room_h: int) -> float:
    """The scale that fits a width x height picture into the room, never above 1."""
    return min(room_w / width, room_h / height, 1.0)


class CameraView(QWidget):
    def __init__(self, frame_getter: Callable[[], Frame | None], reading_getter: Callable[[], Reading | None],
                 fps: float = 30.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._get_frame = frame_getter
        self._get_reading = reading_getter
        self._image: QImage | None = None  # the newest frame, 32-bit
        self._pixels: np.ndarray | None = None  # the memory _image points into; kept alive here
        self._image_scale = 1.0  # size of _image against the camera frame (1 unless shrunk)
        self._shrunk: np.ndarray | None = None  # a frame far bigger than drawn, shrunk first
        self.preview_on = True
        self._last_index = -1
        self._framed: tuple[int, int, int, int] | None = None  # picture and widget size last drawn
        self._label_rect: QRect | None = None  # where the face label was last drawn
        self.frames_drawn = 0
        self.message = "starting…"
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WA_OpaquePaintEvent)  # every pixel is painted here: no erase first
        self._label: tuple[str, QImage] | None = None  # the face label's text and its image
        self._label_font = QFont(self.font().family(), 12, QFont.Bold)
        # As tall as the picture is for its width (no dark bars above and below it): the
        # camera's shape once a frame has come, 4:3 (a webcam's) until then.
        self._aspect = 3 / 4
        policy = QSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._pull)
        self.timer.start(int(1000 / max(1.0, min(fps, 60.0))))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        if not self.preview_on:
            return self.minimumHeight()
        return max(self.minimumHeight(), min(self.maximumHeight(), round(width * self._aspect)))

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, round(480 * self._aspect))

    def set_enabled(self, enabled: bool) -> None:
        """Turn the preview on or off (a listener who does not want to watch their face)."""
        self.preview_on = enabled
        if not enabled:
            self._image = None
            self.message = "camera preview hidden: the mood still follows your face"
        self.update()

    def _pull(self) -> None:
        if not self.preview_on or not self._on_screen():
            return  # hidden, minimised or off: no conversion, no painting
        frame = self._get_frame()
        if frame is None or frame.index == self._last_index:
            return
        self._last_index = frame.index
        height, width = frame.image.shape[:2]
        if abs(height / width - self._aspect) > 0.01:  # the camera's own shape: relayout once
            self._aspect = height / width
            self.updateGeometry()
        image = frame.image
        fit = _fit(width, height, self.width(), self.height())
        if fit < 0.5:
            # Far bigger than drawn (a large camera in a small window): shrink by area
            # averaging first, where the painter's nearest-neighbour would alias and would convert
            # pixels that are never shown.
            w, h = max(1, round(width * fit)), max(1, round(height * fit))
            if self._shrunk is None or self._shrunk.shape[:2] != (h, w):
                self._shrunk = np.empty((h, w, 3), np.uint8)  # kept, as _pixels below
            image = cv2.resize(image, (w, h), dst=self._shrunk, interpolation=cv2.INTER_AREA)
        h, w = image.shape[:2]
        if self._image is None or self._pixels is None or self._pixels.shape[:2] != (h, w):
            # A buffer kept from frame to frame: a fresh array 30 times a second cost more
            # than the conversion itself.
            self._pixels = np.empty((h, w, 4), np.uint8)
            self._image = QImage(self._pixels.data, w, h, 4 * w, QImage.Format_RGB32)  # shares _pixels
        # 32-bit pixels in the backing store's own format, at the frame's own size: the
        # painter copies or scales them straight into the window (see paintEvent), where a
        # 24-bit BGR image made Qt convert every pixel on every paint (1.6 ms a frame).
        # Written in place: the QImage painted from them is drawn on this thread only.
        cv2.cvtColor(image, cv2.COLOR_BGR2BGRA, dst=self._pixels)
        self._image_scale = w / width
        w, h = self._drawn_size()
        self.frames_drawn += 1
        # Repaint (and send to the display) only the picture and the label above the face,
        # not the bars around it: on a large window most of the widget is bars, and every
        # repainted pixel is copied to the X server 30 times a second.
        if self._framed == (w, h, self.width(), self.height()):
            x0, y0 = (self.width() - w) // 2, (self.height() - h) // 2
            dirty = QRect(x0, y0, w, h)
            if self._label_rect is not None:  # the old label, and room for the new one near it
                dirty = dirty.united(self._label_rect.adjusted(-40, -40, 40, 40))
            self.update(dirty)
        else:  # first frame, or a new size: the bars change too
            self._framed = (w, h, self.width(), self.height())
            self.update()

    def _drawn_size(self) -> tuple[int, int]:
        """The picture's size in the widget: the frame fitted in, never scaled up (a bigger
        blurred face shows nothing more and costs more pixels to paint and send)."""
        assert self._image is not None
        width, height = self._image.width(), self._image.height()
        fit = _fit(width, height, self.width(), self.height())
        if fit > 0.98:  # as good as its own size: drawn 1:1, a plain copy
            return width, height
        return max(1, round(width * fit)), max(1, round(height * fit))

    def _on_screen(self) -> bool:
        if not self.isVisible():
            return False
        handle = self.window().windowHandle()
        return handle is None or (handle.isExposed() and not (self.window().windowState() & Qt.WindowMinimized))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        if self._image is None:
            painter.fillRect(self.rect(), _BACKGROUND)
            painter.setPen(QColor("#aab"))
            painter.drawText(self.rect(), Qt.AlignCenter, self.message)
            return
        w, h = self._drawn_size()
        x0, y0 = (self.width() - w) // 2, (self.height() - h) // 2
        # Fill only around the picture: the picture covers the rest, and each pass over the
        # pixels is paid 30 times a second (the widget is opaque, so Qt paints nothing first).
        outside = QRegion(event.rect()).subtracted(QRegion(x0, y0, w, h))
        for part in outside:
            painter.fillRect(part, _BACKGROUND)
        if (w, h) == (self._image.width(), self._image.height()):
            painter.drawImage(x0, y0, self._image)
        else:
            # Nearest-neighbour, by the painter, straight into the window: 0.10 ms of CPU a
            # frame (596x336 into 480x270, conversion included), against 0.36-0.39 ms for
            # OpenCV's bilinear plus a copy, and 0.44-0.54 ms for Qt's smooth scaling, which
            # farms the work out to Qt's own thread pool. At 0.5-1x on a moving picture the
            # difference does not show; far smaller is shrunk by area averaging in _pull.
            painter.drawImage(QRect(x0, y0, w, h), self._image)
        scale = w / self._image.width() * self._image_scale  # camera pixels to widget pixels
        self._label_rect = None
        reading = self._get_reading()
        if reading is not None and reading.box is not None:
            b = reading.box
            rect = QRect(x0 + int(b.x * scale), y0 + int(b.y * scale), int(b.w * scale), int(b.h * scale))
            # The box as four filled bands, the label as an image made once per text: a
            # 3-pixel pen's stroke and the text's layout, 30 times a second, cost about as
            # much as drawing the picture itself (py-spy on the running window).
            t = _BOX_WIDTH
            for band in (QRect(rect.left() - 1, rect.top() - 1, rect.width() + 2, t),
                         QRect(rect.left() - 1, rect.bottom() - 1, rect.width() + 2, t),
                         QRect(rect.left() - 1, rect.top() - 1, t, rect.height() + 2),
                         QRect(rect.right() - 1, rect.top() - 1, t, rect.height() + 2)):
                painter.fillRect(band, _GREEN)
            label = self._label_image(f"{reading.dominant} {reading.confidence:.0%}")
            text = QRect(0, 0, label.width(), label.height())
            text.moveBottomLeft(rect.topLeft())
            self._label_rect = text
            painter.drawImage(text.topLeft(), label)

    def _label_image(self, text: str) -> QImage:
        """The face label (dark text on the box's green), drawn once per distinct text."""
        if self._label is None or self._label[0] != text:
            metrics = QFontMetrics(self._label_font)
            size = metrics.boundingRect(text).adjusted(-6, -3, 6, 3).size()
            image = QImage(size, QImage.Format_RGB32)
            image.fill(_GREEN)
            painter = QPainter(image)
            painter.setFont(self._label_font)
            painter.setPen(_LABEL_TEXT)
            painter.drawText(image.rect(), Qt.AlignCenter, text)
            painter.end()
            self._label = (text, image)
        return self._label[1]
