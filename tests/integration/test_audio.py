"""Real sound: the headless run with --audio writes the happy demo track's samples through
SDL's ``disk`` audio driver (a file instead of a sound card)."""

import numpy as np

from emotune.emotions import DEFAULT_MOOD_MAP

from .helpers import emotune


def test_headless_audio_plays_the_happy_demo_track(shared, tmp_path):
    raw = tmp_path / "sdl-audio.raw"
    env = {"SDL_AUDIODRIVER": "disk", "SDL_DISKAUDIOFILE": str(raw), "SDL_DISKAUDIODELAY": "1"}
    run = emotune("--headless", "--video", shared / "videos" / "fer-test.mp4", "--audio", "--linger", "4", env=env)
    assert run.returncode == 0, run.stderr
    happy = [s for s in run.of_type("track_started") if s["mood"] == DEFAULT_MOOD_MAP["happy"]]
    assert happy and "/playlists/happy/" in happy[0]["path"]
    assert not run.of_type("no_device")  # really on pygame, not the silent fallback
    samples = np.frombuffer(raw.read_bytes(), dtype=np.int16)
    assert samples.size > 22050  # more than half a second of 16-bit stereo at 44.1 kHz
    assert np.abs(samples.astype(np.int32)).max() > 1000  # real signal, not silence


def test_no_audio_device_falls_back_to_the_silent_sink_with_a_message(shared, tmp_path):
    env = {"SDL_AUDIODRIVER": "no-such-driver"}
    run = emotune("--headless", "--video", shared / "videos" / "fer-test.mp4", "--audio", env=env)
    assert run.returncode == 0, run.stderr
    notes = run.of_type("no_device")
    assert notes and "playing silently" in notes[0]["message"]
    assert run.of_type("track_started")  # the music logic still runs
