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
        assert self._capture is not None
        started = time.monotonic()
        try:
            while not self._stop.is_set():
                ok, image = self._capture.read()
                if not ok or image is None:
                    if self._end_of_stream():
                        break
                    continue
                if self._failures >= 10 and self.error:
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
        except Exception as exc:  # a driver error must not kill the app silently
            self._fail(f"{self.name} failed: {exc}")
        finally:
            self.buffer.close()

    def _fail(self, message: str) -> None:
        self.error = message
        self.on_event("warning", message)


class VideoFileSource(FrameSource):
    """A recorded video. ``loop`` restarts it at the end (the GUI's demo mode)."""

    def __init__(self, path: Path | str, paced: bool = False, loop: bool = False) -> None:
        super().__init__(paced=paced, lockstep=not paced)
        self.path = Path(path)
        self.loop = loop
        self.name = self.path.name
        self._offset = 0.0
        self._base_index = 0

    def _open(self) -> cv2.VideoCapture:
        if not self.path.is_file():
            raise SourceError(f"video not found: {self.path}")
        capture = cv2.VideoCapture(str(self.path))
        ok, first = capture.read() if capture.isOpened() else (False, None)
        if not ok or first is None:
            capture.release()
            raise SourceError(f"cannot read video {self.path}: not a video OpenCV can decode, or it is damaged")
        capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        return capture

    def _timestamp(self, index: int, started: float) -> float:
        return self._offset + (index - self._base_index) / self.fps

    def _end_of_stream(self) -> bool:
        if not self.loop or self.frames_read == self._base_index:
            return True
        assert self._capture is not None
        self._offset += (self.frames_read - self._base_index) / self.fps
        self._base_index = self.frames_read
        self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        return False


class CameraSource(FrameSource):
    """A webcam by index. A camera that stops delivering is reported, then retried."""

    reconnect_wait = 1.0  # seconds between reconnection attempts

    def __init__(self, index: int = 0) -> None:
        super().__init__(paced=False, lockstep=False)  # the device sets the pace and never waits
        self.index = index
        self.name = f"camera {index}"

    def _open(self) -> cv2.VideoCapture:
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened() and sys.platform == "win32":
            capture = cv2.VideoCapture(self.index, cv2.CAP_DSHOW)  # opencv#23119
        if not capture.isOpened():
            raise SourceError(f"no camera at index {self.index}: is one connected and free?")
        return capture

    def _end_of_stream(self) -> bool:
        self._failures += 1
        if self._failures == 10:
            self._fail(f"{self.name} stopped delivering frames; trying to reconnect")
        if self._failures % 10 == 0:
            assert self._capture is not None
            self._capture.release()
            try:
                self._capture = self._open()
            except SourceError:
                pass
            if self._stop.wait(self.reconnect_wait):
                return True
        return False


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
