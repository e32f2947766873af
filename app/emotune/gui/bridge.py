"""The one seam between the Qt-free session and Qt: session events become Qt signals.

The session calls ``deliver`` on its worker threads; a signal emitted there reaches slots
in the GUI thread through Qt's queued connections, so no widget is touched off-thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from emotune.music.events import PlaybackNote, TrackFailed, TrackStarted
from emotune.session import CalibrationEvent, FrameAnalysed, MoodEvent, SessionEnded, Status


class SessionBridge(QObject):
    frame_analysed = Signal(object)  # FrameAnalysed
    mood_changed = Signal(object)  # MoodEvent
    track_started = Signal(object)  # TrackStarted
    track_problem = Signal(object)  # TrackFailed
    note = Signal(object)  # PlaybackNote
    status = Signal(object)  # Status
    ended = Signal(object)  # SessionEnded
    calibration = Signal(object)  # CalibrationEvent

    def deliver(self, event: object) -> None:
        signal = {
            FrameAnalysed: self.frame_analysed,
            MoodEvent: self.mood_changed,
            TrackStarted: self.track_started,
            TrackFailed: self.track_problem,
            PlaybackNote: self.note,
            Status: self.status,
            SessionEnded: self.ended,
            CalibrationEvent: self.calibration,
        }.get(type(event))
        if signal is not None:  # TrackEnded needs no widget: the next TrackStarted follows
            signal.emit(event)
