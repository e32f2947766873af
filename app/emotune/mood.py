"""MoodTracker: "the most common facial expression" over a sliding window, without flapping.

Every analysed face votes for its dominant expression with its confidence as weight (votes
under ``min_confidence`` are ignored: an unsure face should not move the music), times the
time since the previous analysed frame (at most half a second): a vote speaks for the time
it stands for, so the outcome does not depend on the analysis rate, which slows down while
the face holds (:mod:`emotune.pacing`) and speeds up when it changes. Votes fade
with age (half-life a third of the window) so that a real change wins within about a
second instead of after half the window. The expression with the largest total in the last
``window`` seconds wins; its mood becomes the current mood only after it has won
continuously for ``hold`` seconds (hysteresis) and its own readings in the window span
more than ``blip`` seconds. The second rule is what makes "a one-second blip never switches
the music" hold whatever the confidences: with the hold alone, one second of confident anger
in a face read as happy with less confidence won long enough to switch. Frames without a
face cast no vote, so a person stepping away leaves the mood where it was.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Mapping

from emotune.emotions import DEFAULT_MOOD_MAP


_FIRST_SPAN = 0.1  # seconds a first vote stands for
_MAX_SPAN = 0.5  # after a gap (a stalled camera), a vote stands for no more than this


@dataclass(frozen=True)
class MoodChange:
    t: float
    emotion: str  # the expression that won
    mood: str
    previous: str | None
    share: float  # the winner's share of the window's vote weight


class MoodTracker:
    def __init__(
        self,
        window: float = 3.0,
        min_confidence: float = 0.35,
        hold: float = 0.5,
        mood_map: Mapping[str, str] = DEFAULT_MOOD_MAP,
        blip: float = 1.0,
    ) -> None:
        if window <= 0 or hold < 0 or blip < 0 or not 0 <= min_confidence < 1:
            raise ValueError("window must be > 0, hold and blip >= 0 and min_confidence in [0, 1)")
        self.window = window
        self.min_confidence = min_confidence
        self.hold = hold
        self.blip = blip
        self.mood_map = dict(mood_map)
        self.mood: str | None = None
        self._votes: deque[tuple[float, str, float, float]] = deque()  # (t, label, weight, span)
        self._candidate: str | None = None
        self._candidate_since = 0.0
        self._last_t: float | None = None

    def winner(self, now: float | None = None) -> tuple[str, float] | None:
        """(expression, share of weight) leading the current window, or None if empty."""
        if not self._votes:
            return None
        now = self._votes[-1][0] if now is None else now
        half_life = self.window / 3
        totals: dict[str, float] = {}
        for t, label, weight, _ in self._votes:
            totals[label] = totals.get(label, 0.0) + weight * 0.5 ** ((now - t) / half_life)
        if not totals:
            return None
        label = max(totals, key=totals.__getitem__)
        return label, totals[label] / sum(totals.values())

    def update(self, t: float, label: str | None, confidence: float) -> MoodChange | None:
        """Add one analysed frame (``label`` None: no face); return a change if the mood moved."""
        span = _FIRST_SPAN if self._last_t is None else min(max(t - self._last_t, 0.0), _MAX_SPAN)
        self._last_t = t
        if label is not None and confidence >= self.min_confidence:
            self._votes.append((t, label, confidence * span, span))
        while self._votes and self._votes[0][0] <= t - self.window:
            self._votes.popleft()

        lead = self.winner(t)
        if lead is None:
            self._candidate = None
            return None
        label_won, share = lead
        mood = self.mood_map[label_won]
        if mood == self.mood:
            self._candidate = None
            return None
        if mood != self._candidate:
            self._candidate, self._candidate_since = mood, t
        if t - self._candidate_since < self.hold or self._evidence_short(mood) > 0:
            return None
        change = MoodChange(t, label_won, mood, self.mood, round(share, 3))
        self.mood, self._candidate = mood, None
        return change

    def pending(self, now: float) -> tuple[str, float] | None:
        """(mood, seconds until it becomes current) while a new mood leads but waits out the
        hold; None when nothing is about to change."""
        if self._candidate is None:
            return None
        wait = max(self.hold - (now - self._candidate_since), self._evidence_short(self._candidate))
        return self._candidate, max(0.0, wait)

    def _evidence_short(self, mood: str) -> float:
        """Seconds of readings ``mood`` still lacks to outlast a blip (0 when it has enough;
        always 0 for the first mood, which replaces nothing)."""
        if self.mood is None:
            return 0.0
        own = [(t, span) for t, label, _, span in self._votes if self.mood_map[label] == mood]
        if not own:
            return self.blip + 1e-6
        # The time its readings stand for, but no more than the time between its first and
        # last reading: at the slow steady rate a first new reading stands for up to half a
        # second, most of it from before the change.
        evidence = min(sum(span for _, span in own), own[-1][0] - own[0][0])
        return 0.0 if evidence > self.blip + 1e-6 else self.blip + 1e-6 - evidence

    def settled(self, now: float, share: float = 0.5) -> bool:
        """True while the window's winner (more than ``share`` of the weight) is the
        current mood and nothing is pending: single readings that flicker (a talking face
        between smiling and neutral) do not unsettle it, a real change does."""
        if self.mood is None or self._candidate is not None:
            return False
        lead = self.winner(now)
        return lead is not None and self.mood_map[lead[0]] == self.mood and lead[1] > share

    def force(self, mood: str) -> None:
        """Set the mood directly (a pinned mood), so Auto resumes from it without a jump."""
        self.mood, self._candidate = mood, None
