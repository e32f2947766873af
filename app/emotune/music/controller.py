"""Who decides what plays: the face (Auto), a pinned mood, or a song the listener picked.

Rules, as a listener expects them:
* Auto: a new mood fades the current track out and starts that mood's playlist.
* Pinned: mood changes from the face are remembered but ignored until Auto is chosen again;
  choosing Auto then jumps to the face's latest mood.
* A song picked by hand (dropdown, previous/next) plays to its end; an auto change that
  arrives meanwhile waits for that end.
* A pause by the listener holds: a mood change meanwhile only cues that mood's playlist,
  which starts when they press play.
* Optionally, no face for ``away_after`` seconds pauses the music; a face resumes it.
* At a track's end the controller (not the player) chooses: a waiting mood, or the next
  track of the playlist (looping).

Locks: the controller's lock is always taken before the player's, never the other way: the
player sends its events only after releasing its own lock. Events for the outside world
are collected while the lock is held and sent after it is released.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from emotune.mood import MoodChange
from emotune.music.events import PlaybackNote, TrackEnded
from emotune.music.library import Library
from emotune.music.player import PAUSED, PLAYING, Player

AUTO = "auto"
log = logging.getLogger(__name__)


class MusicController:
    def __init__(
        self,
        library: Library,
        player: Player,
        fade: float = 2.0,
        pause_when_away: bool = False,
        away_after: float = 10.0,
        listener: Callable[[object], None] | None = None,
    ) -> None:
        self.library = library
        self.player = player
        self.strategy = "match"  # how the session orders a mood's songs (shown by the window)
        self.fade = fade
        self.pause_when_away = pause_when_away
        self.away_after = away_after
        self.pinned: str | None = None
        self.face_mood: str | None = None  # the latest mood from the face
        self.hand_picked = False
        self.user_paused = False
        self._pending: str | None = None
        self._last_face_t: float | None = None
        self._away_paused = False
        self._lock = threading.RLock()
        self._depth = 0  # how deep this thread is in _locked (events go out at 0)
        self._outbox: list[object] = []
        self._reported: set[str] = set()  # playlist problems already told to the listener
        # The controller hears the player first (track ends are its decision) and passes
        # every event on to the outside listener.
        self._listener = listener or player.listener
        player.listener = self._on_player_event

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                events: list[object] = []
                if self._depth == 0:
                    events, self._outbox = self._outbox, []
        for event in events:
            try:
                self._listener(event)
            except Exception:
                log.exception("music listener failed on %r", event)

    @property
    def mode(self) -> str:
        return AUTO if self.pinned is None else "pinned"

    @property
    def mood(self) -> str | None:
        """The mood whose playlist is (or should be) playing."""
        return self.pinned or self.face_mood

    # -- from the face -----------------------------------------------------------------
    def on_mood_change(self, change: MoodChange) -> None:
        with self._locked():
            self.face_mood = change.mood
            if self.pinned is not None:
                self._note("override", f"mood {change.mood} ignored: {self.pinned} is pinned", change.mood)
                return
            if self.hand_picked and self.player.state == PLAYING:
                self._pending = change.mood
                self._note("override", f"mood {change.mood} waits for the hand-picked song to end", change.mood)
                return
            self._switch(change.mood, self.fade)

    def on_face(self, t: float, seen: bool) -> None:
        """Every analysed frame: pause when nobody has been there for a while, resume on return."""
        if not self.pause_when_away:
            return
        with self._locked():
            if seen:
                self._last_face_t = t
                if self._away_paused:
                    self._away_paused = False
                    if not self.user_paused:
                        self.player.resume()
                        self._note("resumed", "a face is back: music resumed")
            elif self._last_face_t is not None and not self._away_paused and t - self._last_face_t >= self.away_after:
                if self.player.state == PLAYING:
                    self._away_paused = True
                    self.player.pause()
                    self._note("paused", f"no face for {self.away_after:g} s: music paused")

    # -- from the listener ---------------------------------------------------------------
    def pin(self, mood: str | None) -> None:
        """Pin ``mood``; ``None`` (or "auto") gives control back to the face."""
        with self._locked():
            mood = None if mood in (None, AUTO) else mood
            self.pinned = mood
            self.hand_picked = False
            self._pending = None
            self._note("override", f"mood pinned to {mood}" if mood else "auto mood: following the face", mood)
            target = self.mood
            if target and target != self.player.playlist.mood:
                self._switch(target, self.fade)

    def select(self, index: int) -> None:
        with self._locked():
            self.hand_picked, self.user_paused = True, False
            self.player.play_index(index, "select")

    def play_track(self, mood: str, path: Path) -> bool:
        """Play ``path`` from ``mood``'s playlist now (the library view's "Play"): the mood
        is pinned, so the face does not take the song away; False if it is not in there."""
        with self._locked():
            self.library.rescan()
            playlist = self.library.playlist(mood)
            index = next((i for i, t in enumerate(playlist.tracks) if t.path == path), None)
            if index is None:
                self._note("bad_entries", f"{path.name} is not in the {mood} playlist", mood)
                return False
            self.pinned, self._pending, self.user_paused = mood, None, False
            self._note("override", f"mood pinned to {mood}", mood)
            self.hand_picked = True
            return self.player.set_playlist(playlist, start=index, fade=0.0, reason="select", play=True)

    def next(self) -> None:
        with self._locked():
            self.hand_picked, self.user_paused = True, False
            self.player.next()

    def previous(self) -> None:
        with self._locked():
            self.hand_picked, self.user_paused = True, False
            self.player.previous()

    def toggle(self) -> None:
        """Play/pause by the listener. Their pause holds through mood changes."""
        with self._locked():
            if self.player.state == PLAYING:
                self.pause()
            else:
                self.resume()

    def pause(self) -> None:
        with self._locked():
            self.user_paused = True
            self.player.pause()

    def resume(self) -> None:
        with self._locked():
            self.user_paused = self._away_paused = False
            self.player.resume()

    def rescan(self) -> None:
        """Re-read every playlist; the current one is refreshed without interrupting the song."""
        with self._locked():
            self.library.rescan()
            mood = self.player.playlist.mood
            if mood:
                self.player.refresh_playlist(self.library.playlist(mood))

    # -- internals -------------------------------------------------------------------------
    def _switch(self, mood: str, fade: float) -> bool:
        """Start (or, while the listener has paused, cue) ``mood``'s playlist; False (and the
        music goes on) if it has no tracks."""
        playlist = self.library.playlist(mood)
        self.hand_picked = False
        fresh = [p for p in playlist.problems if p not in self._reported] if playlist.tracks else []
        if fresh:  # some entries are unusable but the rest plays: say which, once each
            self._reported.update(fresh)
            self._note("bad_entries", f"{mood} playlist: " + "; ".join(fresh), mood)
        return self.player.set_playlist(playlist, fade=fade, reason="mood", play=not self.user_paused)

    def _on_player_event(self, event: object) -> None:
        """Every player event passes here (on the player's thread or ours, never under the
        player's lock); a track's natural end is where the controller decides what follows."""
        with self._locked():
            self._outbox.append(event)
            if isinstance(event, TrackEnded) and self.player.ended:
                self.hand_picked = False
                if self._pending and self.pinned is None:
                    mood, self._pending = self._pending, None
                    if self._switch(mood, 0.0):
                        return
                self.player.continue_after_end()

    def _note(self, kind: str, message: str, mood: str | None = None) -> None:
        self._outbox.append(PlaybackNote(kind, message, mood))

    @property
    def paused_for_absence(self) -> bool:
        return self._away_paused and self.player.state == PAUSED
