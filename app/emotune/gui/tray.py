"""The tray icon: the current mood and song, play/pause, next, pin a mood, show/hide, quit.

With ``close_to_tray`` (the default) closing the window hides it and the music goes on,
as in the music players listeners know; the first time, a tray message says where it went.
Where the desktop has no tray (Xvfb, some Wayland shells without the extension), closing
quits as before: nothing can hide where the listener cannot find it again.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from emotune.emotions import MOODS
from emotune.music.controller import MusicController


class Tray(QObject):
    def __init__(self, controller: MusicController, icon: QIcon, show_hide: Callable[[], None],
                 quit_app: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.icon = QSystemTrayIcon(icon, parent)
        self.menu = QMenu()
        self.now = QAction("Nothing playing yet", self.menu)
        self.now.setEnabled(False)
        self.play_pause = QAction("Play/Pause", self.menu)
        self.play_pause.triggered.connect(controller.toggle)
        self.next = QAction("Next song", self.menu)
        self.next.triggered.connect(controller.next)
        self.pin_menu = QMenu("Mood", self.menu)
        self.pin_group = QActionGroup(self.pin_menu)
        self.pin_actions: dict[str, QAction] = {}
        for mood in ("auto", *MOODS):
            action = QAction("Auto (follow my face)" if mood == "auto" else f"Pin {mood}", self.pin_group)
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, m=mood: self._pin(m))
            self.pin_menu.addAction(action)
            self.pin_actions[mood] = action
        self.show_hide = QAction("Show/Hide Emotune", self.menu)
        self.show_hide.triggered.connect(show_hide)
        self.quit = QAction("Quit", self.menu)
        self.quit.triggered.connect(quit_app)
        for item in (self.now, None, self.play_pause, self.next, self.pin_menu, None, self.show_hide, self.quit):
            if item is None:
                self.menu.addSeparator()
            elif isinstance(item, QMenu):
                self.menu.addMenu(item)
            else:
                self.menu.addAction(item)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(
            lambda reason: show_hide() if reason == QSystemTrayIcon.ActivationReason.Trigger else None)
        self.refresh()

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        if self.available():
            self.icon.show()

    def _pin(self, mood: str) -> None:
        self.controller.pin(None if mood == "auto" else mood)
        self.refresh()

    def refresh(self) -> None:
        """Mood, song and the pin, in the menu and the tooltip."""
        controller = self.controller
        track = controller.player.track
        mood = controller.mood or "no mood yet"
        song = f"{track.title}" + (f" – {track.artist}" if track and track.artist else "") if track else "nothing playing"
        text = f"{mood} · {song}"
        self.now.setText(text)
        self.icon.setToolTip(f"Emotune: {text}")
        self.pin_actions[controller.pinned or "auto"].setChecked(True)

    def notify_mood(self, mood: str, emotion: str, playlist: str) -> bool:
        """The optional notification when the mood changes the music; True if shown."""
        if not self.available():
            return False
        self.icon.showMessage(f"Emotune: {mood}", f"Your face reads {emotion}: the {playlist} playlist plays.",
                              QSystemTrayIcon.MessageIcon.Information, 5000)
        return True

    def hint_once(self, already: bool) -> bool:
        """The one-time message after the first close to the tray; True if shown now."""
        if already or not self.available():
            return False
        self.icon.showMessage("Emotune is still playing",
                              "It lives in the tray now; Quit is in its menu (Settings: closing quits).",
                              QSystemTrayIcon.MessageIcon.Information, 8000)
        return True
