"""The main window: preview, bars and mood on the left, the player on the right.

Window geometry is remembered UI state (QSettings), kept apart from the user's settings.
Closing stops every thread and the audio before the window goes away.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QPushButton, QVBoxLayout, QWidget

from emotune.gui.bridge import SessionBridge
from emotune.gui.camera_view import CameraView
from emotune.gui.player_panel import PlayerPanel
from emotune.gui.settings_dialog import SettingsDialog
from emotune.gui.tray import Tray
from emotune.gui.widgets import MOOD_COLOURS, EmotionBars, MoodTimeline
from emotune.emotions import MOODS
from emotune.music.events import PlaybackNote, TrackFailed
from emotune.session import CalibrationEvent, FrameAnalysed, MoodEvent, Session, SessionEnded, Status

log = logging.getLogger("emotune")


def _sentence(text: str) -> str:
    """``text`` ending in one full stop (or its own ? or !)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def why_text(event: FrameAnalysed, pinned: str | None) -> str:
    """One line that reconciles the heading with the face box: the heading follows the last
    seconds, the box (and the bars) the latest frame."""
    if event.lead is None:
        return "no face in the last seconds: the mood holds" if not event.reading.has_face else ""
    label, share = event.lead
    text = f"last seconds: {label} {share:.0%}"
    if event.pending is not None:
        mood, left = event.pending
        text += f" · switching to {mood} in {left:.1f} s"
    if pinned:
        text += f" · {pinned} is pinned"
    return text


class MainWindow(QMainWindow):
    def __init__(self, session: Session, bridge: SessionBridge, source_problem: str | None = None,
                 settings_path: Path | None = None, settings_problem: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.bridge = bridge
        self.settings_path = settings_path
        self.setWindowTitle("Emotune")
        self.analysed = 0
        self._rate_start = time.monotonic()

        source = session.source
        self.reading = None  # the reading the bars show; the preview draws the same one
        self.camera = CameraView(lambda: source.buffer.peek() if source else None, lambda: self.reading,
                                 fps=source.fps if source and source.fps else 30.0)
        self.banner = QLabel("")
        self.banner.setStyleSheet("background: #7a2e2e; color: white; padding: 6px; font-weight: bold;")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self._banners: dict[str, str] = {}  # what the banner says, by topic, so each can clear
        self.bars = EmotionBars()
        self.mood_label = QLabel("Mood: waiting for a face…")
        self.mood_label.setStyleSheet("font-size: 16pt; font-weight: bold;")
        # Why the mood is what it is: the smoothed expression that decides it (the bars and
        # the face box show only the latest frame), and a mood about to take over.
        self.why_label = QLabel("")
        self.why_label.setStyleSheet("color: #667;")
        self.timeline = MoodTimeline()
        self.panel = PlayerPanel(session.controller)
        self.panel.mood_chosen.connect(lambda _: self._show_mood())

        # Calibration news: blue, not the red of problems, and gone when it is over.
        self.calibration_bar = QLabel("")
        self.calibration_bar.setStyleSheet("background: #264f78; color: white; padding: 6px; font-weight: bold;")
        self.calibration_bar.setWordWrap(True)
        self.calibration_bar.hide()
        self._countdown = 0
        self.countdown_timer = QTimer(self)
        self.countdown_timer.timeout.connect(self._count_down)
        self.calibration_bar_timer = QTimer(self)
        self.calibration_bar_timer.setSingleShot(True)
        self.calibration_bar_timer.timeout.connect(self.calibration_bar.hide)

        # Layout: problems and calibration news on top; now playing and the mood buttons
        # (what a listener of a music player looks for first); below, the camera as a
        # smaller panel that can be hidden, beside what the face says and why.
        self.camera.setMaximumSize(480, 360)
        self.preview_button = QPushButton("Hide preview")
        self.preview_button.setFocusPolicy(Qt.NoFocus)
        self.preview_button.setToolTip("Show or hide your camera picture (the mood still follows your face)")
        self.preview_button.clicked.connect(lambda: self._set_preview(not self.camera.preview_on))
        self.empty_camera = QLabel("")
        self.empty_camera.setWordWrap(True)
        self.empty_camera.setAlignment(Qt.AlignCenter)
        self.empty_camera.setStyleSheet("background: #f0f2f5; color: #334; padding: 18px; font-size: 11pt;")
        self.empty_camera.hide()
        camera_box = QVBoxLayout()
        camera_box.addWidget(self.camera)
        camera_box.addWidget(self.empty_camera, 1)
        camera_box.addWidget(self.preview_button, 0, Qt.AlignLeft)
        camera_box.addStretch(1)
        self._camera_box = camera_box
        face = QVBoxLayout()
        face.addWidget(self.mood_label)
        face.addWidget(self.why_label)
        face.addWidget(self.bars)
        face.addSpacing(8)
        self.timeline_label = QLabel("Mood over the last 2 minutes:")
        face.addWidget(self.timeline_label)
        face.addWidget(self.timeline, 1)
        lower = QHBoxLayout()
        lower.addLayout(camera_box, 5)
        lower.addSpacing(12)
        lower.addLayout(face, 4)
        self._lower = lower
        central = QWidget()
        column = QVBoxLayout(central)
        column.addWidget(self.banner)
        column.addWidget(self.calibration_bar)
        column.addWidget(self.panel)
        column.addSpacing(8)
        column.addLayout(lower, 1)
        self.setCentralWidget(central)
        self.status = self.statusBar()
        # Rates live in their own corner, so they never overwrite a warning in the message area.
        self.rates = QLabel("")
        self.status.addPermanentWidget(self.rates)

        settings_action = QAction("&Settings…", self)
        settings_action.setShortcut(QKeySequence("Ctrl+,"))
        settings_action.triggered.connect(self.open_settings)
        library_action = QAction("Music &library…", self)
        library_action.setShortcut(QKeySequence("Ctrl+L"))
        library_action.triggered.connect(self.open_library)
        rescan_action = QAction("&Rescan music", self)
        rescan_action.setShortcut(QKeySequence("F5"))
        rescan_action.triggered.connect(session.controller.rescan)
        calibrate_action = QAction("&Calibrate…", self)
        calibrate_action.setShortcut(QKeySequence("Ctrl+K"))
        calibrate_action.triggered.connect(self.start_calibration)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.quit_app)
        menu = self.menuBar().addMenu("&Emotune")
        for action in (library_action, calibrate_action, settings_action, rescan_action, quit_action):
            menu.addAction(action)

        for key, slot in ((Qt.Key_Space, self.panel.toggle), (Qt.Key_Left, session.controller.previous),
                          (Qt.Key_Right, session.controller.next), (Qt.Key_M, self._open_mood_menu)):
            QShortcut(QKeySequence(key), self, activated=slot)

        bridge.frame_analysed.connect(self._on_frame)
        bridge.mood_changed.connect(self._on_mood)
        bridge.track_started.connect(self.panel.show_track)
        bridge.track_started.connect(lambda _: self.tray.refresh())
        bridge.track_problem.connect(self._on_track_problem)
        bridge.note.connect(self._on_note)
        bridge.status.connect(self._on_status)
        bridge.ended.connect(self._on_ended)
        bridge.calibration.connect(self._on_calibration)

        self.rate_timer = QTimer(self)
        self.rate_timer.timeout.connect(self._show_rates)
        self.rate_timer.start(2000)

        if source_problem:
            self.show_banner(f"{_sentence(source_problem)} Emotune works as a plain mood player: pick a mood above.")
            self.camera.message = "no camera"
            self.mood_label.setText("Mood: —  (no camera: pick one above)")
            self.camera.hide()
            self.preview_button.hide()
            self.empty_camera.setText(
                "No camera\n\nPick a mood with the buttons above and Emotune plays it.\n"
                "Connect a camera, or set a phone camera in Settings (Ctrl+,), and start Emotune again.")
            self.empty_camera.show()
            # no face to read: no empty bars and timeline, the space goes to what to do next
            for widget in (self.bars, self.why_label, self.timeline, self.timeline_label, self.mood_label):
                widget.hide()
            self._camera_box.takeAt(self._camera_box.count() - 1)  # the card takes the room
            self._lower.setStretch(2, 0)
            self.panel.artist.setText("Pick a mood above to start the music")
        if settings_problem:
            self.show_banner(f"{settings_problem}. Fix it in Settings (Ctrl+,) or in the file.", "settings")
        self._set_preview(session.settings.show_preview)
        self.status.showMessage("loading the emotion model…")
        self._restore_geometry()
        self.restore_state()
        self._quitting = False
        self.tray = Tray(session.controller, self.windowIcon(), self.toggle_visible, self.quit_app, self)
        self.tray.show()

    # -- session events ------------------------------------------------------------------------
    def _on_frame(self, event: FrameAnalysed) -> None:
        self.analysed += 1
        self.reading = event.reading
        self.bars.show_probabilities(event.reading.probabilities)
        self.why_label.setText(why_text(event, self.session.controller.pinned))

    def _on_mood(self, event: MoodEvent) -> None:
        self.timeline.add(event.change.mood, event.change.emotion)
        self._show_mood()
        self.tray.refresh()
        if self.session.settings.notify_mood and not self.isActiveWindow():
            self.tray.notify_mood(event.change.mood, event.change.emotion, event.playlist)

    def _show_mood(self) -> None:
        controller = self.session.controller
        mood = controller.mood
        mode = "Pinned" if controller.pinned else "Auto"
        colour = MOOD_COLOURS.get(mood or "", "#888")
        self.mood_label.setText(f"Mood: {mood or '—'}  ({mode})")
        self.mood_label.setStyleSheet(f"font-size: 16pt; font-weight: bold; color: {colour};")
        self.panel.show_mode()

    def _on_track_problem(self, event: TrackFailed) -> None:
        self._message(f"skipped {event.track.path.name}: {event.reason}", warning=True)

    def _on_note(self, note: PlaybackNote) -> None:
        self._message(note.message, warning=note.kind in ("empty_playlist", "all_failed", "no_device", "bad_entries"))
        if note.kind in ("empty_playlist", "all_failed") and self.session.controller.player.track is None:
            # the empty state says what to do next
            self.panel.title.setText(f"No music for {note.mood or 'this mood'} yet")
            self.panel.artist.setText("Add folders in Settings (Ctrl+,) or let Emotune sort your music: "
                                      "Music library (Ctrl+L)")
        if note.kind == "no_device":
            self.show_banner(f"{note.message}: no sound will be heard. Check the sound settings and restart Emotune.",
                             "audio")
        self._show_mood()

    def _on_status(self, status: Status) -> None:
        self._message(status.message, warning=status.kind == "error")
        if status.kind == "warning" and self.session.source is not None:
            self.show_banner(f"{_sentence(status.message)} The music goes on; pick a mood above meanwhile.")
        elif status.kind == "recovered":
            self.hide_banner()

    def _on_ended(self, event: SessionEnded) -> None:
        if event.reason not in ("stopped", "no source"):
            self._message(f"analysis stopped: {event.reason}", warning=True)

    #: A warning stays in the status line at least this long: routine news must not hide it.
    WARNING_SECONDS = 30.0

    def _message(self, text: str, warning: bool = False) -> None:
        (log.warning if warning else log.info)(text)
        now = time.monotonic()
        if warning:
            self._warning_shown = now
            self.status.showMessage(text)
        elif now - getattr(self, "_warning_shown", -1e9) >= self.WARNING_SECONDS:
            self.status.showMessage(text, 8000)

    def show_banner(self, text: str, topic: str = "source") -> None:
        """Show ``text`` in the red banner until its topic is cleared; topics stack."""
        self._banners[topic] = text
        self.banner.setText("\n".join(self._banners.values()))
        self.banner.show()

    def hide_banner(self, topic: str = "source") -> None:
        self._banners.pop(topic, None)
        self.banner.setText("\n".join(self._banners.values()))
        self.banner.setVisible(bool(self._banners))

    def _show_rates(self) -> None:
        elapsed = time.monotonic() - self._rate_start
        if self.session.analyzer_ready.is_set() and elapsed > 0:
            source = self.session.source
            camera = ("no camera" if not source else f"camera {self.camera.frames_drawn / elapsed:.0f} fps"
                      if self.camera.preview_on else "preview hidden")
            self._rates = f"{camera} · analysis {self.analysed / elapsed:.1f} fps"
            self._show_rates_text()
        self.camera.frames_drawn, self.analysed, self._rate_start = 0, 0, time.monotonic()

    def _show_rates_text(self) -> None:
        calibrated = self.session.baseline is not None and self.session.settings.calibration_strength > 0
        self.rates.setText(getattr(self, "_rates", "") + (" · calibrated" if calibrated else ""))

    # -- calibration ------------------------------------------------------------------------------
    #: Seconds to get ready, then seconds of relaxed face the session averages.
    COUNTDOWN = 3
    CALIBRATION_SECONDS = 5.0

    def start_calibration(self) -> None:
        """"Calibrate…": a short countdown, then the session takes the relaxed face."""
        if self.session.source is None:
            self._show_calibration("Calibration needs a camera: none is open.", hide_after=8)
            return
        self._countdown = self.COUNTDOWN
        self._count_down()
        self.countdown_timer.start(1000)

    def _count_down(self) -> None:
        if self._countdown > 0:
            self._show_calibration(f"Calibrating in {self._countdown}… look at the camera and relax your face.")
            self._countdown -= 1
            return
        self.countdown_timer.stop()
        self._show_calibration("Calibrating: keep a relaxed face…")
        self.session.calibrate(self.CALIBRATION_SECONDS)

    def _on_calibration(self, event: CalibrationEvent) -> None:
        if event.state == "running":
            self._show_calibration(f"Calibrating: keep a relaxed face… {event.remaining:.0f} s")
        elif event.state in ("done", "cleared"):
            self.hide_banner("calibration")
            self._show_calibration(event.message[:1].upper() + event.message[1:] + ".", hide_after=8)
            self._message(event.message)
        else:
            self.calibration_bar.hide()
            self.show_banner(event.message, "calibration")
            self._message(event.message, warning=True)
        self._show_rates_text()

    def _show_calibration(self, text: str, hide_after: float | None = None) -> None:
        self.calibration_bar.setText(text)
        self.calibration_bar.show()
        if hide_after is None:
            self.calibration_bar_timer.stop()
        else:
            self.calibration_bar_timer.start(int(hide_after * 1000))

    # -- user actions ----------------------------------------------------------------------------
    def _open_mood_menu(self) -> None:
        """M: the moods as a menu under the mood buttons, for the keyboard."""
        from PySide6.QtWidgets import QMenu  # noqa: PLC0415

        menu = QMenu(self)
        for i in range(self.panel.mood.count()):
            key = self.panel.mood.itemData(i)
            menu.addAction(self.panel.mood.itemText(i), lambda k=key: self.panel._choose_mood(k))
        anchor = self.panel.mood_buttons["auto"]
        menu.popup(anchor.mapToGlobal(anchor.rect().bottomLeft()))
        self.mood_menu = menu

    def open_settings(self) -> SettingsDialog:
        from emotune.vision.sources import list_cameras  # noqa: PLC0415

        baseline = self.session.baseline
        dialog = SettingsDialog(self.session.settings, self.settings_path, list_cameras(), self,
                                calibration=baseline.describe() if baseline else None,
                                clear_calibration=self.session.clear_calibration)
        dialog.accepted.connect(lambda: self._apply(dialog.saved))
        dialog.open()
        return dialog

    def open_library(self):
        from emotune.gui.library_dialog import LibraryDialog  # noqa: PLC0415
        from emotune.music import catalog  # noqa: PLC0415

        controller = self.session.controller
        dialog = LibraryDialog(self.session.library_path or catalog.default_path(), catalog.default_roots(),
                               play=controller.play_track, on_changed=controller.rescan, parent=self,
                               write_tags=self.session.settings.write_mood_tags)
        dialog.open()
        return dialog

    def _set_preview(self, on: bool) -> None:
        """Hidden, the picture's panel shrinks to a line (no black box to look at)."""
        self.camera.set_enabled(on)
        self.camera.setMaximumHeight(360 if on else 48)
        self.camera.setMinimumHeight(180 if on else 48)
        self.preview_button.setText("Hide preview" if on else "Show preview")
        if hasattr(self, "_lower"):  # the room goes to the face panel while the picture is hidden
            self._lower.setStretch(0, 5 if on else 2)

    def _apply(self, settings) -> None:
        self.session.apply_settings(settings)
        self._set_preview(settings.show_preview)

    # -- window state --------------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = QSettings("emotune", "emotune").value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 640)

    def save_state(self) -> None:
        """Remembered between runs (UI state, not settings): the window, the volume, Auto or
        the pinned mood, and where in which song the music was."""
        state = QSettings("emotune", "emotune")
        state.setValue("window/geometry", self.saveGeometry())
        player, controller = self.session.controller.player, self.session.controller
        state.setValue("player/volume", float(player.volume))
        state.setValue("player/pinned", controller.pinned or "")
        track = player.track
        state.setValue("player/track", str(track.path) if track else "")
        state.setValue("player/mood", player.playlist.mood or "")
        state.setValue("player/position", float(player.position) if track else 0.0)

    def restore_state(self) -> None:
        """The volume and a pinned mood come back as they were; with a pinned mood, its
        playlist is cued at the same song and second (paused, until the listener plays)."""
        state = QSettings("emotune", "emotune")
        controller = self.session.controller
        try:
            volume = float(state.value("player/volume", controller.player.volume))
            position = float(state.value("player/position", 0.0) or 0.0)
        except (TypeError, ValueError):  # a damaged state file: defaults, never a crash
            return
        controller.player.set_volume(volume)
        self.panel.volume.setValue(round(100 * controller.player.volume))
        pinned = str(state.value("player/pinned", "") or "")
        if pinned not in MOODS:
            return
        track, mood = str(state.value("player/track", "") or ""), str(state.value("player/mood", "") or "")
        controller.pin(pinned)
        if track and mood == pinned and controller.play_track(pinned, Path(track)):
            controller.player.seek(position)
            controller.pause()
        self._show_mood()

    # -- tray ----------------------------------------------------------------------------------
    def toggle_visible(self) -> None:
        if self.isVisible() and not (self.windowState() & Qt.WindowMinimized):
            self.hide()
        else:
            self.showNormal()
            self.raise_()
            self.activateWindow()

    def quit_app(self) -> None:
        """Quit for real (menu, tray, MPRIS, SIGTERM), whatever closing the window does."""
        self._quitting = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802
        if not self._quitting and self.session.settings.close_to_tray and self.tray.available():
            event.ignore()  # the music goes on; the tray brings the window back
            self.hide()
            state = QSettings("emotune", "emotune")
            if self.tray.hint_once(bool(state.value("tray/hinted", False, type=bool))):
                state.setValue("tray/hinted", True)
            return
        self.tray.icon.hide()
        self.save_state()
        self.camera.timer.stop()
        self.countdown_timer.stop()
        self.calibration_bar_timer.stop()
        self.panel.timer.stop()
        self.rate_timer.stop()
        self.session.stop()
        super().closeEvent(event)
