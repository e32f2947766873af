"""A track's mood from its sound: a few plain audio features and a small linear model.

Why plain features and not a music-tagging network: the features need only numpy and
soundfile (libsndfile decodes MP3, Ogg, FLAC, Opus and WAV), cost about a tenth of a second
a track, and are easy to reason about; the model is a multinomial logistic regression over
them, trained on the labelled excerpts in ``../shared/data/music-moods`` (never shipped; the
model's 5 x 16 weights are) by ``scripts/music_mood.py``, which also prints its
cross-validated accuracy against the baselines (README, "Music library").

Features, over up to 60 s from the middle of the track, mono, 22,050 Hz:
loudness (RMS in dB) and its spread, the share of quiet frames, spectral centroid, roll-off,
flatness and their spread, zero-crossing rate, onset rate and strength, tempo (from the
autocorrelation of the onset envelope) and its clarity, low/high band energy, and the
major/minor balance of the chroma against Krumhansl's key profiles.

Arousal and valence (0-1) order the moods: arousal is the probability of the high-energy
moods (happy, energetic, tense); valence that of the pleasant ones (happy, calm, and half of
energetic).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotune.emotions import MOODS

RATE = 22050
FRAME = 2048
HOP = 512
SECONDS = 60.0

MFCCS = 13
FEATURES = (
    "rms_db", "rms_db_std", "quiet_share", "centroid", "centroid_std", "rolloff", "flatness", "flatness_std",
    "zcr", "onset_rate", "onset_strength", "tempo", "tempo_clarity", "low_band", "high_band", "major_minor",
    *(f"mfcc{i}" for i in range(MFCCS)), *(f"mfcc{i}_std" for i in range(MFCCS)),
    *(f"mfcc{i}_delta_std" for i in range(MFCCS)),
)


def _mel_filters(bands: int = 40, low: float = 30.0, high: float = 8000.0) -> np.ndarray:
    """Triangular mel filters over the FFT bins (bands x bins), the usual MFCC front end."""
    def to_mel(f: np.ndarray | float) -> np.ndarray:
        return 2595 * np.log10(1 + np.asarray(f) / 700)

    edges = 700 * (10 ** (np.linspace(to_mel(low), to_mel(high), bands + 2) / 2595) - 1)
    freqs = np.fft.rfftfreq(FRAME, 1 / RATE)
    filters = np.zeros((bands, len(freqs)))
    for i in range(bands):
        left, centre, right = edges[i:i + 3]
        filters[i] = np.clip(np.minimum((freqs - left) / (centre - left), (right - freqs) / (right - centre)), 0, None)
    return filters


_MEL = _mel_filters()
_DCT = np.cos(np.pi / _MEL.shape[0] * (np.arange(_MEL.shape[0]) + 0.5)[None, :] * np.arange(MFCCS)[:, None])

# Krumhansl-Kessler key profiles (C major / C minor)
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


class AudioError(ValueError):
    """The file could not be decoded; the message says why."""


def load_audio(path: Path, seconds: float = SECONDS) -> np.ndarray:
    """Up to ``seconds`` of mono audio from the middle of the file, at RATE."""
    import soundfile as sf  # noqa: PLC0415

    try:
        info = sf.info(str(path))
        start = max(0, int((info.frames - seconds * info.samplerate) // 2))
        data, rate = sf.read(str(path), start=start, frames=int(seconds * info.samplerate), dtype="float32",
                             always_2d=True)
    except Exception as exc:  # libsndfile's errors, RuntimeError/LibsndfileError/TypeError
        raise AudioError(f"cannot decode the audio ({exc})") from exc
    mono = data.mean(axis=1)
    if rate != RATE and len(mono):
        positions = np.arange(0, len(mono), rate / RATE)
        mono = np.interp(positions, np.arange(len(mono)), mono).astype(np.float32)
    if len(mono) < RATE:
        raise AudioError("less than a second of audio")
    return mono


def features(signal: np.ndarray) -> np.ndarray:
    """The FEATURES vector of a mono signal at RATE."""
    count = 1 + (len(signal) - FRAME) // HOP
    index = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    frames = signal[index] * np.hanning(FRAME).astype(np.float32)
    spectrum = np.abs(np.fft.rfft(frames, axis=1)) + 1e-10
    freqs = np.fft.rfftfreq(FRAME, 1 / RATE)
    power = spectrum ** 2
    total = power.sum(axis=1)

    rms = np.sqrt((signal[index] ** 2).mean(axis=1)) + 1e-8
    rms_db = 20 * np.log10(rms)
    loud = rms_db.max()
    centroid = (spectrum * freqs).sum(axis=1) / spectrum.sum(axis=1)
    cumulative = np.cumsum(power, axis=1)
    rolloff = freqs[np.argmax(cumulative >= 0.85 * cumulative[:, -1:], axis=1)]
    flatness = np.exp(np.log(spectrum).mean(axis=1)) / spectrum.mean(axis=1)
    signs = np.signbit(signal[index])
    zcr = (signs[:, 1:] != signs[:, :-1]).mean(axis=1)

    log_spec = np.log1p(spectrum)
    flux = np.maximum(0.0, np.diff(log_spec, axis=0)).sum(axis=1)
    flux = (flux - flux.mean()) / (flux.std() + 1e-8)
    peaks = (flux[1:-1] > flux[:-2]) & (flux[1:-1] >= flux[2:]) & (flux[1:-1] > 1.0)
    frames_per_second = RATE / HOP
    onset_rate = peaks.sum() / (len(flux) / frames_per_second)
    tempo, clarity = _tempo(flux, frames_per_second)

    low = power[:, freqs < 250].sum(axis=1) / total
    high = power[:, freqs > 4000].sum(axis=1) / total
    major_minor = _major_minor(power, freqs)
    # Timbre: MFCCs (their means, spreads, and how fast they change), the standard summary
    # of a sound's colour; they raised cross-validated arousal from 69% to 74% here.
    mfcc = np.log(power @ _MEL.T + 1e-10) @ _DCT.T
    plain = np.array([
        rms_db.mean(), rms_db.std(), float((rms_db < loud - 30).mean()), centroid.mean() / 1000,
        centroid.std() / 1000, rolloff.mean() / 1000, flatness.mean(), flatness.std(), zcr.mean(),
        onset_rate, float(np.maximum(flux, 0).mean()), tempo / 100, clarity, low.mean(), high.mean(), major_minor,
    ], dtype=np.float64)
    return np.concatenate([plain, mfcc.mean(axis=0), mfcc.std(axis=0), np.diff(mfcc, axis=0).std(axis=0)])


def _tempo(envelope: np.ndarray, fps: float) -> tuple[float, float]:
    """Beats a minute from the onset envelope's autocorrelation (60-180 BPM), and how
    clearly that lag stands out (0: no pulse)."""
    env = envelope - envelope.mean()
    corr = np.correlate(env, env, mode="full")[len(env) - 1:]
    if corr[0] <= 0:
        return 0.0, 0.0
    corr = corr / corr[0]
    lags = np.arange(len(corr))
    valid = (lags >= fps * 60 / 180) & (lags <= fps * 60 / 60)
    if not valid.any():
        return 0.0, 0.0
    best = lags[valid][np.argmax(corr[valid])]
    return float(60 * fps / best), float(corr[best])


def _major_minor(power: np.ndarray, freqs: np.ndarray) -> float:
    """Best major-key correlation minus best minor-key correlation of the mean chroma."""
    usable = (freqs > 55) & (freqs < 2000)
    pitch = np.round(12 * np.log2(freqs[usable] / 440.0) + 69).astype(int) % 12
    energy = power[:, usable].mean(axis=0)
    chroma = np.bincount(pitch, weights=energy, minlength=12)
    if chroma.sum() <= 0:
        return 0.0
    chroma = chroma / chroma.sum()

    def best(profile: np.ndarray) -> float:
        return max(float(np.corrcoef(chroma, np.roll(profile, k))[0, 1]) for k in range(12))

    return best(_MAJOR) - best(_MINOR)


@dataclass(frozen=True)
class MoodGuess:
    mood: str
    confidence: float
    probabilities: dict[str, float]
    arousal: float
    valence: float


@dataclass(frozen=True)
class MoodModel:
    """Standardise the features, then a softmax over MOODS."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (len(MOODS), len(FEATURES))
    bias: np.ndarray  # (len(MOODS),)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(x) - self.mean) / self.scale) @ self.weights.T + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def guess(self, x: np.ndarray) -> MoodGuess:
        p = self.probabilities(x)[0]
        probs = {m: float(v) for m, v in zip(MOODS, p)}
        mood = max(probs, key=probs.__getitem__)
        arousal = probs["happy"] + probs["energetic"] + probs["tense"]
        valence = probs["happy"] + probs["calm"] + 0.5 * probs["energetic"]
        return MoodGuess(mood, probs[mood], probs, arousal, valence)

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000,
            weights: np.ndarray | None = None) -> "MoodModel":
        """Multinomial logistic regression by gradient descent; ``y`` indexes MOODS;
        ``weights`` per sample (the crowd's agreement), default 1."""
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-8
        xs = (x - mean) / scale
        n, k = len(xs), len(MOODS)
        onehot = np.eye(k)[y]
        sample = np.ones(n) if weights is None else weights / weights.mean()
        w, b = np.zeros((k, xs.shape[1])), np.zeros(k)
        rate = 0.5
        for _ in range(steps):
            z = xs @ w.T + b
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            g = (p - onehot) * sample[:, None] / n
            w -= rate * (g.T @ xs + l2 * w / n)
            b -= rate * g.sum(axis=0)
        return cls(mean, scale, w, b)

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "moods": list(MOODS), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "weights": self.weights.tolist(), "bias": self.bias.tolist()}

    @classmethod
    def from_json(cls, data: dict) -> "MoodModel":
        if data.get("features") != list(FEATURES) or data.get("moods") != list(MOODS):
            raise ValueError("the music mood model was made for other features or moods")
        return cls(*(np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "weights", "bias")))


def model_path() -> Path:
    from emotune.resources import assets_dir  # noqa: PLC0415

    return assets_dir() / "models" / "music_mood.json"


def load_model(path: Path | None = None) -> MoodModel:
    return MoodModel.from_json(json.loads((path or model_path()).read_text()))
