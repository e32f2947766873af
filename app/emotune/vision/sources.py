"""Frame sources: a camera or a video file, each read on its own capture thread.

The thread writes into a one-slot buffer that keeps only the newest frame: a slow analyzer
skips frames instead of building a queue (the GUI preview reads the same slot). For
offline runs on a file (``paced=False``) the reader instead waits until the previous frame
was taken, so the video is read as fast as the analysis goes and nothing is dropped.
Frames live only in memory; nothing of the camera is ever written anywhere.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np

from emotune.threadnames import name_os_thread


class SourceError(RuntimeError):
    """The source cannot deliver frames; the message is one line for the user."""


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    t: float  # seconds: video time for files, time since start for cameras
    index: int  # 0-based count of frames read


class LatestFrame:
    """A one-slot buffer: ``put`` overwrites (or, in lockstep, waits), ``take`` returns new frames."""

    def __init__(self, lockstep: bool = False) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._taken = True
        self._closed = False
        self.lockstep = lockstep

    def put(self, frame: Frame) -> None:
        with self._cond:
            if self.lockstep:
                self._cond.wait_for(lambda: self._taken or self._closed)
            self._frame, self._taken = frame, False
            self._cond.notify_all()

    def take(self, timeout: float | None = None) -> Frame | None:
        """The newest frame not yet taken; None on timeout or once closed and drained."""
        with self._cond:
            if not self._cond.wait_for(lambda: not self._taken or self._closed, timeout):
                return None
            if self._taken:
                return None
            self._taken = True
            self._cond.notify_all()
            return self._frame

    def peek(self) -> Frame | None:
        """The newest frame, taken or not: for a preview that must never wait."""
        with self._cond:
            return self._frame

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed


class FrameSource:
    """Reads frames on a thread into a :class:`LatestFrame`. Subclasses open the capture."""

    name = "source"

    def __init__(self, paced: bool, lockstep: bool) -> None:
        """``paced``: deliver frames at their own rate (a file played like a camera);
        ``lockstep``: wait for each frame to be taken (offline runs that drop nothing)."""
        self.buffer = LatestFrame(lockstep=lockstep)
        self.paced = paced
        self.fps = 0.0
        self.frames_read = 0
        self.error: str | None = None
        #: Told ("warning", message) when frames stop and ("recovered", message) when they
        #: come back; the session forwards both to the status line.
        self.on_event: Callable[[str, str], None] = lambda kind, message: None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._capture: cv2.VideoCapture | None = None
        self._failures = 0  # consecutive failed reads
        self._read_error: str | None = None  # the driver's words for the last failed read

    # -- to override -------------------------------------------------------------------
    def _open(self) -> cv2.VideoCapture:
        raise NotImplementedError

    def _timestamp(self, index: int, started: float) -> float:
        return time.monotonic() - started

    def _end_of_stream(self) -> bool:
        """Called when a read fails; True to stop, False to try again."""
        return True

    # -- lifecycle -----------------------------------------------------------------------
    def open(self) -> None:
        """Open now, so a bad path or missing camera fails before any thread starts."""
        self._capture = self._open()
        fps = self._capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and fps > 0 and fps < 1000 else 30.0

    def start(self) -> None:
        if self._capture is None:
            self.open()
        self._thread = threading.Thread(target=self._run, name=f"capture-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.buffer.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._capture is not None:
            self._capture.release()

    def _run(self) -> None:
        name_os_thread("emotune-capture")
        assert self._capture is not None
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    ok, image = self._capture.read()
                except cv2.error as exc:  # a driver error is a failed read: the source decides
                    self._read_error = str(exc).strip().splitlines()[-1] if str(exc).strip() else "read error"
                    ok, image = False, None
                if not ok or image is None:
                    if self._end_of_stream():
                        break
                    continue
                if self._failures >= getattr(self, "report_after", 10) and self.error:
                    self.error = None
                    self.on_event("recovered", f"{self.name} is back")
                self._failures = 0
                t = self._timestamp(self.frames_read, started)
                if self.paced:
                    delay = t - (time.monotonic() - started)
                    if delay > 0 and self._stop.wait(delay):
                        break
                self.buffer.put(Frame(image, t, self.frames_read))
                self.frames_read += 1
        except Exception as exc:  # anything else must not kill the app silently
            self._fail(f"{self.name} failed: {exc}")
        finally:
            self.buffer.close()

    def _fail(self, message: str) -> None:
        self.error = message
        self.on_event("warning", message)


#: Files OpenCV's FFmpeg may "open" as a video (an audio file's cover art is a one-frame
#: video stream) and then abort the whole process on a seek (libavformat's oggdec assert):
#: refused up front by their type, read by mutagen from the file's header.
_AUDIO_TYPES = ("OggVorbis", "OggOpus", "OggFLAC", "OggSpeex", "FLAC", "MP3", "WAVE", "AIFF", "WavPack",
                "MonkeysAudio", "TrueAudio", "OptimFROG", "Musepack", "ASF")
_MAX_FPS = 240.0

class VideoFileSource(FrameSource):
    """A recorded video. ``loop`` restarts it at the end (the GUI's demo mode)."""

    def __init__(self, path: Path | str, paced: bool = False, loop: bool = False) -> None:
        super().__init__(paced=paced, lockstep=not paced)
        self.path = Path(path)
        self.loop = loop
        self.name = self.path.name
        self._offset = 0.0
        self._base_index = 0
        self.expected_frames = 0  # from the container; 0 if it does not say

    def _open(self) -> cv2.VideoCapture:
        self._check_file()
        capture = self._new_capture()
        ok, first = capture.read() if capture.isOpened() else (False, None)
        fps = capture.get(cv2.CAP_PROP_FPS) if ok else 0.0
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if ok else 0
        capture.release()  # reopened below instead of seeking back: seeks can abort FFmpeg
        if not ok or first is None:
            raise SourceError(f"cannot read video {self.path}: not a video OpenCV can decode, or it is damaged")
        if fps > _MAX_FPS:
            raise SourceError(f"cannot use {self.path}: it reports {fps:g} frames a second, so it is not a video")
        if count == 1:
            raise SourceError(f"{self.path} is a still image, not a video: give a recorded video (mp4, webm, …)")
        self.expected_frames = count if count > 1 else 0
        return self._new_capture()

    def _new_capture(self) -> cv2.VideoCapture:
        """FFmpeg with one decoding thread: a 30 fps video needs about a millisecond a frame,
        and its default thread pool spends a third more CPU on the same frames."""
        return cv2.VideoCapture(str(self.path), cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, 1])

    def _check_file(self) -> None:
        """Refuse what is not a video file with a reason a user can act on."""
        path = self.path
        if not path.exists():
            raise SourceError(f"video not found: {path}")
        if path.is_dir():
            raise SourceError(f"{path} is a folder, not a video: give a video file")
        if not path.is_file():
            raise SourceError(f"{path} is not a regular file (a pipe or a device?): give a video file")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise SourceError(f"cannot open video {path}: {exc.strerror or exc}") from exc
        import mutagen  # noqa: PLC0415

        try:
            kind = type(mutagen.File(path)).__name__
        except Exception:  # not a file mutagen knows: OpenCV decides
            kind = ""
        if kind in _AUDIO_TYPES:
            raise SourceError(f"{path} is an audio file, not a video: add it to a playlist in Settings instead")

    def _timestamp(self, index: int, started: float) -> float:
        return self._offset + (index - self._base_index) / self.fps

    def _end_of_stream(self) -> bool:
        assert self._capture is not None
        in_pass = self.frames_read - self._base_index
        if self.expected_frames and in_pass < 0.95 * self.expected_frames:
            # A file cut short (or damaged) while it plays is not a normal end of the video.
            why = f": {self._read_error}" if self._read_error else ""
            self._fail(f"{self.name} ended early at frame {in_pass} of {self.expected_frames}; "
                       f"the file is damaged or was cut short{why}")
            return True
        if not self.loop or in_pass == 0:
            return True
        self._offset += in_pass / self.fps
        self._base_index = self.frames_read
        self._capture.release()
        self._capture = self._new_capture()
        return False


class CameraSource(FrameSource):
    """A webcam by index. A camera that stops delivering is reported, then retried."""

    reconnect_wait = 1.0  # seconds between reconnection attempts
    request = (640, 480, 30)  # width, height, frames a second asked of the camera

    def __init__(self, index: int | str = 0) -> None:
        """``index``: a local camera's number, or the URL of a network camera (an IP-webcam
        app's MJPEG stream over HTTP, or RTSP)."""
        super().__init__(paced=False, lockstep=False)  # the device sets the pace and never waits
        if isinstance(index, str) and index.strip().isdigit():
            index = int(index)
        if isinstance(index, str):
            if not is_camera_url(index):
                raise SourceError(f"camera {index!r} is not valid: use 0 for the first camera, or an "
                                  "http://, https:// or rtsp:// address of a network camera")
            self.index: int | str = index.strip()
            self.name = f"network camera {_without_password(self.index)}"
            # A stream's read can block up to the timeout: say so at the first failure and
            # reconnect with a growing wait, instead of after 10 reads as for a local camera.
            self.report_after, self.reopen_every = 1, 1
        elif isinstance(index, bool) or not isinstance(index, int) or index < 0:
            # OpenCV's V4L2 backend segfaults on a negative index: never hand it one.
            raise SourceError(f"camera index {index!r} is not valid: use 0 for the first camera, 1 for the next")
        else:
            self.index = index
            self.name = f"camera {index}"
        self._reconnects = 0

    report_after = 10  # failed reads before the listener is told
    reopen_every = 10  # failed reads between reconnection attempts
    timeout_ms = 5000  # a network camera's open and read timeout
    max_wait = 10.0  # the longest wait between a network camera's reconnection attempts

    def _open(self) -> cv2.VideoCapture:
        if isinstance(self.index, str):
            capture = cv2.VideoCapture(self.index, cv2.CAP_FFMPEG,
                                       [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, self.timeout_ms,
                                        cv2.CAP_PROP_READ_TIMEOUT_MSEC, self.timeout_ms])
            if not capture.isOpened():
                raise SourceError(f"{self.name} does not answer: is the phone's camera app running, "
                                  "and the address right?")
            return capture
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened() and sys.platform == "win32":
            capture = cv2.VideoCapture(self.index, cv2.CAP_DSHOW)  # opencv#23119
        if not capture.isOpened():
            raise SourceError(f"no camera at index {self.index}: is one connected and free?")
        # A modest request, not the camera's maximum: 640x480 at 30 fps is plenty for a face
        # (the detector works on 320 px) and decodes in a fraction of a 1080p frame's time.
        # A camera that cannot do it picks its nearest mode; the request is only a request.
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, self.request[0]), (cv2.CAP_PROP_FRAME_HEIGHT, self.request[1]),
                            (cv2.CAP_PROP_FPS, self.request[2]), (cv2.CAP_PROP_BUFFERSIZE, 1)):
            capture.set(prop, value)
        return capture

    def _end_of_stream(self) -> bool:
        self._failures += 1
        if self._failures == self.report_after:
            why = f" ({self._read_error})" if self._read_error else ""
            self._fail(f"{self.name} stopped delivering frames{why}; trying to reconnect")
        if self._failures % self.reopen_every == 0:
            assert self._capture is not None
            self._capture.release()
            wait = self.reconnect_wait
            if isinstance(self.index, str):  # back off: 1, 2, 4 … at most max_wait seconds
                wait = min(self.max_wait, self.reconnect_wait * 2 ** min(self._reconnects, 10))
                self._reconnects += 1
            if self._stop.wait(wait):
                return True
            try:
                self._capture = self._open()
                self._reconnects = 0 if self._capture.isOpened() else self._reconnects
            except SourceError:
                self._capture = cv2.VideoCapture()  # not opened: reads fail, and the next try comes
        return False


def is_camera_url(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://", "rtsp://"))


def _without_password(url: str) -> str:
    """The address as shown to the listener: a user:password@ part is hidden."""
    scheme, _, rest = url.partition("://")
    host, at, path = rest.rpartition("@")
    return f"{scheme}://{path}" if at else url


def list_cameras(max_index: int = 5) -> list[int]:
    """Indices of cameras that open and deliver a frame (for the settings dialog)."""
    found = []
    for index in range(max_index):
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened() and capture.read()[0]:
                found.append(index)
        finally:
            capture.release()
    return found
