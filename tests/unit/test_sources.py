"""Frame sources: newest-frame slot, lockstep file reading, bad files, looping."""

import threading

import pytest

from emotune.vision.sources import Frame, LatestFrame, SourceError, VideoFileSource


def frame(i):
    return Frame(image=None, t=i / 10, index=i)


def test_slot_keeps_only_the_newest_frame():
    slot = LatestFrame()
    for i in range(5):
        slot.put(frame(i))
    assert slot.take(0).index == 4
    assert slot.take(0.01) is None  # nothing new: no queue of old frames
    assert slot.peek().index == 4


def test_lockstep_waits_for_the_consumer():
    slot = LatestFrame(lockstep=True)
    slot.put(frame(0))
    done = threading.Event()
    threading.Thread(target=lambda: (slot.put(frame(1)), done.set()), daemon=True).start()
    assert not done.wait(0.2)  # blocked until frame 0 is taken
    assert slot.take(1).index == 0
    assert done.wait(1) and slot.take(1).index == 1
    slot.close()


def test_video_file_is_read_whole_in_lockstep(shared):
    source = VideoFileSource(shared / "videos" / "fer-test.mp4")
    source.start()
    seen = []
    while (f := source.buffer.take(timeout=2)) is not None:
        seen.append(f)
    source.stop()
    assert len(seen) == source.frames_read == 115
    assert seen[-1].t == pytest.approx(114 / source.fps)


def test_looping_video_keeps_time_increasing(shared):
    source = VideoFileSource(shared / "videos" / "liveportrait-d0.mp4", loop=True)
    source.start()
    times = [source.buffer.take(timeout=2).t for _ in range(100)]  # 78 frames a pass
    source.stop()
    assert times == sorted(times) and source.frames_read >= 100


def test_missing_and_corrupt_videos_give_one_line_reasons(tmp_path):
    with pytest.raises(SourceError, match="video not found"):
        VideoFileSource(tmp_path / "nope.mp4").open()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(1000))
    with pytest.raises(SourceError, match="cannot read video"):
        VideoFileSource(bad).open()


class FlakyCapture:
    """Stands in for a webcam's VideoCapture: frames, then unplugged, then back."""

    def __init__(self, plan):
        self.plan = plan  # list of booleans: frame or failure, consumed one read at a time

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return True

    def get(self, prop):
        return 30.0

    def read(self):
        import numpy as np

        ok = self.plan.pop(0) if self.plan else True
        return (ok, np.zeros((4, 4, 3), np.uint8) if ok else None)

    def release(self):
        pass


def run_camera(monkeypatch, capture, frames):
    """A CameraSource over a stand-in capture, read until ``frames`` frames (or 10 s);
    returns the camera and the (kind, message) events it reported."""
    import time

    from emotune.vision import sources

    monkeypatch.setattr(sources.CameraSource, "_open", lambda self: capture)
    monkeypatch.setattr(sources.CameraSource, "reconnect_wait", 0.01)
    events = []
    camera = sources.CameraSource(0)
    camera.on_event = lambda kind, message: events.append((kind, message))
    camera.start()
    deadline = time.monotonic() + 10
    while camera.frames_read < frames and time.monotonic() < deadline:
        camera.buffer.take(timeout=0.5)
    camera.stop()
    return camera, events


def test_camera_that_disappears_is_reported_and_resumes(monkeypatch):
    camera, events = run_camera(monkeypatch, FlakyCapture([True] * 3 + [False] * 25 + [True] * 5), 8)
    kinds = [k for k, _ in events]
    assert kinds[:2] == ["warning", "recovered"], events
    assert "stopped delivering frames" in events[0][1]
    assert camera.frames_read >= 8 and camera.error is None


def test_no_camera_is_a_clear_error(monkeypatch):
    from emotune.vision import sources

    with pytest.raises(SourceError, match="no camera at index 7"):
        sources.CameraSource(7).open()


def test_a_camera_read_that_raises_is_retried_like_a_lost_frame(monkeypatch):
    """A driver error (cv2.error from read) used to end the analysis for good."""
    import cv2

    class RaisingCapture(FlakyCapture):
        def read(self):
            if self.plan and self.plan[0] == "raise":
                self.plan.pop(0)
                raise cv2.error("VIDIOC_DQBUF: No such device")
            return super().read()

    camera, events = run_camera(monkeypatch, RaisingCapture([True] * 2 + ["raise"] * 12 + [True] * 5), 6)
    assert [k for k, _ in events][:2] == ["warning", "recovered"], events
    assert "No such device" in events[0][1]
    assert camera.frames_read >= 6


@pytest.mark.parametrize("index", [-1, -5, True, 1.5])
def test_a_negative_camera_index_is_refused_before_opencv_sees_it(index):
    # OpenCV's V4L2 backend segfaults on VideoCapture(-1)
    with pytest.raises(SourceError, match="not valid"):
        from emotune.vision.sources import CameraSource

        CameraSource(index)


def test_files_that_are_not_videos_get_a_reason_not_a_crash(shared, tmp_path):
    import os

    # an Ogg with cover art: OpenCV opens it as a "video" and FFmpeg aborts the process on a seek
    with pytest.raises(SourceError, match="audio file, not a video"):
        VideoFileSource(shared / "music" / "kevin-macleod-vibe-ace.ogg").open()
    with pytest.raises(SourceError, match="still image"):
        VideoFileSource(shared / "faces" / "fer-justin.jpg").open()
    with pytest.raises(SourceError, match="is a folder"):
        VideoFileSource(tmp_path).open()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        VideoFileSource(fifo).open()


def test_a_video_cut_short_is_an_error_not_a_normal_end(shared, tmp_path):
    """Its container says 348 frames; the data stops after about 200."""
    whole = (shared / "videos" / "mparaguaia-captura-sentimentos.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[:250_000])
    for loop in (False, True):  # the window loops its video: a cut file must not loop silently
        source = VideoFileSource(cut, loop=loop)
        events = []
        source.on_event = lambda kind, message: events.append((kind, message))
        source.open()
        source.start()
        while source.buffer.take(timeout=5) is not None:
            pass
        source.stop()
        assert 100 < source.frames_read < 348
        assert source.error and "ended early" in source.error and "of 348" in source.error
        assert events and events[0][0] == "warning"


def test_a_whole_video_ends_normally(shared):
    source = VideoFileSource(shared / "videos" / "mparaguaia-captura-sentimentos.mp4")
    source.open()
    source.start()
    while source.buffer.take(timeout=5) is not None:
        pass
    source.stop()
    assert source.frames_read == 348 and source.error is None
