"""``emotune --headless``: the GUI's session without a window, reporting JSON lines.

One line per analysed frame, mood change, track event and note, then ``{"summary": …}``.
Frame and mood lines carry ``t``, seconds of video (or camera) time; music lines carry
``wall``, seconds since the run started, because music plays in real time.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import asdict
from typing import IO

from emotune.config import Settings
from emotune.music.events import PlaybackNote, TrackEnded, TrackFailed, TrackStarted
from emotune.session import CalibrationEvent, FrameAnalysed, MoodEvent, Session, SessionEnded, Status
from emotune.vision.sources import FrameSource


class Terminated(Exception):
    """Raised in the main thread by the SIGTERM handler, so a terminated run still stops its
    threads and writes its summary line."""


def _track(track) -> dict:
    return {"title": track.title, "artist": track.artist, "path": str(track.path), "duration": track.duration}


def event_to_json(event: object, started: float) -> dict | None:
    """The JSON object for one session event (None for events not reported)."""
    wall = round(time.monotonic() - started, 3)
    if isinstance(event, FrameAnalysed):
        r = event.reading
        return {
            "type": "frame",
            "t": round(r.t, 3),
            "face": asdict(r.box) if r.box else None,
            "probabilities": {k: round(v, 4) for k, v in r.probabilities.items()},
            "dominant": r.dominant,
            "ms": round(event.seconds * 1000, 1),
        }
    if isinstance(event, MoodEvent):
        c = event.change
        return {"type": "mood", "t": round(c.t, 3), "emotion": c.emotion, "mood": c.mood, "previous": c.previous,
                "share": c.share, "playlist": event.playlist, "track": event.track}
    if isinstance(event, TrackStarted):
        return {"type": "track_started", "wall": wall, "mood": event.mood, "index": event.index,
                "reason": event.reason, **_track(event.track)}
    if isinstance(event, TrackEnded):
        return {"type": "track_ended", "wall": wall, "mood": event.mood, "index": event.index, **_track(event.track)}
    if isinstance(event, TrackFailed):
        return {"type": "track_failed", "wall": wall, "mood": event.mood, "index": event.index,
                "reason": event.reason, **_track(event.track)}
    if isinstance(event, PlaybackNote):
        return {"type": event.kind, "wall": wall, "message": event.message, "mood": event.mood}
    if isinstance(event, CalibrationEvent):
        if event.state == "running":
            return None  # one line a reading says nothing the start and end lines do not
        return {"type": "calibration", "wall": wall, "state": event.state, "message": event.message}
    if isinstance(event, Status):
        return {"type": "status", "wall": wall, "kind": event.kind, "message": event.message}
    return None


def run(settings: Settings, source: FrameSource, out: IO[str] = sys.stdout, audio: bool = False,
        linger: float = 0.0, calibrate_seconds: float = 0.0, baseline=None) -> dict:
    """Run to the end of the source; returns the summary. ``linger`` keeps the music going
    that many seconds after the video ends (to hear or record what was chosen)."""
    started = time.monotonic()
    lock = threading.Lock()
    ended = threading.Event()
    result: dict = {}

    def write(event: object) -> None:
        if isinstance(event, SessionEnded):
            result.update(event.summary.as_dict(), end_reason=event.reason)
            ended.set()
            return
        obj = event_to_json(event, started)
        if obj is not None:
            with lock:
                out.write(json.dumps(obj) + "\n")
                out.flush()

    session = Session(settings, source, write, audio=audio, calibrate_seconds=calibrate_seconds, baseline=baseline)
    try:
        session.start()
        while not ended.wait(0.2):
            pass
        if linger > 0:
            time.sleep(linger)
    except KeyboardInterrupt:
        why = "interrupted"
    except Terminated:
        why = "terminated"
    else:
        why = None
    finally:
        session.stop()
    if why:  # the session saw only "stopped"; say who stopped it
        result["end_reason"] = why
    result["wall_seconds"] = round(time.monotonic() - started, 2)
    with lock:
        out.write(json.dumps({"summary": result}) + "\n")
        out.flush()
    return result
