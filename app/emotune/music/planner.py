"""The order of a mood's songs: *match* or *lift*.

*match* (the default) plays the mood's playlist as it is: a sad face, sad music.

*lift* follows the "iso principle" of music therapy (Starcke et al. 2021): begin with music
that matches the listener's mood, then step toward a better place over the next songs. Each
track has an arousal and a valence (0-1, from the music library's analysis or the mood's
typical values); the plan starts at the track nearest the mood's own point and moves toward
the target a step at a time, never farther from the target than the song before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

STRATEGIES = ("match", "lift")

#: Where each mood sits (arousal, valence), for tracks without analysis, and as starting points.
MOOD_POINTS: dict[str, tuple[float, float]] = {
    "happy": (0.65, 0.85), "energetic": (0.85, 0.65), "calm": (0.25, 0.7), "sad": (0.25, 0.2), "tense": (0.8, 0.2),
}
#: Where lift heads: a calm, pleasant place for the high-arousal and low-valence moods;
#: a happy face is already there (its songs play as matched).
LIFT_TARGET: dict[str, tuple[float, float]] = {
    "sad": MOOD_POINTS["calm"], "tense": MOOD_POINTS["calm"], "energetic": MOOD_POINTS["happy"],
    "calm": MOOD_POINTS["happy"], "happy": MOOD_POINTS["happy"],
}


@dataclass(frozen=True)
class Point:
    """A track's place on the mood plane; ``key`` is what the caller identifies it by."""

    key: object
    arousal: float
    valence: float


def _distance(p: Point, target: tuple[float, float]) -> float:
    return math.hypot(p.arousal - target[0], p.valence - target[1])


def plan(mood: str, tracks: Sequence[Point], strategy: str = "match", length: int | None = None) -> list[Point]:
    """The songs to play for ``mood``, in order.

    match: ``tracks`` as they are. lift: ``tracks`` are candidates from the whole library
    (any mood); the plan starts at the one nearest the mood's own point and walks toward
    the mood's lift target in ``length`` steps (default: as many as there are candidates),
    each song the candidate nearest the next waypoint among those no farther from the
    target than the song before. So the plan never moves away from the target, and it ends
    where the library gets closest to it.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    if strategy == "match" or not tracks or mood not in LIFT_TARGET or MOOD_POINTS[mood] == LIFT_TARGET[mood]:
        return list(tracks)  # nothing to lift (a happy face is where lift heads)
    start, target = MOOD_POINTS[mood], LIFT_TARGET[mood]
    left = list(tracks)
    order: list[Point] = []
    count = min(length or len(tracks), len(tracks))
    for i in range(count):
        f = i / max(1, count - 1)
        waypoint = (start[0] + f * (target[0] - start[0]), start[1] + f * (target[1] - start[1]))
        limit = _distance(order[-1], target) if order else math.inf
        allowed = [p for p in left if _distance(p, target) <= limit + 1e-9]
        if not allowed:
            break
        best = min(allowed, key=lambda p: _distance(p, waypoint))
        order.append(best)
        left.remove(best)
    return order


def settle_from(order: Sequence[Point]) -> int:
    """Where a finished lift loops back to: the second half of its plan, the songs nearest
    its target. A listener who was lifted from sad to calm stays in the calm end; looping
    to the plan's first song would drop them back into sad music every few songs."""
    return len(order) // 2
