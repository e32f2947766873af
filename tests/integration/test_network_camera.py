"""A phone/IP camera: a real MJPEG stream over HTTP from a server the test runs on
127.0.0.1 (frames of a shared video encoded with OpenCV), read by the real CameraSource;
the server is killed mid-run (reported, reconnection with backoff) and started again
(frames return, "is back"). Also the settings and the address check."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import pytest

from emotune.config import Settings, SettingsError
from emotune.vision.sources import CameraSource, SourceError


class MjpegServer:
    """multipart/x-mixed-replace JPEG frames at ``fps``, like IP-webcam apps serve them."""

    def __init__(self, frames, port: int = 0, fps: float = 15.0) -> None:
        self.frames = [cv2.imencode(".jpg", f)[1].tobytes() for f in frames]
        self.fps = fps
        self.stopping = threading.Event()
        server_self = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                i = 0
                try:
                    while not server_self.stopping.is_set():
                        jpg = server_self.frames[i % len(server_self.frames)]
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n"
                                         + f"Content-Length: {len(jpg)}\r\n\r\n".encode() + jpg + b"\r\n")
                        i += 1
                        time.sleep(1 / server_self.fps)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def kill(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def frames(shared):
    capture = cv2.VideoCapture(str(shared / "videos" / "fer-test.mp4"))
    out = [capture.read()[1] for _ in range(30)]
    capture.release()
    return out


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_an_mjpeg_phone_camera_that_drops_and_comes_back(frames):
    server = MjpegServer(frames)
    url = f"http://127.0.0.1:{server.port}/video"
    source = CameraSource(url)
    source.timeout_ms, source.reconnect_wait, source.max_wait = 1500, 0.3, 1.0
    events: list[tuple[str, str]] = []
    source.on_event = lambda kind, message: events.append((kind, message))
    source.open()
    source.start()
    try:
        assert _wait(lambda: source.frames_read >= 10, 20), "no frames from the stream"
        frame = source.buffer.peek()
        assert frame is not None and frame.image.shape == frames[0].shape
        server.kill()  # the phone's app stops, or the Wi-Fi drops
        assert _wait(lambda: any(k == "warning" for k, _ in events), 20), events
        warning = next(m for k, m in events if k == "warning")
        assert "stopped delivering frames" in warning and "network camera http://127.0.0.1" in warning
        stalled = source.frames_read
        time.sleep(1.5)  # reconnection attempts meanwhile: refused, retried with backoff
        assert source.frames_read == stalled and source._reconnects >= 1
        server = MjpegServer(frames, port=server.port)  # back on the same address
        assert _wait(lambda: any(k == "recovered" for k, _ in events), 30), events
        assert _wait(lambda: source.frames_read >= stalled + 10, 20)
        assert source.error is None
    finally:
        source.stop()
        server.kill()


def test_a_camera_address_that_does_not_answer_says_so_quickly():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = CameraSource(f"http://127.0.0.1:{port}/video")
    source.timeout_ms = 1500
    started = time.monotonic()
    with pytest.raises(SourceError, match="does not answer"):
        source.open()
    assert time.monotonic() - started < 10


def test_camera_settings_and_addresses():
    assert Settings(camera="http://192.168.1.20:8080/video").validate().camera == "http://192.168.1.20:8080/video"
    assert Settings(camera=2).validate().camera == 2
    with pytest.raises(SettingsError, match="rtsp://"):
        Settings(camera="ftp://nope").validate()
    with pytest.raises(SourceError, match="not valid"):
        CameraSource("file:///dev/video0")
    assert CameraSource("rtsp://me:secret@cam.local/stream").name == "network camera rtsp://cam.local/stream"
    assert CameraSource("3").index == 3
