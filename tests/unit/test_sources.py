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


def test_camera_that_disappears_is_reported_and_resumes(monkeypatch):
    from emotune.vision import sources

    plan = [True] * 3 + [False] * 25 + [True] * 5
    capture = FlakyCapture(plan)
    monkeypatch.setattr(sources.CameraSource, "_open", lambda self: capture)
    monkeypatch.setattr(sources.CameraSource, "reconnect_wait", 0.01)
    events = []
    camera = sources.CameraSource(0)
    camera.on_event = lambda kind, message: events.append((kind, message))
    camera.start()
    deadline = __import__("time").monotonic() + 10
    while camera.frames_read < 8 and __import__("time").monotonic() < deadline:
        camera.buffer.take(timeout=0.5)
    camera.stop()
    kinds = [k for k, _ in events]
    assert kinds[:2] == ["warning", "recovered"], events
    assert "stopped delivering frames" in events[0][1]
    assert camera.frames_read >= 8 and camera.error is None


def test_no_camera_is_a_clear_error(monkeypatch):
    from emotune.vision import sources

    with pytest.raises(SourceError, match="no camera at index 7"):
        sources.CameraSource(7).open()
