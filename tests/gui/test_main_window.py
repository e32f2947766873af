"""The window over a real session (real DeepFace, real weights, a shared video), offscreen."""

import threading

from PySide6.QtCore import Qt

from emotune import config
from emotune.emotions import DEFAULT_MOOD_MAP
from emotune.music.controller import AUTO

APP_THREADS = ("capture-", "analysis", "player-monitor")


def test_window_shows_at_once_and_loads_the_model_behind_it(make_window, qtbot):
    window = make_window()
    assert window.isVisible()
    assert not window.session.analyzer_ready.is_set()  # shown before the model is there
    qtbot.waitUntil(lambda: window.session.analyzer_ready.is_set() or "failed" in window.status.currentMessage(),
                    timeout=60000)
    assert window.session.analyzer_ready.is_set(), window.status.currentMessage()
    qtbot.waitUntil(lambda: "analysis" in window.rates.text(), timeout=10000)


def test_bars_preview_and_mood_label_follow_the_face(make_window, qtbot):
    window = make_window()
    qtbot.waitUntil(lambda: window.bars.values["happy"] > 50, timeout=60000)
    qtbot.waitUntil(lambda: DEFAULT_MOOD_MAP["happy"] in window.mood_label.text(), timeout=30000)
    assert "(Auto)" in window.mood_label.text()
    assert window.why_label.text().startswith("last seconds: ")  # the heading says what decides it
    assert window.camera._image is not None  # the preview draws frames
    assert window.timeline.segments and window.timeline.segments[-1][1] == DEFAULT_MOOD_MAP["happy"]
    qtbot.waitUntil(lambda: window.panel.title.text() != "Nothing playing yet", timeout=10000)


def test_next_button_and_song_dropdown(make_window, qtbot):
    window = make_window()
    panel = window.panel
    panel._choose_mood("energetic")  # pin, so the test does not wait for the model
    qtbot.waitUntil(lambda: panel.songs.count() == 2, timeout=5000)
    first = panel.title.text()
    qtbot.mouseClick(panel.next_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.title.text() != first, timeout=5000)
    assert window.session.player.index == 1 and panel.songs.currentIndex() == 1
    panel.songs.activated.emit(0)  # what choosing an entry in the dropdown does
    qtbot.waitUntil(lambda: window.session.player.index == 0 and panel.title.text() == first, timeout=5000)
    assert window.session.controller.hand_picked


def test_mood_dropdown_pins_and_auto_releases(make_window, qtbot):
    window = make_window()
    panel = window.panel
    index = panel.mood.findData("sad")
    panel.mood.setCurrentIndex(index)
    panel.mood.activated.emit(index)
    assert window.session.controller.pinned == "sad"
    qtbot.waitUntil(lambda: "sad" in window.mood_label.text() and "Pinned" in window.mood_label.text(), timeout=5000)
    assert window.session.player.playlist.mood == "sad"
    auto = panel.mood.findData(AUTO)
    panel.mood.setCurrentIndex(auto)
    panel.mood.activated.emit(auto)
    assert window.session.controller.pinned is None and "Auto" in window.mood_label.text()


def test_keyboard_shortcuts(make_window, qtbot):
    window = make_window()
    window.panel._choose_mood("calm")
    qtbot.waitUntil(lambda: window.session.player.state == "playing", timeout=5000)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.session.player.state == "paused"
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.session.player.state == "playing"
    qtbot.keyClick(window, Qt.Key_Right)
    assert window.session.player.index == 1


def test_settings_dialog_refuses_bad_values_and_persists_good_ones(make_window, qtbot, tmp_path):
    window = make_window()
    dialog = window.open_settings()
    dialog.window.setValue(-2)
    assert not dialog.try_save()
    assert "smoothing window" in dialog.error.text() and dialog.isVisible()
    assert not (tmp_path / "settings.toml").exists()
    dialog.window.setValue(5)
    dialog.fade.setValue(1.5)
    dialog.map_boxes["neutral"].setCurrentText("happy")
    dialog.pause_when_away.setChecked(True)
    assert dialog.try_save()
    saved, problem = config.load(tmp_path / "settings.toml")
    assert problem is None and saved.window_seconds == 5 and saved.fade_seconds == 1.5
    assert saved.mood_map["neutral"] == "happy" and saved.pause_when_away
    assert window.session.tracker.window == 5 and window.session.controller.fade == 1.5  # applied live
    assert window.session.controller.pause_when_away


def test_quitting_stops_every_thread(make_window, qtbot):
    window = make_window()
    window.panel._choose_mood("happy")
    qtbot.waitUntil(window.session.analyzer_ready.is_set, timeout=60000)
    window.close()
    alive = [t.name for t in threading.enumerate() if t.name.startswith(APP_THREADS) and t.is_alive()]
    assert alive == []
    assert window.session.player.state == "stopped"


def test_without_a_camera_a_banner_shows_and_the_player_still_works(qtbot):
    from emotune.config import Settings
    from emotune.gui.app import open_source
    from emotune.gui.bridge import SessionBridge
    from emotune.gui.main_window import MainWindow
    from emotune.session import Session

    class Args:
        video = None
        camera = 9

    source, problem = open_source(Args(), Settings())
    assert source is None and "no camera at index 9" in problem
    bridge = SessionBridge()
    session = Session(Settings(), None, bridge.deliver)
    window = MainWindow(session, bridge, problem)
    qtbot.addWidget(window)
    window.show()
    session.start()
    assert window.banner.isVisible() and "plain mood player" in window.banner.text()
    assert "waiting for a face" not in window.mood_label.text()  # there is no camera to wait for
    window.panel.toggle()  # play with nothing chosen: starts a mood's playlist
    qtbot.waitUntil(lambda: session.player.state == "playing", timeout=5000)
    assert session.controller.pinned == "calm"
    window.close()


def test_volume_pinned_mood_and_song_position_come_back_at_the_next_start(make_window, qtbot):
    first = make_window()
    controller = first.session.controller
    first.panel.volume.setValue(35)
    controller.pin("sad")
    qtbot.waitUntil(lambda: controller.player.playlist.mood == "sad" and controller.player.track is not None,
                    timeout=10000)
    controller.select(1)
    controller.player.seek(5.0)
    track = controller.player.track.path
    first.close()

    second = make_window()
    again = second.session.controller
    assert abs(again.player.volume - 0.35) < 1e-6 and second.panel.volume.value() == 35
    assert again.pinned == "sad" and "Pinned" in second.mood_label.text()
    assert again.player.track.path == track and again.player.index == 1
    assert 4.5 <= again.player.position <= 6.0
    assert again.player.state == "paused"  # cued where it was, waiting for play


def test_a_damaged_state_file_is_ignored(make_window):
    from PySide6.QtCore import QSettings

    state = QSettings("emotune", "emotune")
    state.setValue("player/volume", "loud")
    state.setValue("player/pinned", "grumpy")
    state.sync()
    window = make_window()
    assert window.session.controller.pinned is None and 0 <= window.session.controller.player.volume <= 1
