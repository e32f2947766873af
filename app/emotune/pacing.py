"""When to analyse the next frame: often while the face is changing, seldom while it holds.

The mood is decided over seconds (a 3 s window, a 0.5 s hold), yet analysing every frame
at a fixed 15 a second was nearly all of Emotune's CPU. So the rate follows the face:
``fast_fps`` while the face's smoothed expression disagrees with the current mood (the
tracker is not settled), the face is lost, or no mood is set yet; ``steady_fps`` once it has
agreed for ``steady_after`` seconds. A change is therefore seen within one steady interval (half a
second at 2 a second) and from then on analysed at the fast rate, so the mood still
switches within 2 s. Nobody there for ``away_after`` seconds also drops to the steady rate:
a face coming back is still seen within a steady interval. ``steady_fps`` 0 keeps the fixed
rate (the old behaviour).
"""

from __future__ import annotations


class AnalysisPacer:
    def __init__(self, fast_fps: float, steady_fps: float, steady_after: float = 1.0, away_after: float = 10.0) -> None:
        self.fast_fps = fast_fps
        self.steady_fps = steady_fps
        self.steady_after = steady_after
        self.away_after = away_after
        self._agree_since: float | None = None
        self._face_last: float | None = None
        self.steady = False

    def interval(self, t: float, has_face: bool, agrees: bool) -> float:
        """Seconds of source time until the next frame worth analysing, after a reading at
        ``t`` (``agrees``: its expression maps to the current mood). 0 = the next frame."""
        if has_face:
            self._face_last = t
            if agrees:
                self._agree_since = t if self._agree_since is None else self._agree_since
            else:
                self._agree_since = None
        else:
            self._agree_since = None
        settled = self._agree_since is not None and t - self._agree_since >= self.steady_after
        away = not has_face and (self._face_last is None or t - self._face_last >= self.away_after)
        self.steady = self.steady_fps > 0 and (settled or away)
        rate = self.steady_fps if self.steady else self.fast_fps
        return 1.0 / rate if rate > 0 else 0.0

    def next_due(self, slot: float, t: float, has_face: bool, agrees: bool) -> float:
        """Source time of the next frame to analyse, after analysing the frame at ``t`` in
        the slot due at ``slot``. Counting from the slot keeps the rate on any frame rate;
        falling behind (a slow analysis) never builds a backlog."""
        return max(slot + self.interval(t, has_face, agrees), t)
