"""GUI test fixtures: a real MainWindow over a real session on a shared video, offscreen.

QSettings go to a temp folder, and any message box fails the test (a dialog nobody can
click would hang a user's session just the same).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from emotune.config import Settings
from emotune.gui.bridge import SessionBridge
from emotune.gui.main_window import MainWindow
from emotune.session import Session
from emotune.vision.sources import VideoFileSource


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path, monkeypatch):
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "qsettings"))

    def fail(*args, **kwargs):
        raise AssertionError(f"a message box was opened: {args[1:3]}")

    for name in ("critical", "warning", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, fail)
    # QSettings("emotune", "emotune") is the native format in the session's temp config dir
    # (setDefaultFormat does not reach that constructor): each test starts from no UI state.
    QSettings("emotune", "emotune").clear()
    yield
    QSettings("emotune", "emotune").clear()


@pytest.fixture
def make_window(qtbot, shared, tmp_path):
    windows = []

    def make(video: str = "fer-test.mp4", settings: Settings | None = None, audio: bool = False,
             calibration_path=None, library_path=None):
        source = VideoFileSource(shared / "videos" / video, paced=True, loop=True)
        source.open()
        bridge = SessionBridge()
        session = Session(settings or Settings(fade_seconds=0.2), source, bridge.deliver, audio=audio,
                          calibration_path=calibration_path, library_path=library_path)
        window = MainWindow(session, bridge, settings_path=tmp_path / "settings.toml")
        qtbot.addWidget(window)
        window.show()
        session.start()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
