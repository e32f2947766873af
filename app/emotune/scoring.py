"""Scoring a run's moods against a labelled timeline: what a person would name, second by second.

A timeline is a CSV ``start_s,end_s,expression`` of the spans a person can name (DeepFace's
labels); spans nobody can name are left out. A run is the moods the session chose over
video time and the expression of each analysed frame. The figures:

* ``mood_right``: the share of labelled seconds in which the current mood is the mood of
  the labelled expression (no mood yet counts as wrong);
* reaction: for every labelled span whose mood differs from the span before it (the first
  span included: the app starts with no mood), the time from the span's start until the
  mood is right; a span that ends before that is a ``missed`` change;
* ``spurious_per_min``: mood changes inside labelled spans other than the first change to
  the span's own mood (its reaction, or the late catch-up of a change missed in a span of
  the same mood before it), per minute of labelled time;
* ``frame_accuracy``: the share of analysed frames inside labelled spans whose dominant
  expression is the labelled one (a frame without a face counts as wrong).
"""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from emotune.emotions import DEFAULT_MOOD_MAP, LABELS


@dataclass(frozen=True)
class Span:
    start: float
    end: float
    expression: str


@dataclass(frozen=True)
class Score:
    mood_right: float
    reaction_median_s: float | None
    reaction_max_s: float | None
    missed: int
    changes: int
    spurious_per_min: float
    spurious: int
    frame_accuracy: float | None
    labelled_seconds: float

    def as_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def read_timeline(path: Path) -> list[Span]:
    """Spans from a ``start_s,end_s,expression`` CSV; an error names the line at fault."""
    spans: list[Span] = []
    with Path(path).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ["start_s", "end_s", "expression"]:
            raise ValueError(f"{path}: the header must be start_s,end_s,expression")
        for number, row in enumerate(reader, 2):
            span = Span(float(row["start_s"]), float(row["end_s"]), row["expression"].strip())
            if span.expression not in LABELS or span.end <= span.start:
                raise ValueError(f"{path}, line {number}: need start < end and one of {', '.join(LABELS)}")
            if spans and span.start < spans[-1].end:
                raise ValueError(f"{path}, line {number}: spans must be in order and not overlap")
            spans.append(span)
    return spans


def mood_at(changes: Sequence[tuple[float, str]], t: float) -> str | None:
    """The mood current at video time ``t`` given (time, new mood) changes in order."""
    current = None
    for when, mood in changes:
        if when > t:
            break
        current = mood
    return current


def ceiling(spans: Sequence[Span], mood_map: Mapping[str, str] = DEFAULT_MOOD_MAP,
            reaction_s: float = 1.0) -> float:
    """The best mood-right share any tracker could reach on ``spans`` if it switches no sooner
    than ``reaction_s`` after a change (a tracker that must never switch for a blip of that
    length cannot be faster), with a perfect network: a span whose mood is the previous
    span's is right throughout, any other is wrong for its first ``reaction_s`` (the first
    span too: no mood has been heard yet). The target a timeline allows, not a score."""
    total = right = 0.0
    previous = None
    for span in spans:
        length = span.end - span.start
        mood = mood_map.get(span.expression)
        total += length
        right += length if mood == previous else max(0.0, length - reaction_s)
        previous = mood
    return right / total if total else float("nan")


def score(spans: Sequence[Span], changes: Sequence[tuple[float, str]],
          frames: Sequence[tuple[float, str | None]], mood_map: Mapping[str, str] = DEFAULT_MOOD_MAP,
          step: float = 0.01) -> Score:
    """Score mood ``changes`` (video time, mood) and ``frames`` (video time, dominant
    expression or None) against ``spans``. Time is integrated in ``step`` slices."""
    changes = sorted(changes)
    labelled = sum(s.end - s.start for s in spans)
    right = 0.0
    reactions: list[float] = []
    missed = spurious = counted_changes = 0
    previous_mood: str | None = None
    for span in spans:
        want = mood_map[span.expression]
        n = max(1, round((span.end - span.start) / step))
        width = (span.end - span.start) / n
        right += width * sum(mood_at(changes, span.start + (i + 0.5) * width) == want for i in range(n))
        inside = [(t, m) for t, m in changes if span.start < t < span.end]
        is_change = want != previous_mood
        reacted = mood_at(changes, span.start) == want
        if is_change:
            counted_changes += 1
            if reacted:
                reactions.append(0.0)
        for t, mood in inside:
            if not reacted and mood == want:
                # The mood becomes right for the first time in this span: the reaction to
                # it, or (a span with the same mood as the one before) a late catch-up of a
                # change missed before. Either way not a spurious change.
                reacted = True
                if is_change:
                    reactions.append(t - span.start)
            else:
                spurious += 1
        if is_change and not reacted:
            missed += 1
        previous_mood = want
    in_spans = [(t, e) for t, e in frames if any(s.start <= t < s.end for s in spans)]
    frame_right = sum(e == next(s.expression for s in spans if s.start <= t < s.end) for t, e in in_spans)
    return Score(
        mood_right=right / labelled if labelled else 0.0,
        reaction_median_s=statistics.median(reactions) if reactions else None,
        reaction_max_s=max(reactions) if reactions else None,
        missed=missed,
        changes=counted_changes,
        spurious_per_min=spurious / (labelled / 60) if labelled else 0.0,
        spurious=spurious,
        frame_accuracy=frame_right / len(in_spans) if in_spans else None,
        labelled_seconds=labelled,
    )


def combine(scores: Sequence[Score]) -> Score:
    """All videos together: time-weighted shares, reactions pooled by their medians' worst."""
    total = sum(s.labelled_seconds for s in scores)
    medians = [s.reaction_median_s for s in scores if s.reaction_median_s is not None]
    maxima = [s.reaction_max_s for s in scores if s.reaction_max_s is not None]
    frames = [s.frame_accuracy for s in scores if s.frame_accuracy is not None]
    return Score(
        mood_right=sum(s.mood_right * s.labelled_seconds for s in scores) / total if total else 0.0,
        reaction_median_s=statistics.median(medians) if medians else None,
        reaction_max_s=max(maxima) if maxima else None,
        missed=sum(s.missed for s in scores),
        changes=sum(s.changes for s in scores),
        spurious_per_min=sum(s.spurious for s in scores) / (total / 60) if total else 0.0,
        spurious=sum(s.spurious for s in scores),
        frame_accuracy=statistics.fmean(frames) if frames else None,
        labelled_seconds=total,
    )


def neutral_baseline(video: Path, spans: Sequence[Span], settings):
    """The video's relaxed face: DeepFace's readings of every frame in its labelled neutral
    spans, averaged (what the window's "Calibrate…" would have stored for this person).
    None if the video has no neutral span or no face in it."""
    import cv2  # noqa: PLC0415

    from emotune.calibration import CalibrationError, Collector  # noqa: PLC0415
    from emotune.vision.analyzer import EmotionAnalyzer  # noqa: PLC0415

    neutral = [s for s in spans if s.expression == "neutral"]
    if not neutral:
        return None
    analyzer = EmotionAnalyzer(settings.detector, settings.method)
    collector = Collector(float("inf"), min_faces=3)
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    index = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            t = index / fps
            index += 1
            if any(s.start <= t < s.end for s in neutral):
                reading = analyzer.analyze(frame, t)
                collector.add(t, reading.probabilities if reading.has_face else None)
    finally:
        capture.release()
    try:
        return collector.result()
    except CalibrationError:
        return None


def run_video(video: Path, settings, baseline=None, calibrate_seconds: float = 0.0
              ) -> tuple[list[tuple[float, str]], list[tuple[float, str | None]], dict]:
    """The real session, headless, on ``video`` (every frame offered, as fast as the analysis
    goes); returns its mood changes and analysed frames over video time, and the summary.
    ``baseline`` reads every face relative to it; ``calibrate_seconds`` calibrates live on
    the video's opening, as ``--headless --calibrate`` does."""
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415

    from emotune import headless  # noqa: PLC0415
    from emotune.vision.sources import VideoFileSource  # noqa: PLC0415

    source = VideoFileSource(video)
    source.open()
    out = io.StringIO()
    summary = headless.run(settings, source, out, calibrate_seconds=calibrate_seconds, baseline=baseline)
    changes, frames = [], []
    for line in out.getvalue().splitlines():
        event = json.loads(line)
        if event.get("type") == "mood":
            changes.append((event["t"], event["mood"]))
        elif event.get("type") == "frame":
            frames.append((event["t"], event["dominant"]))
    return changes, frames, summary


def format_table(rows: Sequence[tuple[str, Score]]) -> str:
    head = f"{'video':<34}{'mood right':>11}{'reaction med/max':>18}{'missed':>8}{'spurious/min':>14}{'frames right':>14}"
    lines = [head]
    for name, s in rows:
        reaction = ("—" if s.reaction_median_s is None else
                    f"{s.reaction_median_s:.2f}/{s.reaction_max_s:.2f} s")
        frames = "—" if s.frame_accuracy is None else f"{s.frame_accuracy:.0%}"
        lines.append(f"{name:<34}{s.mood_right:>11.0%}{reaction:>18}{f'{s.missed}/{s.changes}':>8}"
                     f"{s.spurious_per_min:>14.1f}{frames:>14}")
    return "\n".join(lines)
