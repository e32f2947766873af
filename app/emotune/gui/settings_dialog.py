"""The settings dialog. Invalid values are refused with a message in the dialog and never
saved; a good value is validated, saved to the user's config dir, and applied."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from emotune import config
from emotune.calibration import uncalibrated_reading
from emotune.config import Settings, SettingsError
from emotune.emotions import LABELS, MOODS


def _spin(value: float, low: float, high: float, step: float, suffix: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    # The box accepts a wide range on purpose: the Settings validation is the one judge,
    # so the message the user sees is the same as for a hand-edited settings file.
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(2)
    box.setSuffix(suffix)
    box.setValue(value)
    return box


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, path: Path | None = None, cameras: list[int] | None = None,
                 parent: QWidget | None = None, calibration: str | None = None,
                 clear_calibration: Callable[[], None] | None = None) -> None:
        """``calibration`` describes the active calibration (None: there is none);
        ``clear_calibration`` forgets it (the button is shown only with both)."""
        super().__init__(parent)
        self.setWindowTitle("Emotune settings")
        self.settings = settings
        self.path = path
        self.saved: Settings | None = None

        self.camera = QComboBox()
        local = settings.camera if isinstance(settings.camera, int) else None
        for index in sorted(set((cameras or []) + ([local] if local is not None else []))):
            self.camera.addItem(f"Camera {index}" + ("" if index in (cameras or []) else " (not found now)"), index)
        if local is not None:
            self.camera.setCurrentIndex(self.camera.findData(local))
        # A phone or IP camera: its MJPEG (http://…/video) or RTSP address; empty = the local camera
        self.camera_url = QLineEdit(settings.camera if isinstance(settings.camera, str) else "")
        self.camera_url.setPlaceholderText("http://phone:8080/video or rtsp://… (optional)")
        self.analysis_fps = _spin(settings.analysis_fps, -100, 1000, 1, " /s")
        self.steady_fps = _spin(settings.steady_fps, -100, 1000, 0.5, " /s")
        self.show_preview = QCheckBox("Show the camera preview")
        self.show_preview.setChecked(settings.show_preview)
        self.strategy = QComboBox()
        self.strategy.addItem("Match: music like my mood", "match")
        self.strategy.addItem("Lift: start with my mood, then step toward calmer, happier songs", "lift")
        self.strategy.setCurrentIndex(self.strategy.findData(settings.strategy))
        self.notify_mood = QCheckBox("Tell me (a desktop notification) when my mood changes the music")
        self.notify_mood.setChecked(settings.notify_mood)
        self.write_mood_tags = QCheckBox("Write the moods I choose in the library into my music files' tags")
        self.write_mood_tags.setChecked(settings.write_mood_tags)
        self.write_mood_tags.setToolTip(
            "Changes your files: a move in the library also writes its mood into the file's own mood tag "
            "(MP3 TMOO, FLAC/Ogg MOOD, M4A MOOD), where other players see it. Off: Emotune never changes a music file."
        )
        self.write_mood_tags_warning = QLabel("⚠ This changes your music files (their mood tag only; the sound stays as it is).")
        self.write_mood_tags_warning.setWordWrap(True)
        self.write_mood_tags_warning.setVisible(settings.write_mood_tags)
        self.write_mood_tags.toggled.connect(self.write_mood_tags_warning.setVisible)
        self.close_to_tray = QCheckBox("Closing the window keeps the music playing in the tray")
        self.close_to_tray.setChecked(settings.close_to_tray)
        self.window = _spin(settings.window_seconds, -100, 1000, 0.5, " s")
        self.confidence = _spin(settings.min_confidence, -10, 10, 0.05, "")
        self.fade = _spin(settings.fade_seconds, -100, 1000, 0.5, " s")
        self.pause_when_away = QCheckBox("Pause the music when nobody is there")
        self.pause_when_away.setChecked(settings.pause_when_away)
        self.away = _spin(settings.away_seconds, -100, 10000, 5, " s")

        self.calibration = QLabel(calibration or f"none: {uncalibrated_reading(settings)} "
                                                "(Emotune → Calibrate… to read them relative to your relaxed face)")
        self.calibration.setWordWrap(True)
        self.clear_calibration = QPushButton("Clear calibration")
        self.clear_calibration.setVisible(bool(calibration and clear_calibration))
        if clear_calibration is not None:
            self.clear_calibration.clicked.connect(clear_calibration)
            self.clear_calibration.clicked.connect(self._calibration_cleared)

        form = QFormLayout()
        form.addRow("Calibration", self.calibration)
        form.addRow("", self.clear_calibration)
        form.addRow("Camera (applies at the next start)", self.camera)
        form.addRow("…or a network camera", self.camera_url)
        form.addRow("Analysis rate (face changing)", self.analysis_fps)
        form.addRow("…while the mood holds (0: same)", self.steady_fps)
        form.addRow(self.show_preview)
        form.addRow(self.close_to_tray)
        form.addRow(self.notify_mood)
        form.addRow("Music for a mood", self.strategy)
        form.addRow(self.write_mood_tags)
        form.addRow(self.write_mood_tags_warning)
        form.addRow("Smoothing window", self.window)
        form.addRow("Confidence threshold", self.confidence)
        form.addRow("Fade length", self.fade)
        form.addRow(self.pause_when_away)
        form.addRow("…after no face for", self.away)

        self.map_boxes: dict[str, QComboBox] = {}
        map_group = QGroupBox("Expression → mood")
        map_form = QFormLayout(map_group)
        for label in LABELS:
            box = QComboBox()
            box.addItems(MOODS)
            box.setCurrentText(settings.mood_map[label])
            self.map_boxes[label] = box
            map_form.addRow(label, box)

        self.playlist_edits: dict[str, QLineEdit] = {}
        music_group = QGroupBox("Music for each mood (folders or .m3u files, separated by ';'; empty = demo)")
        music_form = QFormLayout(music_group)
        for mood in MOODS:
            edit = QLineEdit("; ".join(settings.playlists.get(mood, [])))
            button = QPushButton("Add folder…")
            button.clicked.connect(lambda _=False, e=edit: self._add_folder(e))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(button)
            self.playlist_edits[mood] = edit
            music_form.addRow(mood, row)

        self.error = QLabel("")
        self.error.setStyleSheet("color: #e5533d; font-weight: bold;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(map_group)
        layout.addWidget(music_group)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _calibration_cleared(self) -> None:
        self.calibration.setText(f"cleared: {uncalibrated_reading(self.settings)}")
        self.clear_calibration.hide()

    def _add_folder(self, edit: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose a music folder")
        if folder:
            current = [p for p in (s.strip() for s in edit.text().split(";")) if p]
            edit.setText("; ".join(current + [folder]))

    def collected(self) -> Settings:
        """The dialog's values as validated Settings; raises SettingsError if one is invalid."""
        playlists = {}
        for mood, edit in self.playlist_edits.items():
            paths = [p for p in (s.strip() for s in edit.text().split(";")) if p]
            if paths:
                playlists[mood] = paths
        return self.settings.with_changes(
            camera=self.camera_url.text().strip() or (self.camera.currentData()
                                                      if self.camera.currentData() is not None else 0),
            analysis_fps=self.analysis_fps.value(),
            steady_fps=self.steady_fps.value(),
            show_preview=self.show_preview.isChecked(),
            close_to_tray=self.close_to_tray.isChecked(),
            notify_mood=self.notify_mood.isChecked(),
            strategy=self.strategy.currentData(),
            write_mood_tags=self.write_mood_tags.isChecked(),
            window_seconds=self.window.value(),
            min_confidence=self.confidence.value(),
            fade_seconds=self.fade.value(),
            pause_when_away=self.pause_when_away.isChecked(),
            away_seconds=self.away.value(),
            mood_map={label: box.currentText() for label, box in self.map_boxes.items()},
            playlists=playlists,
        )

    def try_save(self) -> bool:
        try:
            settings = self.collected()
        except SettingsError as exc:
            self.error.setText(f"Not saved: {exc}")
            return False
        try:
            config.save(settings, self.path)
        except config.SettingsError as exc:  # a read-only or odd folder: say so, keep the dialog
            self.error.setText(f"Not saved: {exc}")
            return False
        self.saved = settings
        self.accept()
        return True
