"""Auto, pinned and hand-picked: who decides what plays, and "nobody there"."""

import time

import pytest

from emotune.mood import MoodChange
from emotune.music.backends import SilentBackend
from emotune.music.controller import MusicController
from emotune.music.events import PlaybackNote
from emotune.music.library import Library
from emotune.music.player import PAUSED, PLAYING, Player
from emotune.resources import demo_playlists_dir


@pytest.fixture
def controller():
    notes = []
    player = Player(SilentBackend(), notes.append)
    moods = ["happy", "calm", "sad", "energetic", "tense"]
    c = MusicController(Library({m: [demo_playlists_dir() / m] for m in moods}), player, fade=0.0,
                        pause_when_away=True, away_after=2.0)
    c.notes = notes
    yield c
    player.close()


def change(mood, t=1.0, previous=None):
    return MoodChange(t, mood, mood, previous, 0.9)


def test_auto_follows_the_face(controller):
    controller.on_mood_change(change("happy"))
    assert controller.player.playlist.mood == "happy" and controller.player.state == PLAYING
    controller.on_mood_change(change("sad"))
    assert controller.player.playlist.mood == "sad"


def test_pinned_mood_ignores_the_face_until_auto(controller):
    controller.on_mood_change(change("happy"))
    controller.pin("tense")
    assert controller.mode == "pinned" and controller.player.playlist.mood == "tense"
    controller.on_mood_change(change("sad"))
    assert controller.player.playlist.mood == "tense"
    assert any(isinstance(n, PlaybackNote) and "ignored" in n.message for n in controller.notes)
    controller.pin("auto")
    assert controller.mode == "auto" and controller.player.playlist.mood == "sad"  # the face's latest


def test_hand_picked_song_finishes_before_an_auto_change(controller):
    controller.on_mood_change(change("happy"))
    controller.select(1)
    controller.on_mood_change(change("calm"))
    assert controller.player.playlist.mood == "happy" and controller.player.index == 1
    # the song ends: the waiting mood takes over at once instead of the next happy song
    controller.player.seek(controller.player.track.duration)
    deadline = time.monotonic() + 3
    while (controller.player.playlist.mood, controller.player.index) != ("calm", 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert controller.player.playlist.mood == "calm" and controller.player.index == 0


def test_pause_when_nobody_is_there_and_resume_on_return(controller):
    controller.on_mood_change(change("happy"))
    controller.on_face(0.0, True)
    controller.on_face(1.0, False)
    assert controller.player.state == PLAYING
    controller.on_face(2.5, False)
    assert controller.player.state == PAUSED and controller.paused_for_absence
    controller.on_face(3.0, True)
    assert controller.player.state == PLAYING
    kinds = [n.kind for n in controller.notes if isinstance(n, PlaybackNote)]
    assert "paused" in kinds and "resumed" in kinds


def test_rescan_picks_up_new_songs_without_interrupting(tmp_path, shared):
    import shutil

    folder = tmp_path / "happy"
    folder.mkdir()
    shutil.copy(shared / "music" / "kevin-macleod-vibe-ace.ogg", folder / "b.ogg")
    player = Player(SilentBackend())
    controller = MusicController(Library({"happy": [folder]}), player, fade=0.0)
    try:
        controller.pin("happy")
        assert len(player.playlist) == 1 and player.index == 0
        shutil.copy(shared / "music" / "sorohanro-solo-trumpet-06.ogg", folder / "a.ogg")
        controller.rescan()
        assert [t.path.name for t in player.playlist.tracks] == ["a.ogg", "b.ogg"]
        assert player.track.path.name == "b.ogg" and player.index == 1 and player.state == PLAYING
    finally:
        player.close()


def test_a_track_ending_during_a_mood_change_does_not_deadlock():
    """The old player called the controller at a track's end while holding its lock, and
    every controller entry took the controller's lock and then the player's: a track that
    ended while a mood change was in flight hung both threads. Force exactly that overlap."""
    import threading

    class GateBackend(SilentBackend):
        """Stops the monitor inside its end check until the test lets it go."""

        def __init__(self):
            super().__init__()
            self.armed, self.inside, self.release = False, threading.Event(), threading.Event()

        def busy(self):
            if self.armed:
                self.armed = False
                self.inside.set()
                self.release.wait(5)
                return False  # the track has ended
            return super().busy()

    backend = GateBackend()
    player = Player(backend)
    moods = ["happy", "calm", "sad", "energetic", "tense"]
    library = Library({m: [demo_playlists_dir() / m] for m in moods})
    controller = MusicController(library, player, fade=0.0)
    in_controller = threading.Event()
    real_playlist = library.playlist
    library.playlist = lambda mood: (in_controller.set(), real_playlist(mood))[1]
    try:
        controller.on_mood_change(change("happy"))
        in_controller.clear()
        backend.armed = True
        assert backend.inside.wait(3)  # the monitor is checking for the end, player lock held
        worker = threading.Thread(target=controller.on_mood_change, args=(change("sad"),))
        worker.start()
        assert in_controller.wait(3)  # the worker holds the controller's lock ...
        time.sleep(0.1)  # ... and is now waiting for the player's
        backend.release.set()  # the track ends
        worker.join(5)
        assert not worker.is_alive(), "deadlock: a mood change and a track end hung each other"
        deadline = time.monotonic() + 3
        while player.playlist.mood != "sad" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert player.playlist.mood == "sad" and player.state == PLAYING
        controller.next()  # and the controller still answers
    finally:
        backend.release.set()
        player.close()


def test_a_listeners_pause_holds_through_a_mood_change(controller):
    controller.on_mood_change(change("happy"))
    controller.toggle()
    assert controller.player.state == PAUSED and controller.user_paused
    controller.on_mood_change(change("sad"))
    assert controller.player.state != PLAYING  # still quiet
    assert controller.player.playlist.mood == "sad"  # but the new mood is cued
    assert any(isinstance(n, PlaybackNote) and n.kind == "cued" for n in controller.notes)
    controller.toggle()
    assert controller.player.state == PLAYING and controller.player.playlist.mood == "sad"
    assert controller.player.index == 0


def test_coming_back_does_not_undo_a_listeners_pause(controller):
    controller.on_mood_change(change("happy"))
    controller.on_face(0.0, True)
    controller.on_face(2.5, False)
    assert controller.paused_for_absence
    controller.pause()  # the listener pauses too
    controller.on_face(3.0, True)
    assert controller.player.state == PAUSED
