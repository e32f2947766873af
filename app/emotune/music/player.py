"""The playlist player: plays tracks of a playlist on a backend, with its own clock.

The player is mechanical. It starts, pauses, seeks, fades and notices that a track has
ended; what plays next is decided elsewhere (:mod:`emotune.music.controller`), which
hears the end as a :class:`TrackEnded` event and calls :meth:`Player.continue_after_end`
or starts another playlist. Every event leaves the player only after its lock has been
released, so a listener may call straight back into the player (or take locks of its
own) without any chance of a deadlock.

A monitor thread polls the backend every 50 ms: track ends must be noticed without anyone
calling in (pygame's end event needs a display, pygame#3509), and fades must not block
the analysis or the GUI (pygame's ``fadeout`` blocks, pygame#1420). Tests can run it by
hand with :meth:`tick` and an injected clock instead (``monitor=False``), as Quod Libet's
null player does. Position is our own clock: pygame's ``get_pos`` ignores seeks (pygame#3331).
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from emotune.threadnames import name_os_thread
from emotune.music.backends import Backend, PlaybackError
from emotune.music.events import PlaybackNote, TrackEnded, TrackFailed, TrackStarted
from emotune.music.library import Playlist, Track

Listener = Callable[[object], None]
Clock = Callable[[], float]

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"
_TICK = 0.05  # while fading: smooth volume steps
_IDLE_TICK = 0.2  # otherwise: a track's end is noticed within 0.2 s, at a quarter of the wakeups
log = logging.getLogger(__name__)


class Player:
    def __init__(self, backend: Backend, listener: Listener | None = None, volume: float = 0.8,
                 clock: Clock = time.monotonic, monitor: bool = True) -> None:
        self.backend = backend
        self.listener: Listener = listener or (lambda event: None)
        self.playlist = Playlist("")
        self.index = -1
        self.state = STOPPED
        self._clock = clock
        self._volume = volume
        self._lock = threading.Lock()  # not re-entrant on purpose: no method calls another locked one
        self._outbox: list[object] = []  # events made under the lock, sent after it is released
        self._ended = False  # the current track ran out and nothing has been started since
        self._clock_base = 0.0  # position when the clock last (re)started
        self._clock_start = 0.0  # clock time of that
        self._fade: tuple[float, float, Callable[[], None]] | None = None  # start, length, then
        self._stop = threading.Event()
        backend.set_volume(volume)
        self._thread: threading.Thread | None = None
        if monitor:
            self._thread = threading.Thread(target=self._monitor, name="player-monitor", daemon=True)
            self._thread.start()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the lock for the body, then deliver the events it produced, lock released."""
        with self._lock:
            yield
            events, self._outbox = self._outbox, []
        for event in events:
            try:
                self.listener(event)
            except Exception:  # a broken listener must not stop the music; but say so
                log.exception("player listener failed on %r", event)

    # -- queries ------------------------------------------------------------------------
    @property
    def track(self) -> Track | None:
        with self._lock:
            return self._track()

    @property
    def position(self) -> float:
        with self._lock:
            return self._position()

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def ended(self) -> bool:
        """True after a track ran out, until something else is started."""
        return self._ended

    # -- playlist ------------------------------------------------------------------------
    def set_playlist(self, playlist: Playlist, start: int = 0, fade: float = 0.0, reason: str = "mood",
                     play: bool = True) -> bool:
        """Switch to ``playlist``; with ``fade`` the current track fades out first (non-blocking).
        With ``play=False`` the playlist is only cued: it starts when the listener presses play.
        Returns False (and keeps the current music) if the playlist has no tracks."""
        with self._locked():
            if not playlist.tracks:
                problems = "; ".join(playlist.problems) or "no playable files"
                self._outbox.append(PlaybackNote(
                    "empty_playlist", f"the {playlist.mood} playlist is empty: {problems}; keeping the current music",
                    playlist.mood))
                return False
            if not play:
                self._fade = None
                self.backend.stop()
                self.playlist, self.index, self.state, self._ended = playlist, start % len(playlist), STOPPED, False
                self._clock_base = 0.0
                self._outbox.append(PlaybackNote(
                    "cued", f"{playlist.mood} music is ready: press play to hear it", playlist.mood))
                return True

            if self._fade is not None and play and playlist.mood == self.playlist.mood and self.state == PLAYING:
                # Back to the mood still playing before its fade-out ended: the mood in
                # between was shorter than the fade and is never heard, and the song goes
                # on where it was instead of starting the same playlist over.
                self._fade = None
                self.backend.set_volume(self._volume)
                self._refresh(playlist)
                self._outbox.append(PlaybackNote(
                    "fade_cancelled", f"back to {playlist.mood} before the fade ended: the song goes on", playlist.mood))
                return True

            def switch() -> None:
                self.playlist = playlist
                self._play_from(start, reason)

            if fade > 0 and self.state == PLAYING:
                # A fade already under way goes on from where it is (the volume keeps
                # falling) and ends in the newest mood; the one it was heading for is skipped.
                started = self._fade[0] if self._fade is not None else self._clock()
                self._fade = (started, fade, switch)
            else:
                self._fade = None
                switch()
            return True

    def refresh_playlist(self, playlist: Playlist) -> None:
        """Swap in a rescanned version of the current playlist without interrupting the song:
        the song keeps its place if it is still listed; otherwise the new list starts after it."""
        with self._locked():
            if playlist.mood != self.playlist.mood or not playlist.tracks:
                return
            self._refresh(playlist)

    def _refresh(self, playlist: Playlist) -> None:
        current = self._track()
        paths = [t.path for t in playlist.tracks]
        self.playlist = playlist
        self.index = paths.index(current.path) if current and current.path in paths else -1

    def play_index(self, index: int, reason: str = "select") -> None:
        with self._locked():
            if self.playlist.tracks:
                self._fade = None
                self._play_from(index % len(self.playlist), reason)

    def next(self) -> None:
        with self._locked():
            if self.playlist.tracks:
                self._fade = None
                self._play_from(self._after(self.index), "next")

    def previous(self) -> None:
        with self._locked():
            if self.playlist.tracks:
                self._fade = None
                self._play_from((self.index - 1) % len(self.playlist), "previous")

    def continue_after_end(self) -> bool:
        """After a natural end, play the next track (the first after the last: the loop).
        Does nothing (returns False) if anything was started since the end."""
        with self._locked():
            if not self._ended or not self.playlist.tracks:
                return False
            following = self.index + 1
            self._play_from(self._after(self.index), "loop" if following >= len(self.playlist) else "auto")
            return True

    def _after(self, index: int) -> int:
        """The song after ``index``: the next, or after the last the playlist's loop start."""
        following = index + 1
        return following if following < len(self.playlist) else min(self.playlist.loop_from, len(self.playlist) - 1)

    # -- transport -----------------------------------------------------------------------
    def pause(self) -> None:
        with self._locked():
            self._pause()

    def resume(self) -> None:
        with self._locked():
            self._resume()

    def toggle(self) -> None:
        with self._locked():
            self._pause() if self.state == PLAYING else self._resume()

    def stop(self) -> None:
        with self._locked():
            self._fade = None
            self.backend.stop()
            self.state = STOPPED
            self._clock_base = 0.0

    def seek(self, seconds: float) -> None:
        with self._locked():
            track = self._track()
            if track is None or self.state == STOPPED:
                return
            if track.duration:
                seconds = min(seconds, max(0.0, track.duration - 0.05))
            seconds = max(0.0, seconds)
            was_paused = self.state == PAUSED
            self.backend.play(seconds)
            if was_paused:
                self.backend.pause()
            self._clock_base, self._clock_start = seconds, self._clock()

    def set_volume(self, volume: float) -> None:
        with self._locked():
            self._volume = min(1.0, max(0.0, volume))
            if self._fade is None:
                self.backend.set_volume(self._volume)

    def close(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the player's monitor thread did not stop within %.1f s", timeout)
        with self._locked():
            self.backend.close()
            self.state = STOPPED

    def tick(self) -> None:
        """One monitor step: advance a fade, or notice that the track has ended."""
        with self._locked():
            if self._fade is not None:
                started, length, then = self._fade
                progress = (self._clock() - started) / length
                if progress >= 1.0:
                    self._fade = None
                    self.backend.stop()
                    then()
                else:
                    self.backend.set_volume(self._volume * (1.0 - progress))
                return
            if self.state == PLAYING and not self.backend.busy():
                ended = self._track()
                self.state, self._ended = STOPPED, True
                self._clock_base = self._position_of_end(ended)
                if ended is not None:
                    self._outbox.append(TrackEnded(self.playlist.mood, self.index, ended))

    # -- internals (lock held) -------------------------------------------------------------
    def _track(self) -> Track | None:
        return self.playlist.tracks[self.index] if 0 <= self.index < len(self.playlist) else None

    def _position(self) -> float:
        if self.state == PLAYING:
            return self._clock_base + self._clock() - self._clock_start
        return self._clock_base

    def _position_of_end(self, track: Track | None) -> float:
        return track.duration if track is not None and track.duration else self._position()

    def _pause(self) -> None:
        if self.state == PLAYING:
            self._clock_base = self._position()
            self.backend.pause()
            self.state = PAUSED

    def _resume(self) -> None:
        if self.state == PAUSED:
            self.backend.unpause()
            self._clock_start = self._clock()
            self.state = PLAYING
        elif self.state == STOPPED and self.playlist.tracks:
            start = self.index + 1 if self._ended else max(0, self.index)
            self._play_from(start % len(self.playlist), "select")

    def _play_from(self, index: int, reason: str) -> None:
        """Start track ``index``; a track that will not play is reported and skipped."""
        count = len(self.playlist)
        self._ended = False
        for attempt in range(count):
            i = (index + attempt) % count
            track = self.playlist.tracks[i]
            try:
                self.backend.load(track.path, track.duration)
                self.backend.set_volume(self._volume)
                self.backend.play(0.0)
            except PlaybackError as exc:
                self._outbox.append(TrackFailed(self.playlist.mood, i, track, str(exc)))
                reason = "skip"
                continue
            self.index, self.state = i, PLAYING
            self._clock_base, self._clock_start = 0.0, self._clock()
            self._outbox.append(TrackStarted(self.playlist.mood, i, track, reason))
            return
        self.backend.stop()
        self.state = STOPPED
        self._outbox.append(PlaybackNote("all_failed", f"no track of the {self.playlist.mood} playlist could be played",
                                         self.playlist.mood))

    def _monitor(self) -> None:
        name_os_thread("emotune-music")
        while not self._stop.wait(_TICK if self._fade is not None else _IDLE_TICK):
            try:
                self.tick()
            except Exception:  # a backend hiccup must not end track-end detection for the evening
                log.exception("player monitor step failed")
