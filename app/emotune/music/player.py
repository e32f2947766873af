"""The playlist player: loops a playlist on a backend, with its own clock and a monitor thread.

Why a thread of its own: track ends must be noticed without anyone calling in (pygame's
end event needs a display), and fades must not block the analysis or the GUI. The monitor
polls the backend every 50 ms; every public method is short and takes one lock.

Position is our own clock (pygame's ``get_pos`` ignores seeks, pygame#3331).
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from emotune.music.backends import Backend, PlaybackError
from emotune.music.events import PlaybackNote, TrackEnded, TrackFailed, TrackStarted
from emotune.music.library import Playlist, Track

Listener = Callable[[object], None]

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"
_TICK = 0.05


class Player:
    def __init__(self, backend: Backend, listener: Listener | None = None, volume: float = 0.8) -> None:
        self.backend = backend
        self.listener: Listener = listener or (lambda event: None)
        #: Called at a natural track end; returning True means "handled, do not advance".
        self.end_handler: Callable[[], bool] = lambda: False
        self.playlist = Playlist("")
        self.index = -1
        self.state = STOPPED
        self._volume = volume
        self._lock = threading.RLock()
        self._clock_base = 0.0  # position when the clock last (re)started
        self._clock_start = 0.0  # monotonic time of that
        self._fade: tuple[float, float, Callable[[], None]] | None = None  # start, length, then
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._monitor, name="player-monitor", daemon=True)
        self._thread.start()
        backend.set_volume(volume)

    # -- queries ------------------------------------------------------------------------
    @property
    def track(self) -> Track | None:
        with self._lock:
            return self.playlist.tracks[self.index] if 0 <= self.index < len(self.playlist) else None

    @property
    def position(self) -> float:
        with self._lock:
            if self.state == PLAYING:
                return self._clock_base + time.monotonic() - self._clock_start
            return self._clock_base

    @property
    def volume(self) -> float:
        return self._volume

    # -- playlist ------------------------------------------------------------------------
    def set_playlist(self, playlist: Playlist, start: int = 0, fade: float = 0.0, reason: str = "mood") -> None:
        """Switch to ``playlist``; with ``fade`` the current track fades out first (non-blocking)."""
        with self._lock:
            if not playlist.tracks:
                self.listener(PlaybackNote("empty_playlist", f"the {playlist.mood} playlist is empty: "
                                           + "; ".join(playlist.problems) + "; keeping the current music", playlist.mood))
                return

            def switch() -> None:
                self.playlist = playlist
                self._play_from(start, reason)

            if fade > 0 and self.state == PLAYING:
                self._fade = (time.monotonic(), fade, switch)
            else:
                self._fade = None
                switch()

    def refresh_playlist(self, playlist: Playlist) -> None:
        """Swap in a rescanned version of the current playlist without interrupting the song:
        the song keeps its place if it is still listed; otherwise the new list starts after it."""
        with self._lock:
            if playlist.mood != self.playlist.mood or not playlist.tracks:
                return
            current = self.track
            paths = [t.path for t in playlist.tracks]
            self.playlist = playlist
            self.index = paths.index(current.path) if current and current.path in paths else -1

    def play_index(self, index: int, reason: str = "select") -> None:
        with self._lock:
            self._fade = None
            self._play_from(index % max(1, len(self.playlist)), reason)

    def next(self) -> None:
        self.play_index(self.index + 1, "next")

    def previous(self) -> None:
        self.play_index(self.index - 1, "previous")

    # -- transport -----------------------------------------------------------------------
    def pause(self) -> None:
        with self._lock:
            if self.state == PLAYING:
                self._clock_base = self.position
                self.backend.pause()
                self.state = PAUSED

    def resume(self) -> None:
        with self._lock:
            if self.state == PAUSED:
                self.backend.unpause()
                self._clock_start = time.monotonic()
                self.state = PLAYING
            elif self.state == STOPPED and self.playlist.tracks:
                self._play_from(max(0, self.index), "select")

    def toggle(self) -> None:
        with self._lock:
            (self.pause if self.state == PLAYING else self.resume)()

    def stop(self) -> None:
        with self._lock:
            self._fade = None
            self.backend.stop()
            self.state = STOPPED
            self._clock_base = 0.0

    def seek(self, seconds: float) -> None:
        with self._lock:
            track = self.track
            if track is None or self.state == STOPPED:
                return
            if track.duration:
                seconds = min(seconds, max(0.0, track.duration - 0.05))
            seconds = max(0.0, seconds)
            was_paused = self.state == PAUSED
            self.backend.play(seconds)
            if was_paused:
                self.backend.pause()
            self._clock_base, self._clock_start = seconds, time.monotonic()

    def set_volume(self, volume: float) -> None:
        with self._lock:
            self._volume = min(1.0, max(0.0, volume))
            if self._fade is None:
                self.backend.set_volume(self._volume)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        with self._lock:
            self.backend.close()
            self.state = STOPPED

    # -- internals (lock held) -------------------------------------------------------------
    def _play_from(self, index: int, reason: str) -> None:
        """Start track ``index``; a track that will not play is reported and skipped."""
        count = len(self.playlist)
        for attempt in range(count):
            i = (index + attempt) % count
            track = self.playlist.tracks[i]
            try:
                self.backend.load(track.path, track.duration)
                self.backend.set_volume(self._volume)
                self.backend.play(0.0)
            except PlaybackError as exc:
                self.listener(TrackFailed(self.playlist.mood, i, track, str(exc)))
                reason = "skip"
                continue
            self.index, self.state = i, PLAYING
            self._clock_base, self._clock_start = 0.0, time.monotonic()
            self.listener(TrackStarted(self.playlist.mood, i, track, reason))
            return
        self.backend.stop()
        self.state = STOPPED
        self.listener(PlaybackNote("all_failed", f"no track of the {self.playlist.mood} playlist could be played",
                                   self.playlist.mood))

    def _monitor(self) -> None:
        while not self._stop.wait(_TICK):
            with self._lock:
                if self._fade is not None:
                    started, length, then = self._fade
                    progress = (time.monotonic() - started) / length
                    if progress >= 1.0:
                        self._fade = None
                        self.backend.stop()
                        then()
                    else:
                        self.backend.set_volume(self._volume * (1.0 - progress))
                    continue
                if self.state == PLAYING and not self.backend.busy():
                    ended = self.track
                    if ended is not None:
                        self.listener(TrackEnded(self.playlist.mood, self.index, ended))
                    if not self.end_handler():
                        self._play_from((self.index + 1) % len(self.playlist), "loop" if self.index + 1 >= len(self.playlist) else "auto")
