"""Plain event records of the music side; the session prints them, the GUI turns them into signals."""

from __future__ import annotations

from dataclasses import dataclass

from emotune.music.library import Track


@dataclass(frozen=True)
class TrackStarted:
    mood: str
    index: int
    track: Track
    reason: str  # "auto", "mood", "next", "previous", "select", "loop", "skip"


@dataclass(frozen=True)
class TrackEnded:
    mood: str
    index: int
    track: Track


@dataclass(frozen=True)
class TrackFailed:
    mood: str
    index: int
    track: Track
    reason: str


@dataclass(frozen=True)
class PlaybackNote:
    """Something the listener should know: paused, resumed, empty playlist, no device."""

    kind: str  # "paused", "resumed", "empty_playlist", "no_device", "override", "all_failed", "fade_cancelled"
    message: str
    mood: str | None = None
