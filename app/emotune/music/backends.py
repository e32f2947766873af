"""Audio backends: pygame.mixer for sound, and a silent sink that only keeps time.

A backend plays one file; the playlist logic lives in :mod:`emotune.music.player`, so both
backends behave the same and one contract test suite covers them (as Quod Libet does).
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable


class PlaybackError(RuntimeError):
    """A file cannot be played; the message is the reason shown to the user."""


class Backend(ABC):
    name = "backend"

    @abstractmethod
    def load(self, path: Path, duration: float | None) -> None:
        """Prepare ``path``; raise PlaybackError if it cannot be played."""

    @abstractmethod
    def play(self, start: float = 0.0) -> None: ...

    @abstractmethod
    def pause(self) -> None: ...

    @abstractmethod
    def unpause(self) -> None: ...

    @abstractmethod
    def stop(self) -> None: ...

    @abstractmethod
    def set_volume(self, volume: float) -> None: ...

    @abstractmethod
    def get_volume(self) -> float:
        """The volume the device plays at now (it dips during a fade)."""

    @abstractmethod
    def busy(self) -> bool:
        """True while the loaded track still has sound to play (paused counts as busy)."""

    def close(self) -> None:
        self.stop()


class SilentBackend(Backend):
    """No device: a clock that reaches the track's duration. For tests, headless runs and
    machines without sound. It still refuses files that are not audio, like pygame would."""

    name = "silent"
    DEFAULT_DURATION = 30.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock  # injectable, so tests run a track's end without sleeping
        self.volume = 1.0
        self._duration = 0.0
        self._started = 0.0  # monotonic time at which position 0 would have been
        self._paused_at: float | None = None
        self._playing = False

    def load(self, path: Path, duration: float | None) -> None:
        import mutagen  # noqa: PLC0415

        try:
            audio = mutagen.File(path)
        except Exception as exc:
            raise PlaybackError(f"cannot decode {path.name}: {exc}") from exc
        if audio is None or not getattr(audio.info, "length", 0):
            raise PlaybackError(f"cannot decode {path.name}: not a supported audio file")
        self._duration = duration or float(audio.info.length) or self.DEFAULT_DURATION
        self._playing = False

    def play(self, start: float = 0.0) -> None:
        self._started = self._clock() - start
        self._paused_at = None
        self._playing = True

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self._clock()

    def unpause(self) -> None:
        if self._paused_at is not None:
            self._started += self._clock() - self._paused_at
            self._paused_at = None

    def stop(self) -> None:
        self._playing = False

    def set_volume(self, volume: float) -> None:
        self.volume = volume

    def get_volume(self) -> float:
        return self.volume

    def busy(self) -> bool:
        if not self._playing:
            return False
        now = self._paused_at if self._paused_at is not None else self._clock()
        return now - self._started < self._duration


class PygameBackend(Backend):
    """pygame.mixer.music. Track ends are found by polling ``get_busy`` (the end event needs
    a display, pygame#3509), and fades are done by the player in volume steps because
    ``mixer.music.fadeout`` blocks (pygame#1420)."""

    name = "pygame"

    def __init__(self) -> None:
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
        import pygame  # noqa: PLC0415

        self._pygame = pygame
        try:
            pygame.mixer.init()
        except pygame.error as exc:
            raise PlaybackError(f"no audio device ({exc})") from exc
        self._paused = False

    def load(self, path: Path, duration: float | None) -> None:
        try:
            # bytes, not str: a file name that is not valid UTF-8 (an old Latin-1 rip, say)
            # survives as bytes, where SDL would be handed a mangled name
            self._pygame.mixer.music.load(os.fsencode(path))
        except (self._pygame.error, OSError) as exc:
            raise PlaybackError(f"cannot play {path.name}: {exc}") from exc

    def play(self, start: float = 0.0) -> None:
        music = self._pygame.mixer.music
        try:
            music.play(start=start)
        except self._pygame.error:  # formats such as WAV cannot start mid-way
            music.play()
            if start:
                try:
                    music.set_pos(start)
                except self._pygame.error:
                    pass
        self._paused = False

    def pause(self) -> None:
        self._pygame.mixer.music.pause()
        self._paused = True

    def unpause(self) -> None:
        self._pygame.mixer.music.unpause()
        self._paused = False

    def stop(self) -> None:
        if self._pygame.mixer.get_init():
            self._pygame.mixer.music.stop()
        self._paused = False

    def set_volume(self, volume: float) -> None:
        self._pygame.mixer.music.set_volume(volume)

    def get_volume(self) -> float:
        return float(self._pygame.mixer.music.get_volume())

    def busy(self) -> bool:
        return self._paused or bool(self._pygame.mixer.music.get_busy())

    def close(self) -> None:
        if self._pygame.mixer.get_init():
            self._pygame.mixer.music.stop()
            self._pygame.mixer.music.unload()
            self._pygame.mixer.quit()


def open_backend(audio: bool) -> tuple[Backend, str | None]:
    """The pygame backend if ``audio`` and a device opens, else the silent one with the reason."""
    if not audio:
        return SilentBackend(), None
    try:
        return PygameBackend(), None
    except PlaybackError as exc:
        return SilentBackend(), f"{exc}; playing silently"
