"""The match/lift planner, as a pure function on tracks with known arousal and valence."""

import math
import random

import pytest

from emotune.music.planner import LIFT_TARGET, MOOD_POINTS, Point, plan, settle_from


def _library(n=60, seed=3):
    rng = random.Random(seed)
    return [Point(i, rng.random(), rng.random()) for i in range(n)]


def _dist(p, target):
    return math.hypot(p.arousal - target[0], p.valence - target[1])


@pytest.mark.parametrize("mood", ["sad", "tense", "energetic", "calm"])
def test_lift_moves_monotonically_toward_its_target(mood):
    tracks = _library()
    order = plan(mood, tracks, "lift", length=10)
    target = LIFT_TARGET[mood]
    distances = [_dist(p, target) for p in order]
    assert len(order) >= 2 and len(set(p.key for p in order)) == len(order)
    assert all(b <= a + 1e-9 for a, b in zip(distances, distances[1:])), distances
    # it starts where the listener is: the track nearest the mood's own point
    assert order[0] == min(tracks, key=lambda p: _dist(p, MOOD_POINTS[mood]))


def test_lift_from_sad_ends_near_calm_and_match_keeps_the_order():
    sad = [Point(f"sad{i}", 0.2 + 0.02 * i, 0.15 + 0.02 * i) for i in range(5)]
    calm = [Point(f"calm{i}", 0.25 + 0.01 * i, 0.7 - 0.01 * i) for i in range(5)]
    between = [Point("mid", 0.25, 0.45)]
    order = plan("sad", sad + calm + between, "lift", length=6)
    assert order[0].key.startswith("sad") and order[-1].key.startswith("calm")
    assert "mid" in [p.key for p in order]  # a step on the way
    assert plan("sad", sad, "match") == sad
    assert plan("happy", sad + calm, "lift") == sad + calm  # already where lift heads


def test_bad_strategy_and_empty_library():
    with pytest.raises(ValueError, match="unknown strategy"):
        plan("sad", _library(), "cheer")
    assert plan("sad", [], "lift") == []


def test_a_finished_lift_settles_in_the_second_half_of_its_plan():
    tracks = [Point(i, 0.25, 0.2 + 0.05 * i) for i in range(10)]  # from sad toward calm
    order = plan("sad", tracks, "lift", length=8)
    start = settle_from(order)
    assert start == len(order) // 2 and start > 0
    target = LIFT_TARGET["sad"]
    dist = lambda p: math.hypot(p.arousal - target[0], p.valence - target[1])  # noqa: E731
    assert max(dist(p) for p in order[start:]) <= min(dist(p) for p in order[:start])  # the end near calm
