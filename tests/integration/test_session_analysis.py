"""The real session's analysis thread over an evening's accidents: two sessions in one
process, and frames the analysis cannot read."""

from __future__ import annotations

import threading
import time

import cv2
import pytest

from emotune.config import Settings
from emotune.session import Session, SessionEnded, Status
from emotune.vision.analyzer import EmotionAnalyzer
from emotune.vision.sources import VideoFileSource


def run_session(video, events: list, paced: bool = False, loop: bool = False) -> Session:
    source = VideoFileSource(video, paced=paced, loop=loop)
    source.open()
    done = threading.Event()

    def listen(event: object) -> None:
        events.append(event)
        if isinstance(event, SessionEnded):
            done.set()

    session = Session(Settings(fade_seconds=0.2), source, listen, audio=False)
    session.start()
    session.done = done  # type: ignore[attr-defined]
    return session


def ended(events: list) -> SessionEnded:
    return next(e for e in events if isinstance(e, SessionEnded))


def test_two_sessions_in_one_process_analyse_side_by_side(shared):
    """DeepFace caches one detector per process, and OpenCV's cascade is not safe from two
    threads at once: two looping sessions, the second started while the first analyses (as
    two windows do in the GUI tests), failed frames with getScaleData's assertion. Each
    analyzer now has its own cascades."""
    first, second = [], []
    video = shared / "videos" / "fer-test.mp4"
    sessions = [run_session(video, first, paced=True, loop=True)]
    try:
        time.sleep(3)  # the first is analysing when the second loads and warms up
        sessions.append(run_session(video, second, paced=True, loop=True))
        time.sleep(8)
    finally:
        for s in sessions:
            s.stop()
    for events in (first, second):
        problems = [e.message for e in events if isinstance(e, Status) and e.kind in ("error", "warning")]
        assert problems == []
        end = ended(events)
        assert end.reason == "stopped"
        # fer-test opens on her looking down at her phone (no face for about a second), and
        # the second session starts there: it found a face in 78-87% of its analyses over
        # repeated runs (18-20 of 22-24), the first session in 81-92%. The crash this guards
        # against showed as warnings (above) and an analysis that stopped (far fewer faces).
        assert end.summary.faces_found >= 0.7 * end.summary.frames_analysed > 10


def test_an_analyser_of_its_own_detector():
    a, b = EmotionAnalyzer(), EmotionAnalyzer()
    assert a._detector is not b._detector
    assert a._detector.model["face_detector"] is not b._detector.model["face_detector"]


@pytest.mark.parametrize("bad_frames", [{3}, "all"], ids=["one bad frame", "every frame bad"])
def test_a_frame_that_fails_to_analyse_is_skipped_and_only_a_run_of_them_stops_the_analysis(
        shared, monkeypatch, bad_frames):
    real = EmotionAnalyzer.analyze
    calls = []

    def flaky(self, frame, t):
        calls.append(t)
        if (len(calls) > 1) if bad_frames == "all" else (len(calls) in bad_frames):
            raise cv2.error("OpenCV(4.x) (-215:Assertion failed) in function 'getScaleData'")
        return real(self, frame, t)

    monkeypatch.setattr(EmotionAnalyzer, "analyze", flaky)
    events: list = []
    session = run_session(shared / "videos" / "fer-woman2.mp4", events)
    try:
        assert session.done.wait(120)
    finally:
        session.stop()
    warnings = [e.message for e in events if isinstance(e, Status) and e.kind == "warning"]
    end = ended(events)
    if bad_frames == "all":  # every frame after the warm-up (the first call) fails
        assert end.reason.startswith("analysis failed:") and "getScaleData" in end.reason
        assert len(calls) == 1 + Session.MAX_ANALYSIS_FAILURES
        assert end.summary.frames_analysed == 0 and len(warnings) == 1
        return
    assert end.reason == "end of video"
    assert len(warnings) == 1 and "could not be analysed" in warnings[0] and "skipping it" in warnings[0]
    assert end.summary.frames_analysed == len(calls) - 2  # all but the warm-up and the bad one
    assert end.summary.faces_found > 20


def test_a_live_source_is_not_woken_for_frames_it_will_skip(shared, monkeypatch):
    """In real time the analysis sleeps until its next frame is due instead of taking every
    frame only to skip it: on a 30 fps video played live at 2-3 analyses a second, it takes
    a few frames per analysis, not all of them (it used to take every one)."""
    takes = []
    real_take = type(VideoFileSource(shared / "videos" / "fer-test.mp4").buffer).take

    def counting_take(self, timeout=None):
        frame = real_take(self, timeout)
        if frame is not None:
            takes.append(frame.index)
        return frame

    events: list = []
    session = run_session(shared / "videos" / "fer-test.mp4", events, paced=True)
    monkeypatch.setattr(type(session.source.buffer), "take", counting_take)
    assert session.done.wait(60)
    session.stop()
    end = ended(events)
    assert end.reason == "end of video"
    read, analysed = end.summary.frames_read, end.summary.frames_analysed
    assert read > 100 and analysed >= 8  # the whole video, at the paced rate
    assert len(takes) <= 3 * analysed < read
