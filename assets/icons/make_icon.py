"""Draws Emotune's application icon (a smiling face with a music note) into PNG files.

Run: QT_QPA_PLATFORM=offscreen python assets/icons/make_icon.py
"""

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen

HERE = Path(__file__).resolve().parent


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format_ARGB32)
    image.fill(Qt.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    s = size / 256
    p.setBrush(QBrush(QColor("#f5c542")))
    p.setPen(QPen(QColor("#c7901a"), 8 * s))
    p.drawEllipse(QRectF(16 * s, 16 * s, 200 * s, 200 * s))
    p.setBrush(QBrush(QColor("#3b2a10")))
    p.setPen(Qt.NoPen)
    p.drawEllipse(QRectF(70 * s, 80 * s, 24 * s, 32 * s))
    p.drawEllipse(QRectF(138 * s, 80 * s, 24 * s, 32 * s))
    smile = QPainterPath(QPointF(64 * s, 140 * s))
    smile.quadTo(QPointF(116 * s, 200 * s), QPointF(168 * s, 140 * s))
    p.setPen(QPen(QColor("#3b2a10"), 12 * s, Qt.SolidLine, Qt.RoundCap))
    p.setBrush(Qt.NoBrush)
    p.drawPath(smile)
    # the note
    p.setPen(Qt.NoPen)
    p.setBrush(QBrush(QColor("#5ab4e5")))
    p.drawEllipse(QRectF(168 * s, 196 * s, 40 * s, 30 * s))
    p.drawRect(QRectF(198 * s, 112 * s, 10 * s, 100 * s))
    flag = QPainterPath(QPointF(208 * s, 112 * s))
    flag.quadTo(QPointF(250 * s, 130 * s), QPointF(236 * s, 170 * s))
    flag.quadTo(QPointF(236 * s, 140 * s), QPointF(208 * s, 140 * s))
    p.drawPath(flag)
    p.end()
    return image


if __name__ == "__main__":
    app = QGuiApplication([])
    for size in (256, 64):
        name = "emotune.png" if size == 256 else f"emotune-{size}.png"
        draw(size).save(str(HERE / name))
        print(HERE / name)
