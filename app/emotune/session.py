"""The session: source → analyzer → mood tracker → music, wired on threads, Qt-free.

Threads: the source's capture thread, one analysis thread (which owns every DeepFace call,
deepface#509), and the player's monitor. Everything the outside needs to know comes out of
one ``listener`` callable as plain event records; the GUI turns them into Qt signals at one
seam and the headless mode prints them as JSON lines. The same class drives both.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from emotune import calibration
from emotune.calibration import Baseline, CalibrationError
from emotune.config import Settings
from emotune.emotions import MOODS
from emotune.mood import MoodChange, MoodTracker
from emotune.music.backends import open_backend
from emotune.music import catalog, planner
from emotune.music.controller import MusicController
from emotune.music.events import PlaybackNote, TrackStarted
from emotune.music.library import CatalogPick, Library, default_sources
from emotune.music.player import Player
from emotune.pacing import AnalysisPacer
from emotune.resources import demo_playlists_dir
from emotune.threadnames import name_os_thread
from emotune.vision import model_store
from emotune.vision.analyzer import EmotionAnalyzer, Reading
from emotune.vision.engine import select_engine
from emotune.vision.sources import FrameSource

Listener = Callable[[object], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """A line for the status bar / log: ``kind`` is loading, ready, warning or error."""

    kind: str
    message: str


@dataclass(frozen=True)
class FrameAnalysed:
    reading: Reading
    seconds: float  # how long the analysis took
    #: what decides the mood, so the window can say why it differs from this one frame:
    #: the expression leading the smoothed window and its share, and a mood about to take over
    lead: tuple[str, float] | None = None
    pending: tuple[str, float] | None = None


@dataclass(frozen=True)
class CalibrationEvent:
    """Progress of a calibration: ``state`` is running (``remaining`` seconds left), done,
    failed or cleared; ``message`` is what the listener reads."""

    state: str
    message: str
    remaining: float = 0.0


@dataclass(frozen=True)
class MoodEvent:
    change: MoodChange
    playlist: str  # the mood whose playlist now plays (or waits)
    track: str | None  # the first track of that playlist, if any


@dataclass
class Summary:
    frames_read: int = 0
    frames_analysed: int = 0
    faces_found: int = 0
    mood_seconds: dict[str, float] = field(default_factory=dict)
    mood_changes: int = 0
    tracks_started: int = 0
    analysis_seconds: float = 0.0

    @property
    def dominant_mood(self) -> str | None:
        return max(self.mood_seconds, key=self.mood_seconds.__getitem__) if self.mood_seconds else None

    def as_dict(self) -> dict:
        return {
            "frames_read": self.frames_read,
            "frames_analysed": self.frames_analysed,
            "faces_found": self.faces_found,
            "mood_seconds": {k: round(v, 2) for k, v in self.mood_seconds.items()},
            "dominant_mood": self.dominant_mood,
            "mood_changes": self.mood_changes,
            "tracks_started": self.tracks_started,
            "analysis_ms_mean": round(1000 * self.analysis_seconds / self.frames_analysed, 1) if self.frames_analysed else None,
        }


@dataclass(frozen=True)
class SessionEnded:
    summary: Summary
    reason: str


class Session:
    def __init__(
        self,
        settings: Settings,
        source: FrameSource | None,
        listener: Listener,
        audio: bool = False,
        playlists_dir: Path | None = None,
        calibration_path: Path | None = None,
        calibrate_seconds: float = 0.0,
        baseline: Baseline | None = None,
        library_path: Path | None = None,
    ) -> None:
        """``calibration_path``: where the listener's baseline is kept (the window passes the
        user data folder; the headless mode none, so a video is never read through the
        listener's face). ``calibrate_seconds``: take the first seconds of the source as the
        relaxed face (headless ``--calibrate``). ``baseline``: start with this one.
        ``library_path``: the music library database (``emotune library scan``) whose
        tracks join each mood's playlist; the window passes the user's."""
        self.settings = settings
        self.source = source
        self._listener = listener
        # Events from before start() (no sound device, say) wait for it: whoever listens
        # (the window) is connected by then, and nothing the listener should see is lost.
        self._backlog: list[object] | None = []
        self._backlog_lock = threading.Lock()
        if source is not None:
            source.on_event = lambda kind, message: self._emit(Status(kind, message))
        self.summary = Summary()
        self.tracker = MoodTracker(settings.window_seconds, settings.min_confidence, settings.hold_seconds, settings.mood_map)
        self._playlists_dir = playlists_dir or demo_playlists_dir()
        self.library_path = library_path
        self.library = Library(self._sources(settings), settings.shuffle,
                               catalog=self._library_tracks if library_path else None,
                               demo_dir=self._playlists_dir)
        backend, problem = open_backend(audio)
        self.player = Player(backend, volume=settings.volume)
        self.controller = MusicController(self.library, self.player, settings.fade_seconds,
                                          settings.pause_when_away, settings.away_seconds,
                                          listener=self._on_music_event)
        self.controller.strategy = settings.strategy
        if problem:
            self._emit(PlaybackNote("no_device", problem))
        self.latest: Reading | None = None
        self.calibration_path = calibration_path
        self.baseline = baseline
        if baseline is None and calibration_path is not None:
            try:
                self.baseline = calibration.load(calibration_path)
            except CalibrationError as exc:
                self._emit(CalibrationEvent("failed", str(exc)))
        # Set by calibrate() from any thread, taken up by the analysis thread (which alone
        # owns the collector): a plain attribute swap, no lock around anyone's callback.
        self._calibration_request: float | None = calibrate_seconds or None
        self._collector: calibration.Collector | None = None
        self.pacer = AnalysisPacer(settings.analysis_fps, settings.steady_fps)
        self.analyzer_ready = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Start capture and analysis; returns at once (the model loads on the analysis thread)."""
        with self._backlog_lock:
            early, self._backlog = self._backlog or [], None
        for event in early:
            self._deliver(event)
        if self.source is not None:
            self.source.start()
        self._thread = threading.Thread(target=self._analyse_loop, name="analysis", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the analysis to finish (end of a video); True if it did."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def stop(self) -> None:
        """Stop every thread and the audio; safe to call twice."""
        self._stop.set()
        if self.source is not None:
            self.source.stop()
        if not self.wait(10):
            log.warning("the analysis thread did not stop within 10 s; leaving it behind (daemon)")
        self.player.close()

    def apply_settings(self, settings: Settings) -> None:
        """Take new settings live where that is safe: smoothing, map, fade, playlists.
        Camera, engine and detector changes apply at the next start."""
        settings.validate()
        self.settings = settings
        tracker = self.tracker
        tracker.window, tracker.min_confidence, tracker.hold = (
            settings.window_seconds, settings.min_confidence, settings.hold_seconds)
        tracker.mood_map = dict(settings.mood_map)
        self.controller.fade = settings.fade_seconds
        self.pacer.fast_fps, self.pacer.steady_fps = settings.analysis_fps, settings.steady_fps
        self.controller.pause_when_away, self.controller.away_after = settings.pause_when_away, settings.away_seconds
        self.library.sources = self._sources(settings)
        self.library.shuffle = settings.shuffle
        self.controller.strategy = settings.strategy
        self.library.rescan()

    #: Analyses a second while a calibration collects the relaxed face.
    CALIBRATION_FPS = 6.0
    #: Analyses that may fail in a row (an exception from OpenCV or the network on a frame)
    #: before the analysis gives up and says why: a single bad frame is skipped.
    MAX_ANALYSIS_FAILURES = 10

    #: How many songs a lift takes to get from the listener's mood to its target.
    LIFT_STEPS = 8

    def _library_tracks(self, mood: str) -> CatalogPick:
        """The library's songs for ``mood``: its own (match), or with ``strategy = "lift"`` a
        path from the mood toward a calmer or happier place drawn from the whole library,
        whose loop stays at the calm end once it got there."""
        assert self.library_path is not None
        if self.settings.strategy != "lift":
            return CatalogPick(tuple(catalog.mood_paths(self.library_path, mood)))
        candidates = [
            planner.Point(path, *(planner.MOOD_POINTS[m] if a is None or v is None else (a, v)))
            for path, m, a, v in catalog.points(self.library_path)
        ]
        order = planner.plan(mood, candidates, "lift", self.LIFT_STEPS)
        return CatalogPick(tuple(p.key for p in order), planner.settle_from(order))

    def calibrate(self, seconds: float = 5.0) -> None:
        """Take the next ``seconds`` of readings as the listener's relaxed face."""
        self._calibration_request = seconds

    def clear_calibration(self) -> None:
        """Forget the baseline (and delete its file, only that file)."""
        self.baseline = None
        if self.calibration_path is not None:
            try:
                calibration.clear(self.calibration_path)
            except CalibrationError as exc:
                self._emit(CalibrationEvent("failed", str(exc)))
                return
        self._emit(CalibrationEvent("cleared", "calibration cleared: " + calibration.uncalibrated_reading(self.settings)))

    def _calibrating(self, reading: Reading) -> None:
        """Feed one raw reading to a running calibration; finish it when its time is up."""
        request, self._calibration_request = self._calibration_request, None
        if request is not None:
            self._collector = calibration.Collector(request)
        collector = self._collector
        if collector is None:
            return
        done = collector.add(reading.t, reading.probabilities if reading.has_face else None)
        if not done:
            self._emit(CalibrationEvent("running", "relax your face and look at the camera…",
                                        collector.remaining(reading.t)))
            return
        self._collector = None
        try:
            baseline = collector.result()
        except CalibrationError as exc:
            self._emit(CalibrationEvent("failed", str(exc)))
            return
        self.baseline = baseline
        message = baseline.describe()
        if self.calibration_path is not None:
            try:
                calibration.save(self.calibration_path, baseline)
            except CalibrationError as exc:
                message += f" — {exc}"
        self._emit(CalibrationEvent("done", message))

    def _calibrated(self, reading: Reading) -> Reading:
        """The reading relative to the listener's baseline, or until they have one, to a
        typical relaxed face (``default_calibration``)."""
        baseline, strength = self.baseline, self.settings.calibration_strength
        if baseline is None and self.settings.default_calibration:
            baseline = calibration.typical()
        if baseline is None or strength <= 0 or not reading.probabilities:
            return reading
        return Reading(reading.t, reading.box, baseline.adjust(reading.probabilities, strength))

    def _sources(self, settings: Settings) -> dict[str, list[Path]]:
        """Each mood's folders: the user's where set, else its demo folder."""
        user = {mood: [Path(p) for p in paths] for mood, paths in settings.playlists.items()}
        return default_sources(self._playlists_dir, MOODS, user)

    # -- the analysis thread ------------------------------------------------------------------
    def _load_analyzer(self) -> EmotionAnalyzer:
        s = self.settings
        self._emit(Status("loading", "loading the emotion model…"))
        select_engine(s.engine)
        model_store.prepare(s.engine, official=s.official_weights)
        analyzer = EmotionAnalyzer(s.detector, s.method)
        analyzer.warm_up()
        self.analyzer_ready.set()
        self._emit(Status("ready", f"emotion model ready ({s.engine} engine, {s.detector} detector)"))
        return analyzer

    def _analyse_loop(self) -> None:
        name_os_thread("emotune-analysis")
        reason = "stopped"
        try:
            analyzer = self._load_analyzer()
            if self.source is None:
                reason = "no source"
                return
            reason = self._consume(analyzer)
        except Exception as exc:  # shown in the status line, never a frozen window
            reason = f"analysis failed: {exc}"
            self._emit(Status("error", reason))
        finally:
            if self.source is not None:
                self.summary.frames_read = self.source.frames_read
            self._emit(SessionEnded(self.summary, reason))

    def _consume(self, analyzer: EmotionAnalyzer) -> str:
        assert self.source is not None
        last_t: float | None = None
        seen_t = 0.0  # time of the newest frame read, analysed or not
        due = 0.0  # source time of the next frame to analyse: a schedule, so the rate holds
        failures = 0  # analyses failed in a row
        frame_interval = 1.0 / (self.source.fps or 30.0)
        while not self._stop.is_set():
            if not self.source.buffer.lockstep and due - seen_t > 1.5 * frame_interval:
                # A live source runs in real time: sleep until the next frame due instead of
                # waking for each frame in between only to skip it (about 27 wake-ups a
                # second at 3 analyses a second on a 30 fps camera).
                if self._stop.wait(min(0.5, due - seen_t - frame_interval)):
                    break
            frame = self.source.buffer.take(timeout=0.5)
            if frame is None:
                if self.source.buffer.closed:
                    if self._stop.is_set():
                        return "stopped"
                    # the mood holds until the end of the last frame, not the last analysed one
                    if last_t is not None:
                        self._account_time(last_t, seen_t + 1.0 / (self.source.fps or 30.0))
                    return self.source.error or "end of video"
                continue
            seen_t = frame.t
            if frame.t < due - 1e-6:
                continue
            slot = due  # the schedule, not the frame's time: so the rate holds on any frame rate
            started = time.perf_counter()
            try:
                reading = analyzer.analyze(frame.image, frame.t)
            except Exception as exc:  # one bad frame must not end an evening's analysis
                failures += 1
                if failures >= self.MAX_ANALYSIS_FAILURES:
                    raise
                if failures == 1:
                    self._emit(Status("warning", f"a frame could not be analysed ({exc}); skipping it"))
                due = frame.t + 1.0 / max(1.0, self.pacer.fast_fps)
                continue
            failures = 0
            elapsed = time.perf_counter() - started
            self._calibrating(reading)  # on the network's own reading, before any baseline
            reading = self._calibrated(reading)
            self._account(reading, last_t)
            last_t = frame.t
            self.latest = reading
            self.summary.analysis_seconds += elapsed
            change = self.tracker.update(reading.t, reading.dominant, reading.confidence)
            self._emit(FrameAnalysed(reading, elapsed, self.tracker.winner(reading.t), self.tracker.pending(reading.t)))
            if change is not None:
                self._on_mood_change(change)
            # a calibration wants every reading it can get: at least CALIBRATION_FPS while it
            # runs (a few seconds), so a short one still gathers enough faces
            agrees = reading.has_face and self.tracker.settled(reading.t) and self._collector is None
            due = self.pacer.next_due(slot, frame.t, reading.has_face, agrees)
            if self._collector is not None or self._calibration_request is not None:
                due = min(due, max(slot + 1.0 / self.CALIBRATION_FPS, frame.t))
            self.controller.on_face(reading.t, reading.has_face)
        return "stopped"

    def _account(self, reading: Reading, last_t: float | None) -> None:
        self.summary.frames_analysed += 1
        self.summary.faces_found += reading.has_face
        if last_t is not None:
            self._account_time(last_t, reading.t)

    def _account_time(self, start: float, end: float) -> None:
        """Credit the source time from ``start`` to ``end`` to the mood that was playing."""
        mood = self.controller.mood
        if mood is not None and end > start:
            self.summary.mood_seconds[mood] = self.summary.mood_seconds.get(mood, 0.0) + end - start

    def _on_mood_change(self, change: MoodChange) -> None:
        self.summary.mood_changes += 1
        self.controller.on_mood_change(change)
        playlist = self.library.playlist(change.mood)
        first = playlist.tracks[0].label if playlist.tracks else None
        self._emit(MoodEvent(change, self.controller.mood or change.mood, first))

    # -- events --------------------------------------------------------------------------------
    def _on_music_event(self, event: object) -> None:
        if isinstance(event, TrackStarted):
            self.summary.tracks_started += 1
        self._emit(event)

    def _emit(self, event: object) -> None:
        with self._backlog_lock:
            if self._backlog is not None:
                self._backlog.append(event)
                return
        self._deliver(event)

    def _deliver(self, event: object) -> None:
        try:
            self._listener(event)
        except Exception:  # a broken listener must not kill capture or playback; but say so
            log.exception("session listener failed on %r", event)
