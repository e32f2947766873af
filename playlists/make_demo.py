"""Make the demo playlists that ship with Emotune: two short tracks per mood, synthesised.

The project's own sounds (no third-party recordings), so the app plays out of the box.
Each mood differs in tempo, key/mode and timbre:

  happy      C major, 126 bpm, bright plucked arpeggios over a bouncing bass
  calm       F major, 66 bpm, soft sine pads and a slow bell melody
  sad        A minor, 58 bpm, slow piano-like notes, descending line
  energetic  E minor, 150 bpm, square-wave riff, kick and hi-hat on every beat
  tense      no key, 96 bpm, low drone, tritone pulses and a rising chromatic line

Run from the repository root:  python playlists/make_demo.py   (needs the "demo" extra:
pip install -e ".[demo]"). Output: playlists/<mood>/NN-title.ogg (Ogg Vorbis, mono,
22,050 Hz), tagged with title and artist "Emotune demo". Seeded, so reruns are alike.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

RATE = 22050
HERE = Path(__file__).resolve().parent
NOTE = {n: i for i, n in enumerate(["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"])}


def freq(name: str) -> float:
    """'A4' → 440 Hz; sharps as 'C#4'."""
    pitch, octave = name[:-1], int(name[-1])
    return 440.0 * 2 ** ((NOTE[pitch] + 12 * (octave - 4) - 9) / 12)


def envelope(n: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.minimum(1.0, t / max(attack, 1e-4)) * np.exp(-t / decay)


def tone(f: float, seconds: float, kind: str, attack: float = 0.005, decay: float = 0.4) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    phase = 2 * np.pi * f * t
    if kind == "pluck":  # bright: a few odd and even harmonics
        wave = sum(np.sin(k * phase) / k for k in range(1, 7))
    elif kind == "square":
        wave = np.sign(np.sin(phase)) * 0.6
    elif kind == "piano":
        wave = np.sin(phase) + 0.4 * np.sin(2 * phase) + 0.15 * np.sin(3 * phase)
    elif kind == "bell":
        wave = np.sin(phase) + 0.3 * np.sin(2.76 * phase)
    else:  # "sine" pad
        wave = np.sin(phase) + 0.2 * np.sin(2 * phase + 0.3)
    return wave * envelope(n, attack, decay)


def place(track: np.ndarray, sound: np.ndarray, at: float, gain: float) -> None:
    start = int(at * RATE)
    end = min(len(track), start + len(sound))
    if start < end:
        track[start:end] += gain * sound[: end - start]


def drum(kind: str, rng: np.random.Generator) -> np.ndarray:
    n = int(0.25 * RATE)
    t = np.arange(n) / RATE
    if kind == "kick":
        return np.sin(2 * np.pi * (50 + 90 * np.exp(-t * 30)) * t) * np.exp(-t * 12)
    return rng.standard_normal(n) * np.exp(-t * 60) * 0.5  # hi-hat


def compose(mood: str, variant: int, seconds: float = 20.0) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(f"{mood}{variant}".encode()))
    out = np.zeros(int(seconds * RATE))
    if mood == "happy":
        beat = 60 / 126
        chords = [["C4", "E4", "G4"], ["G3", "B3", "D4"], ["A3", "C4", "E4"], ["F3", "A3", "C4"]]
        if variant:
            chords = chords[2:] + chords[:2]
        for bar in range(int(seconds / (4 * beat))):
            chord = chords[bar % 4]
            for step in range(8):
                note = chord[step % 3]
                place(out, tone(freq(note) * (2 if step >= 4 else 1), beat, "pluck", decay=0.18), (bar * 8 + step) * beat / 2, 0.22)
            for b in range(4):
                place(out, tone(freq(chord[0]) / 2, beat, "sine", decay=0.2), (bar * 4 + b) * beat, 0.35)
    elif mood == "calm":
        beat = 60 / 66
        pads = [["F3", "A3", "C4"], ["D3", "F3", "A3"], ["A#2", "D3", "F3"], ["C3", "E3", "G3"]]
        melody = ["A4", "C5", "F4", "G4"] if variant == 0 else ["C5", "A4", "D5", "E4"]
        for bar in range(int(seconds / (4 * beat)) + 1):
            for note in pads[bar % 4]:
                place(out, tone(freq(note), 4 * beat, "sine", attack=0.8, decay=3.0), bar * 4 * beat, 0.18)
            place(out, tone(freq(melody[bar % 4]), 2 * beat, "bell", decay=1.2), bar * 4 * beat + beat, 0.2)
    elif mood == "sad":
        beat = 60 / 58
        line = ["E4", "D4", "C4", "B3", "A3", "G3", "A3", "C4"] if variant == 0 else ["C5", "B4", "A4", "E4", "F4", "E4", "D4", "E4"]
        bass = ["A2", "F2", "C3", "G2"]
        for i in range(int(seconds / beat)):
            place(out, tone(freq(line[i % len(line)]), 2 * beat, "piano", decay=0.9), i * beat, 0.3)
            if i % 2 == 0:
                place(out, tone(freq(bass[(i // 2) % 4]), 2 * beat, "piano", decay=1.5), i * beat, 0.3)
    elif mood == "energetic":
        beat = 60 / 150
        riff = ["E2", "E2", "G2", "E2", "A2", "E2", "B2", "D3"] if variant == 0 else ["E2", "G2", "A2", "A2", "E2", "D3", "B2", "A2"]
        for i in range(int(seconds / (beat / 2))):
            place(out, tone(freq(riff[i % 8]), beat / 2, "square", decay=0.12), i * beat / 2, 0.22)
            if i % 2 == 0:
                place(out, drum("kick", rng), i * beat / 2, 0.6)
            else:
                place(out, drum("hat", rng), i * beat / 2, 0.25)
    elif mood == "tense":
        beat = 60 / 96
        out += 0.15 * tone(freq("C2"), seconds, "sine", attack=2.0, decay=60.0)[: len(out)]
        base = freq("C4") if variant == 0 else freq("D#4")
        for i in range(int(seconds / beat)):
            place(out, tone(base * 2 ** (6 / 12), beat / 2, "square", decay=0.08), i * beat, 0.1)
            place(out, tone(base * 2 ** ((i % 12) / 12), beat, "sine", decay=0.3), i * beat + beat / 2, 0.18)
    else:
        raise ValueError(mood)
    fade = int(1.0 * RATE)
    out[-fade:] *= np.linspace(1, 0, fade)
    return (0.8 * out / np.max(np.abs(out))).astype(np.float32)


TITLES = {
    "happy": ["Sunny Steps", "Bright Side"],
    "calm": ["Still Water", "Slow Clouds"],
    "sad": ["Grey Window", "Letters Home"],
    "energetic": ["Full Throttle", "Overdrive"],
    "tense": ["Held Breath", "Dark Corridor"],
}


def main() -> None:
    import soundfile as sf  # noqa: PLC0415
    from mutagen.oggvorbis import OggVorbis  # noqa: PLC0415

    for mood, titles in TITLES.items():
        folder = HERE / mood
        folder.mkdir(exist_ok=True)
        for variant, title in enumerate(titles):
            path = folder / f"{variant + 1:02d}-{title.lower().replace(' ', '-')}.ogg"
            sf.write(path, compose(mood, variant), RATE, format="OGG", subtype="VORBIS")
            tags = OggVorbis(path)
            tags["title"], tags["artist"], tags["genre"] = title, "Emotune demo", mood
            tags.save()
            print(f"{path.relative_to(HERE.parent)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
