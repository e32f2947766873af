"""One contract suite for the player on every backend: the silent sink and real pygame.

pygame runs on SDL's dummy audio driver (set in conftest), so it decodes and "plays" the real
files at real speed. Short tracks are made by cutting the shared 2 s jingle into WAV files.
"""

import threading
import time
import wave

import numpy as np
import pytest

from emotune.music.backends import PygameBackend, SilentBackend
from emotune.music.events import PlaybackNote, TrackFailed, TrackStarted
from emotune.music.library import Playlist, read_track
from emotune.music.player import PAUSED, PLAYING, Player


def write_wav(path, seconds, freq=440.0):
    rate = 22050
    t = np.arange(int(seconds * rate)) / rate
    data = (0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate), w.writeframes(data.tobytes())
    return path


@pytest.fixture(params=["silent", "pygame"])
def backend(request):
    if request.param == "silent":
        return SilentBackend()
    try:
        return PygameBackend()
    except Exception as exc:  # pragma: no cover - only where SDL cannot load at all
        pytest.skip(f"pygame mixer unavailable: {exc}")


class Recorder:
    def __init__(self):
        self.events = []
        self.cond = threading.Condition()

    def __call__(self, event):
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=10.0):
        with self.cond:
            assert self.cond.wait_for(lambda: predicate(self.events), timeout), self.events

    def started(self):
        return [(e.index, e.reason) for e in self.events if isinstance(e, TrackStarted)]


@pytest.fixture
def playlist(tmp_path):
    tracks = [read_track(write_wav(tmp_path / f"{i}.wav", 0.6, 300 + 100 * i)) for i in range(3)]
    return Playlist("happy", tracks)


@pytest.fixture
def player(backend):
    recorder = Recorder()
    p = Player(backend, recorder)
    p.recorder = recorder
    yield p
    p.close()


def test_loop_wraps_from_last_to_first(player, playlist):
    player.set_playlist(playlist)
    player.recorder.wait_for(lambda ev: sum(isinstance(e, TrackStarted) for e in ev) >= 5)
    started = player.recorder.started()[:5]
    assert started == [(0, "mood"), (1, "auto"), (2, "auto"), (0, "loop"), (1, "auto")]


def test_next_previous_and_select(player, playlist):
    player.set_playlist(playlist)
    player.next()
    assert player.index == 1
    player.previous()
    player.previous()
    assert player.index == 2  # previous from the first wraps to the last
    player.play_index(1)
    assert player.index == 1 and player.state == PLAYING
    assert player.recorder.started()[-1] == (1, "select")


def test_pause_resume_seek_and_volume(player, tmp_path):
    long = Playlist("calm", [read_track(write_wav(tmp_path / "long.wav", 5.0))])
    player.set_playlist(long)
    player.pause()
    frozen = player.position
    time.sleep(0.2)
    assert player.state == PAUSED and player.position == frozen
    player.resume()
    player.seek(3.0)
    assert player.position == pytest.approx(3.0, abs=0.2)
    player.set_volume(0.25)
    assert player.volume == 0.25
    player.set_volume(7)
    assert player.volume == 1.0


def test_unreadable_file_is_skipped_and_reported(player, playlist, tmp_path):
    bad = tmp_path / "broken.ogg"
    bad.write_bytes(b"OggS" + bytes(200))
    tracks = [read_track(bad)] + playlist.tracks
    player.set_playlist(Playlist("sad", tracks))
    failed = [e for e in player.recorder.events if isinstance(e, TrackFailed)]
    assert failed and failed[0].track.path == bad and failed[0].reason
    assert player.index == 1 and player.state == PLAYING
    assert bad.read_bytes() == b"OggS" + bytes(200)  # never modified


def test_mood_switch_fades_without_blocking(player, playlist, tmp_path):
    calm = Playlist("calm", [read_track(write_wav(tmp_path / "calm.wav", 5.0))])
    player.set_playlist(calm)
    started = time.monotonic()
    player.set_playlist(playlist, fade=0.5)
    assert time.monotonic() - started < 0.1  # returns at once; the monitor thread fades
    time.sleep(0.25)
    assert player.playlist.mood == "calm"  # still fading out the calm track
    assert 0 < player.backend.get_volume() < player.volume
    player.recorder.wait_for(lambda ev: any(isinstance(e, TrackStarted) and e.mood == "happy" for e in ev), 3)
    assert player.playlist.mood == "happy" and time.monotonic() - started >= 0.5


def test_empty_playlist_keeps_current_music(player, playlist):
    player.set_playlist(playlist)
    player.set_playlist(Playlist("tense", [], ["no playable files"]))
    assert player.playlist.mood == "happy" and player.state == PLAYING
    notes = [e for e in player.recorder.events if isinstance(e, PlaybackNote)]
    assert notes[-1].kind == "empty_playlist" and "tense" in notes[-1].message


def test_formats_pygame_really_plays(shared, tmp_path):
    """The formats the README promises: MP3, Ogg Vorbis, WAV, FLAC and Ogg Opus."""
    import soundfile as sf

    opus = tmp_path / "tone.opus"
    t = np.arange(48000) / 48000
    sf.write(opus, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 48000, format="OGG", subtype="OPUS")
    files = [shared / "music" / "raylib-country_emegeme.mp3", shared / "music" / "raylib-target_emegeme.ogg",
             shared / "music" / "raylib-target_emegeme.flac", write_wav(tmp_path / "tone.wav", 1.0), opus]
    backend = PygameBackend()
    try:
        for path in files:
            backend.load(path, None)
            backend.play()
            time.sleep(0.1)
            assert backend.busy(), path.name
            backend.stop()
    finally:
        backend.close()
