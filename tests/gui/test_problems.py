"""Problems are shown in the window, where a listener looks, and stay until they are solved."""

from __future__ import annotations

from emotune import config
from emotune.config import Settings
from emotune.gui.bridge import SessionBridge
from emotune.gui.main_window import MainWindow
from emotune.session import Session


def _window(qtbot, settings=None, audio=False, **kwargs):
    bridge = SessionBridge()
    session = Session(settings or Settings(fade_seconds=0.0), None, bridge.deliver, audio=audio)
    window = MainWindow(session, bridge, "no camera at index 9", **kwargs)
    qtbot.addWidget(window)
    window.show()
    session.start()
    return window


def test_no_sound_device_is_in_the_banner_even_though_it_happened_before_the_window(qtbot, monkeypatch):
    import pygame

    pygame.mixer.quit()
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    window = _window(qtbot, audio=True)
    try:
        qtbot.waitUntil(lambda: "no audio device" in window.banner.text(), timeout=3000)
        assert "no sound will be heard" in window.banner.text()
        assert window.session.player.backend.name == "silent"
    finally:
        window.close()


def test_a_problem_in_the_settings_file_is_shown_and_the_good_values_kept(qtbot, tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('playlists = "/home/me/Music"\nfade_seconds = 0.5\n')
    settings, problem = config.load(path)
    window = _window(qtbot, settings, settings_problem=problem, settings_path=path)
    try:
        assert window.banner.isVisible()
        assert "playlists" in window.banner.text() and "using the default" in window.banner.text()
        assert window.session.settings.fade_seconds == 0.5
        assert "plain mood player" in window.banner.text()  # the camera problem is still there too
    finally:
        window.close()


def test_a_warning_is_not_overwritten_by_the_rates(qtbot, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    window = _window(qtbot, Settings(fade_seconds=0.0, playlists={"tense": [str(empty)]}))
    try:
        window.panel._choose_mood("tense")
        qtbot.waitUntil(lambda: "tense playlist is empty" in window.status.currentMessage(), timeout=3000)
        window.session.analyzer_ready.set()  # as if the model were there: the rates now show
        window._show_rates()
        qtbot.wait(100)
        assert "tense playlist is empty" in window.status.currentMessage()
        assert "analysis" in window.rates.text()
    finally:
        window.close()


def test_saving_settings_where_it_cannot_write_says_so_in_the_dialog(qtbot, tmp_path):
    blocker = tmp_path / "emotune"
    blocker.write_text("a file where the config folder should be")
    window = _window(qtbot, settings_path=blocker / "settings.toml")
    try:
        dialog = window.open_settings()
        dialog.fade.setValue(1.0)
        assert not dialog.try_save()
        assert "Not saved" in dialog.error.text() and "cannot save" in dialog.error.text()
        assert dialog.isVisible()
        assert blocker.read_text() == "a file where the config folder should be"
        dialog.reject()
    finally:
        window.close()


def test_the_heading_says_why_it_differs_from_the_face_box():
    from emotune.gui.main_window import why_text
    from emotune.session import FrameAnalysed
    from emotune.vision.analyzer import Box, Reading

    happy_frame = Reading(5.0, Box(1, 1, 9, 9), {"happy": 0.95, "neutral": 0.05})
    text = why_text(FrameAnalysed(happy_frame, 0.01, ("neutral", 0.62), ("happy", 0.4)), None)
    assert text == "last seconds: neutral 62% · switching to happy in 0.4 s"
    assert "sad is pinned" in why_text(FrameAnalysed(happy_frame, 0.01, ("happy", 0.9)), "sad")
    assert "the mood holds" in why_text(FrameAnalysed(Reading(6.0), 0.01), None)
