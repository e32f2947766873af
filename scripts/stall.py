"""Measure the GUI event loop's longest stall while the real session analyses a video.

    python scripts/stall.py --video ../shared/data/videos/fer-woman2.mp4 --duration 60
    python scripts/stall.py --video ../shared/data/videos/fer-woman2.mp4 --duration 60 --scan ../shared/data/music-moods/audio

A 5 ms QTimer records how late each of its ticks fires; the worst lateness is the longest
time the event loop could not run (a stall a user would see as a frozen preview). Also
prints the time from launch to the window being shown, the preview and analysis rates, and
the process's peak memory. Runs offscreen unless DISPLAY is set (e.g. under Xvfb).

With ``--scan DIR`` the music library opens once the model is loaded and scans DIR (into a
new database in a temp folder) while the window runs: the first scan of a big library must
not stall the preview or the music.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

LAUNCHED = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--scan", type=Path, help="scan this music folder in the library window meanwhile")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from emotune.config import Settings
    from emotune.gui.bridge import SessionBridge
    from emotune.gui.main_window import MainWindow
    from emotune.session import Session
    from emotune.vision.sources import VideoFileSource

    app = QApplication(sys.argv[:1])
    source = VideoFileSource(args.video, paced=True, loop=True)
    source.open()
    bridge = SessionBridge()
    session = Session(Settings(), source, bridge.deliver, audio=False)
    window = MainWindow(session, bridge)
    window.show()
    app.processEvents()
    shown = time.perf_counter() - LAUNCHED
    session.start()

    analysed = []
    bridge.frame_analysed.connect(lambda e: analysed.append(e))
    clock = QElapsedTimer()
    clock.start()
    state = {"last": 0, "worst": 0, "ticks": 0, "start": None}
    tick_ms = 5

    def tick() -> None:
        now = clock.elapsed()
        if session.analyzer_ready.is_set():
            if state["start"] is None:
                state["start"] = now
            else:
                state["worst"] = max(state["worst"], now - state["last"] - tick_ms)
                state["ticks"] += 1
        state["last"] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(tick_ms)
    drawn_before = {"n": 0}
    original_pull = window.camera._pull

    def counting_pull() -> None:
        before = window.camera._last_index
        original_pull()
        drawn_before["n"] += window.camera._last_index != before

    window.camera.timer.timeout.disconnect()
    window.camera.timer.timeout.connect(counting_pull)
    scan: dict = {}
    if args.scan:
        import tempfile  # noqa: PLC0415

        from emotune.gui.library_dialog import LibraryDialog  # noqa: PLC0415

        def start_scan() -> None:
            if not session.analyzer_ready.is_set():
                QTimer.singleShot(100, start_scan)
                return
            dialog = LibraryDialog(Path(tempfile.mkdtemp(prefix="emotune-stall-")) / "library.sqlite3",
                                   [args.scan], parent=window)
            dialog.show()
            dialog.signals.progress.connect(lambda seen, *_: scan.update(seen=seen))
            dialog.start_scan()
            scan["dialog"] = dialog

        QTimer.singleShot(0, start_scan)
    QTimer.singleShot(int(args.duration * 1000), window.close)
    app.exec()
    if "dialog" in scan:
        dialog = scan["dialog"]
        report = dialog.last_report
        print(f"library scan: {report.added} tracks added in {report.seconds:.1f} s" if report else
              f"library scan: {scan.get('seen', 0)} files read when the window closed (still scanning)")
        dialog._cancel.set()
        dialog.wait_for_scan(30)
    seconds = (clock.elapsed() - (state["start"] or 0)) / 1000
    faces = sum(e.reading.has_face for e in analysed)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"window shown {shown * 1000:.0f} ms after launch")
    print(f"ran {seconds:.1f} s with the model loaded: {state['ticks']} timer ticks")
    print(f"longest event-loop stall: {state['worst']} ms (a {tick_ms} ms timer's worst lateness)")
    print(f"preview {drawn_before['n'] / seconds:.1f} frames/s, analysis {len(analysed) / seconds:.1f} frames/s, "
          f"faces in {faces}/{len(analysed)}")
    print(f"peak memory {peak:.0f} MB")
    timer.stop()
    session.stop()
    window.deleteLater()
    app.processEvents()
    bridge.deleteLater()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
