"""Now playing, the song dropdown, transport buttons, seek and volume, and the mood selector."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QSlider, QStyle,
                               QVBoxLayout, QWidget)

from emotune.emotions import MOODS
from emotune.gui.widgets import MOOD_COLOURS
from emotune.music.controller import AUTO, MusicController
from emotune.music.events import TrackStarted
from emotune.music.player import PLAYING


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class PlayerPanel(QWidget):
    mood_chosen = Signal(str)  # "auto" or a mood

    def __init__(self, controller: MusicController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.player = controller.player
        self._updating = False

        self.title = QLabel("Nothing playing yet")
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.artist = QLabel("")
        self.position = QLabel("--:-- / --:--")
        self.seek = QSlider(Qt.Horizontal)
        self.seek.setRange(0, 1000)
        self.seek.sliderReleased.connect(self._seek)

        self.songs = QComboBox()
        self.songs.setToolTip("Every song of the current playlist; choose one to play it")
        self.songs.activated.connect(self.controller.select)

        style = self.style()
        self.prev_button = QPushButton(style.standardIcon(QStyle.SP_MediaSkipBackward), "")
        self.play_button = QPushButton(style.standardIcon(QStyle.SP_MediaPlay), "")
        self.next_button = QPushButton(style.standardIcon(QStyle.SP_MediaSkipForward), "")
        self.prev_button.setToolTip("Previous (Left)")
        self.play_button.setToolTip("Play / pause (Space)")
        self.next_button.setToolTip("Next (Right)")
        for button in (self.prev_button, self.play_button, self.next_button):
            button.setFocusPolicy(Qt.NoFocus)  # Space is play/pause, not "click the focused button"
        self.prev_button.clicked.connect(self.controller.previous)
        self.play_button.clicked.connect(self.toggle)
        self.next_button.clicked.connect(self.controller.next)

        self.volume = QSlider(Qt.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(round(100 * self.player.volume))
        self.volume.setMaximumWidth(120)
        self.volume.setToolTip("Volume")
        self.volume.valueChanged.connect(lambda v: self.player.set_volume(v / 100))

        # The mood chooser, always in view: Auto and the five moods as one row of buttons
        # (a segmented control). ``mood`` is the same choice as a drop-down for the M key.
        self.mood = QComboBox()
        self.mood.addItem("Auto (follow my face)", AUTO)
        for mood in MOODS:
            self.mood.addItem(f"Pin: {mood}", mood)
        self.mood.setToolTip("Auto lets your face choose; a mood pins it (M)")
        self.mood.activated.connect(lambda i: self._choose_mood(self.mood.itemData(i)))
        self.mood.hide()
        self.mood_buttons: dict[str, QPushButton] = {}
        self.mood_group = QButtonGroup(self)
        self.mood_group.setExclusive(True)
        mood_row = QHBoxLayout()
        mood_row.setSpacing(0)
        mood_row.addWidget(QLabel("Mood  "))
        for key in (AUTO, *MOODS):
            button = QPushButton("Auto" if key == AUTO else key)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.NoFocus)
            colour = MOOD_COLOURS.get(key, "#5b6270")
            button.setStyleSheet(
                "QPushButton { padding: 5px 12px; border: 1px solid #9aa; background: #f4f5f7; }"
                f"QPushButton:checked {{ background: {colour}; color: white; font-weight: bold; border-color: {colour}; }}")
            button.setToolTip("Let your face choose the mood" if key == AUTO else f"Pin the {key} mood")
            button.clicked.connect(lambda _=False, k=key: self._choose_mood(k))
            self.mood_group.addButton(button)
            self.mood_buttons[key] = button
            mood_row.addWidget(button)
        mood_row.addStretch(1)
        self.mode = QLabel("Auto")
        self.mode.hide()
        self.mood_buttons[AUTO].setChecked(True)

        # Now playing first and large: a mood-coloured stripe, title, artist, progress, controls
        self.stripe = QFrame()
        self.stripe.setFixedWidth(8)
        self.stripe.setStyleSheet("background: #888;")
        self.title.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.artist.setStyleSheet("font-size: 11pt; color: #445;")
        controls = QHBoxLayout()
        for w in (self.prev_button, self.play_button, self.next_button):
            w.setMinimumSize(44, 32)
            controls.addWidget(w)
        controls.addSpacing(12)
        controls.addWidget(QLabel("Volume"))
        controls.addWidget(self.volume)
        controls.addSpacing(12)
        controls.addWidget(self.songs, 1)
        progress = QHBoxLayout()
        progress.addWidget(self.seek, 1)
        progress.addWidget(self.position)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.artist)
        text.addLayout(progress)
        text.addLayout(controls)
        now = QHBoxLayout()
        now.addWidget(self.stripe)
        now.addLayout(text, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(now)
        layout.addSpacing(6)
        layout.addLayout(mood_row)

        self._shows_pause: bool | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh_position)
        self.timer.start(250)

    # -- actions -------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.player.playlist.tracks:
            self.controller.toggle()
        else:  # nothing chosen yet (no camera, or no face so far): start the pinned/auto mood or calm
            self._choose_mood(self.controller.mood or "calm")
        self.refresh_position()

    def _choose_mood(self, mood: str) -> None:
        self.controller.pin(mood)
        self.show_mode()
        self.mood_chosen.emit(mood)

    def _seek(self) -> None:
        track = self.player.track
        if track and track.duration:
            self.player.seek(self.seek.value() / 1000 * track.duration)

    # -- updates from the session -----------------------------------------------------------
    def show_track(self, event: TrackStarted) -> None:
        self.title.setText(event.track.title)
        lift = " · lift: toward calmer, happier songs" if self.controller.strategy == "lift" else ""
        self.artist.setText(f"{event.track.artist or 'unknown artist'} · {event.mood} playlist{lift}")
        tracks = self.player.playlist.tracks
        if self.songs.count() != len(tracks) or self.songs.property("mood") != event.mood:
            self.songs.clear()
            self.songs.addItems([f"{i + 1}. {t.label}" for i, t in enumerate(tracks)])
            self.songs.setProperty("mood", event.mood)
        self.songs.setCurrentIndex(event.index)
        self.show_mode()
        self.refresh_position()

    def show_mode(self) -> None:
        playing = self.player.playlist.mood
        wanted = self.controller.mood
        if wanted and playing and wanted != playing:
            self.artist.setText(f"fading to the {wanted} playlist…")
        pinned = self.controller.pinned
        self.mode.setText(f"Pinned: {pinned}" if pinned else "Auto")
        index = self.mood.findData(pinned or AUTO)
        self.mood.setCurrentIndex(index)
        self.mood_buttons[pinned or AUTO].setChecked(True)
        colour = MOOD_COLOURS.get(playing or wanted or "", "#888")
        self.stripe.setStyleSheet(f"background: {colour};")

    def refresh_position(self) -> None:
        track = self.player.track
        playing = self.player.state == PLAYING
        if playing != self._shows_pause:  # a new icon only on a change: each setIcon costs memory
            self._shows_pause = playing
            self.play_button.setIcon(self.style().standardIcon(QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay))
        if track is None:
            return
        position = self.player.position
        self.position.setText(f"{_clock(position)} / {_clock(track.duration)}")
        if track.duration and not self.seek.isSliderDown():
            self.seek.setValue(int(1000 * min(1.0, position / track.duration)))
