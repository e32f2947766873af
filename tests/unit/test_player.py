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
from emotune.music.events import PlaybackNote, TrackEnded, TrackFailed, TrackStarted
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
    """Records events; like the controller, it continues the playlist at a track's end
    (the player itself only reports the end)."""

    def __init__(self):
        self.events = []
        self.cond = threading.Condition()
        self.player = None

    def __call__(self, event):
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()
        if isinstance(event, TrackEnded) and self.player is not None:
            self.player.continue_after_end()  # called back with no player lock held

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
    recorder.player = p
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


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_end_of_track_is_reported_not_acted_on(tmp_path):
    """The player is mechanical: at a natural end it stops and says so; what follows is
    someone else's decision. An injected clock runs the track out without sleeping."""
    clock = FakeClock()
    events = []
    player = Player(SilentBackend(clock), events.append, clock=clock, monitor=False)
    try:
        tracks = [read_track(write_wav(tmp_path / f"{i}.wav", 1.0)) for i in range(2)]
        player.set_playlist(Playlist("calm", tracks))
        clock.now += 0.5
        player.tick()
        assert player.state == PLAYING and player.position == pytest.approx(0.5)
        clock.now += 0.6
        player.tick()
        assert player.state != PLAYING and player.ended and player.index == 0
        assert isinstance(events[-1], TrackEnded) and events[-1].index == 0
        player.tick()  # nothing more happens until someone decides
        assert sum(isinstance(e, TrackEnded) for e in events) == 1 and player.index == 0
        assert player.continue_after_end() and player.index == 1 and player.state == PLAYING
        assert not player.continue_after_end()  # only once per end
    finally:
        player.close()


def test_fade_runs_on_the_injected_clock(tmp_path):
    clock = FakeClock()
    events = []
    player = Player(SilentBackend(clock), events.append, clock=clock, monitor=False)
    try:
        calm = Playlist("calm", [read_track(write_wav(tmp_path / "calm.wav", 5.0))])
        happy = Playlist("happy", [read_track(write_wav(tmp_path / "happy.wav", 5.0))])
        player.set_playlist(calm)
        player.set_playlist(happy, fade=2.0)
        clock.now += 1.0
        player.tick()
        assert player.playlist.mood == "calm" and player.backend.get_volume() == pytest.approx(0.4)
        clock.now += 1.0
        player.tick()
        assert player.playlist.mood == "happy" and player.backend.get_volume() == pytest.approx(0.8)
    finally:
        player.close()


def test_a_listener_may_call_back_into_the_player(tmp_path):
    """Events leave the player only after its lock is released: a listener that calls a
    player method (as the controller does) must not deadlock, on any thread."""
    player = Player(SilentBackend())
    calls = []

    def listener(event):
        calls.append(event)
        done = threading.Event()
        # from another thread too: a lock held while calling out would block this
        threading.Thread(target=lambda: (player.position, player.track, done.set())).start()
        assert done.wait(2), "the player's lock was held while it called its listener"

    player.listener = listener
    try:
        player.set_playlist(Playlist("calm", [read_track(write_wav(tmp_path / "a.wav", 1.0))]))
        assert calls and isinstance(calls[-1], TrackStarted)
    finally:
        player.close()


def test_a_lift_loops_back_to_its_calm_end_not_to_its_first_song(player, playlist):
    """A lift's playlist restarts at ``loop_from`` (its second half): after the last song
    the listener stays near the target instead of going back to the sad first song."""
    playlist.loop_from = 1
    player.set_playlist(playlist)
    player.recorder.wait_for(lambda ev: sum(isinstance(e, TrackStarted) for e in ev) >= 5)
    assert player.recorder.started()[:5] == [(0, "mood"), (1, "auto"), (2, "auto"), (1, "loop"), (2, "auto")]
    player.play_index(2)
    player.next()
    assert player.index == 1  # next after the last: the loop start too


def test_a_mood_shorter_than_the_fade_is_never_heard(tmp_path):
    """Decided (issue 11): a mood that ends before the fade towards it does is not switched to.
    Back to the playing mood: the fade stops and the song goes on where it was, instead of
    the same playlist starting over; on to a third mood: the fade goes on falling and ends
    in the newest one."""
    clock = FakeClock()
    events = []
    player = Player(SilentBackend(clock), events.append, clock=clock, monitor=False)
    try:
        tracks = {m: Playlist(m, [read_track(write_wav(tmp_path / f"{m}{i}.wav", 5.0, 300 + 50 * i)) for i in range(2)])
                  for m in ("calm", "happy", "sad")}
        player.set_playlist(tracks["calm"])
        player.next()  # the second calm song, 1 s in
        clock.now += 1.0
        player.set_playlist(tracks["happy"], fade=2.0)
        clock.now += 1.0
        player.tick()
        assert player.backend.get_volume() == pytest.approx(0.4)
        events.clear()
        player.set_playlist(tracks["calm"], fade=2.0)  # calm again before happy was heard
        assert player.backend.get_volume() == pytest.approx(0.8)
        assert [e.kind for e in events if isinstance(e, PlaybackNote)] == ["fade_cancelled"]
        clock.now += 2.0  # past the end of the cancelled fade
        player.tick()
        assert player.playlist.mood == "calm" and player.index == 1 and player.state == PLAYING
        assert player.position == pytest.approx(4.0, abs=0.01)  # 4 s into the song: not restarted
        assert not [e for e in events if isinstance(e, TrackStarted)]

        player.set_playlist(tracks["happy"], fade=2.0)
        clock.now += 1.0
        player.tick()
        player.set_playlist(tracks["sad"], fade=2.0)  # happy lasted 1 s, shorter than the fade
        clock.now += 0.5
        player.tick()
        assert player.backend.get_volume() == pytest.approx(0.2)  # still falling, not back up
        clock.now += 0.5
        player.tick()
        assert player.playlist.mood == "sad"
        assert [e.mood for e in events if isinstance(e, TrackStarted)] == ["sad"]
    finally:
        player.close()
