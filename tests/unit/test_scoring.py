"""The mood scores against hand-computed examples."""

import pytest

from emotune.scoring import Span, ceiling, combine, mood_at, read_timeline, score


def test_mood_at_follows_the_changes():
    changes = [(1.0, "happy"), (3.0, "sad")]
    assert mood_at(changes, 0.5) is None and mood_at(changes, 1.0) == "happy" and mood_at(changes, 3.5) == "sad"


def test_a_hand_computed_example():
    # labelled: happy 0-4 s, sad 6-10 s (8 labelled seconds)
    spans = [Span(0, 4, "happy"), Span(6, 10, "sad")]
    # the app: happy at 1.0 s, sad at 7.5 s, a blip to calm at 8.0 s, sad again at 9.0 s
    changes = [(1.0, "happy"), (7.5, "sad"), (8.0, "calm"), (9.0, "sad")]
    frames = [(0.5, "happy"), (1.5, "happy"), (2.5, None), (6.5, "sad"), (7.5, "angry"), (11.0, "sad")]
    s = score(spans, changes, frames)
    # right: happy 1-4 (3 s) + sad 7.5-8 and 9-10 (1.5 s) = 4.5 of 8
    assert s.mood_right == pytest.approx(4.5 / 8, abs=1e-3)
    assert s.changes == 2 and s.missed == 0
    assert s.reaction_median_s == pytest.approx((1.0 + 1.5) / 2) and s.reaction_max_s == pytest.approx(1.5)
    # spurious: calm at 8.0 and sad again at 9.0, in 8 labelled seconds
    assert s.spurious == 2 and s.spurious_per_min == pytest.approx(2 / (8 / 60))
    # frames inside spans: 5 (11.0 is outside); right: 0.5, 1.5, 6.5
    assert s.frame_accuracy == pytest.approx(3 / 5)


def test_a_span_that_is_never_reached_is_missed_and_a_mood_already_right_reacts_at_once():
    spans = [Span(0, 2, "neutral"), Span(2, 3, "happy"), Span(3, 5, "neutral")]
    changes = [(0.5, "calm")]
    s = score(spans, changes, [])
    assert s.changes == 3 and s.missed == 1  # happy never came
    assert s.reaction_median_s == pytest.approx(0.25) and s.reaction_max_s == pytest.approx(0.5)  # 0.5 and 0
    # calm again after happy counts as a change that was right from its start (0 s)
    assert s.mood_right == pytest.approx((1.5 + 0 + 2) / 5, abs=1e-3)
    assert s.frame_accuracy is None


def test_same_mood_spans_in_a_row_are_one_change():
    spans = [Span(0, 1, "angry"), Span(2, 3, "surprise")]  # both energetic
    s = score(spans, [(0.2, "energetic")], [])
    assert s.changes == 1 and s.spurious == 0


def test_a_mood_reached_late_in_a_span_of_the_same_mood_is_not_spurious():
    # angry 0-1 s then surprise 2-4 s (both energetic): energetic only comes at 3.0 s,
    # after a wrong calm at 0.5 s; then a blip to sad at 3.5 s.
    spans = [Span(0, 1, "angry"), Span(2, 4, "surprise")]
    s = score(spans, [(0.5, "calm"), (3.0, "energetic"), (3.5, "sad")], [])
    assert s.changes == 1 and s.missed == 1  # energetic did not come within the angry span
    assert s.reaction_median_s is None  # a catch-up is no reaction time of the change
    assert s.spurious == 2  # calm at 0.5 and sad at 3.5; energetic at 3.0 is the catch-up
    assert s.mood_right == pytest.approx(0.5 / 3, abs=1e-3)


def test_combine_weights_by_labelled_time():
    a = score([Span(0, 1, "happy")], [(0.0, "happy")], [])
    b = score([Span(0, 3, "happy")], [], [])
    both = combine([a, b])
    assert both.mood_right == pytest.approx(0.25) and both.labelled_seconds == 4


def test_timeline_files_are_checked(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("start_s,end_s,expression\n0,1.5,happy\n2,3,neutral\n")
    assert read_timeline(good) == [Span(0, 1.5, "happy"), Span(2, 3, "neutral")]
    for text, words in (("start,end,label\n0,1,happy\n", "header"), ("start_s,end_s,expression\n0,1,joy\n", "line 2"),
                        ("start_s,end_s,expression\n0,2,happy\n1,3,sad\n", "overlap")):
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(ValueError, match=words):
            read_timeline(bad)


def test_every_shared_video_has_a_valid_timeline(shared):
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "timelines"
    for video in (shared / "videos").glob("*.mp4"):
        spans = read_timeline(folder / f"{video.stem}.csv")
        assert spans, video.name


def test_the_ceiling_a_timeline_allows_by_hand():
    spans = [Span(0.0, 3.0, "happy"),     # first span: wrong for its first 1.0 s -> 2.0 right
             Span(3.0, 3.5, "sad"),       # 0.5 s: shorter than the reaction -> 0 right
             Span(4.0, 6.0, "sad"),       # same mood as the span before -> 2.0 right
             Span(6.0, 7.5, "neutral")]   # calm: 0.5 right
    assert ceiling(spans) == pytest.approx((2.0 + 0.0 + 2.0 + 0.5) / 7.0)
    assert ceiling(spans, reaction_s=0.0) == 1.0
    assert ceiling([]) != ceiling([])  # NaN: nothing labelled
