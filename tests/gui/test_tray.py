"""The tray: its menu drives the real controller; closing the window keeps the music in the
tray where the desktop has one (with a one-time hint), and quits where it has none."""

from PySide6.QtCore import QSettings

from emotune.config import Settings
from emotune.gui.tray import Tray


def test_the_tray_menu_plays_skips_pins_and_shows_the_song(make_window, qtbot):
    window = make_window()
    tray, controller = window.tray, window.session.controller
    tray.pin_actions["calm"].trigger()
    assert controller.pinned == "calm" and tray.pin_actions["calm"].isChecked()
    qtbot.waitUntil(lambda: controller.player.track is not None, timeout=10000)
    qtbot.waitUntil(lambda: controller.player.track.title in tray.now.text(), timeout=5000)
    assert tray.now.text().startswith("calm · ") and "Emotune: calm" in tray.icon.toolTip()
    first = controller.player.index
    tray.next.trigger()
    assert controller.player.index != first
    tray.play_pause.trigger()
    assert controller.player.state == "paused"
    tray.play_pause.trigger()
    assert controller.player.state == "playing"
    tray.pin_actions["auto"].trigger()
    assert controller.pinned is None


def test_closing_keeps_the_music_in_the_tray_and_quit_quits(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    hints = []
    monkeypatch.setattr(Tray, "hint_once", lambda self, already: hints.append(already) or not already)
    window = make_window()
    window.close()
    assert not window.isVisible() and window.session._thread.is_alive()  # still analysing, still playing
    assert hints == [False] and QSettings("emotune", "emotune").value("tray/hinted", type=bool)
    window.tray.show_hide.trigger()
    assert window.isVisible()
    window.close()
    assert hints == [False, True]  # the hint only once
    window.tray.quit.trigger()
    qtbot.waitUntil(lambda: not window.session._thread.is_alive(), timeout=10000)


def test_without_a_tray_or_with_the_setting_off_closing_quits(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    window = make_window(settings=Settings(fade_seconds=0.2, close_to_tray=False))
    window.close()
    qtbot.waitUntil(lambda: not window.session._thread.is_alive(), timeout=10000)
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: False))
    other = make_window()
    other.close()
    qtbot.waitUntil(lambda: not other.session._thread.is_alive(), timeout=10000)


def test_an_optional_notification_when_the_mood_changes_the_music(make_window, qtbot, monkeypatch):
    shown = []
    monkeypatch.setattr(Tray, "notify_mood", lambda self, mood, emotion, playlist: shown.append(mood) or True)
    quiet = make_window()  # off by default
    qtbot.waitUntil(lambda: quiet.session.controller.mood is not None, timeout=30000)
    assert shown == []
    loud = make_window(settings=Settings(fade_seconds=0.2, notify_mood=True))
    monkeypatch.setattr(type(loud), "isActiveWindow", lambda self: False)
    qtbot.waitUntil(lambda: bool(shown), timeout=30000)  # fer-test: the smile sets a mood
    assert shown[0] in ("happy", "calm", "sad", "energetic", "tense")
