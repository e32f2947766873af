"""Small display widgets: the seven emotion bars and the mood timeline."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from emotune.emotions import LABELS

MOOD_COLOURS = {
    "happy": "#f5c542", "calm": "#5ab4e5", "sad": "#7b8cde", "energetic": "#e5533d", "tense": "#9b59b6",
}


class EmotionBars(QWidget):
    """One bar per DeepFace label, 0–100 %, updated from each analysed frame.

    Painted as one widget: seven QProgressBars cost half a millisecond each per update
    through the style (about 1.5% of a core at five analyses a second); one paint of seven
    rectangles costs a fraction of that."""

    ROW = 20

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict[str, int] = dict.fromkeys(LABELS, 0)
        self.setMinimumHeight(self.ROW * len(LABELS))
        self.setMinimumWidth(220)

    def show_probabilities(self, probabilities: dict[str, float]) -> None:
        values = {label: round(100 * probabilities.get(label, 0.0)) for label in LABELS}
        if values != self.values:
            self.values = values
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        name_width = max(metrics.horizontalAdvance(label) for label in LABELS) + 10
        bar_width = max(10, self.width() - name_width - 2)
        text = self.palette().color(self.foregroundRole())
        for row, label in enumerate(LABELS):
            y = row * self.ROW
            painter.setPen(text)
            painter.drawText(QRect(0, y, name_width, self.ROW), Qt.AlignVCenter | Qt.AlignLeft, label)
            frame = QRect(name_width, y + 3, bar_width, self.ROW - 6)
            painter.fillRect(frame, QColor("#2b2f38"))
            filled = QRect(frame.x(), frame.y(), int(frame.width() * self.values[label] / 100), frame.height())
            painter.fillRect(filled, QColor("#4cd964" if self.values[label] == max(self.values.values()) else "#5b8def"))
            painter.setPen(QColor("#fff"))
            painter.drawText(frame, Qt.AlignCenter, f"{self.values[label]}%")


class MoodTimeline(QWidget):
    """Coloured bands of the mood over the last ``span`` seconds, with the winning expression,
    so the listener can see why the music changed."""

    def __init__(self, span: float = 120.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.span = span
        self.segments: deque[tuple[float, str, str]] = deque()  # (wall start, mood, emotion)
        self.setMinimumHeight(64)
        self.setToolTip("Mood over the last minutes (label: the expression that won)")

    def add(self, mood: str, emotion: str, at: float | None = None) -> None:
        self.segments.append((time.monotonic() if at is None else at, mood, emotion))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202329"))
        now = time.monotonic()
        start = now - self.span
        while len(self.segments) > 1 and self.segments[1][0] < start:
            self.segments.popleft()
        width = self.width()
        items = list(self.segments)
        for i, (t0, mood, emotion) in enumerate(items):
            t1 = items[i + 1][0] if i + 1 < len(items) else now
            x0 = int((max(t0, start) - start) / self.span * width)
            x1 = int((t1 - start) / self.span * width)
            rect = QRect(x0, 0, max(1, x1 - x0), self.height() - 14)
            painter.fillRect(rect, QColor(MOOD_COLOURS.get(mood, "#888")))
            if rect.width() > 40:
                painter.setPen(QColor("#111"))
                painter.drawText(rect, Qt.AlignCenter, f"{mood} ({emotion})")
        painter.setPen(QColor("#99a"))
        painter.drawText(QRect(0, self.height() - 14, width, 14), Qt.AlignLeft, f"-{self.span / 60:.0f} min")
        painter.drawText(QRect(0, self.height() - 14, width, 14), Qt.AlignRight, "now")

