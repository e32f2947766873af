"""Starting the window: show it at once, then load the model behind it.

Heavy imports (DeepFace, TensorFlow/ONNX) happen on the session's analysis thread after the
window is visible, so start-up feels instant.
"""

from __future__ import annotations

import argparse
import logging
import sys

from emotune.config import Settings


def run_gui(args: argparse.Namespace, settings: Settings, settings_problem: str | None = None) -> int:
    from PySide6.QtGui import QIcon  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from emotune import calibration  # noqa: PLC0415
    from emotune.music import catalog  # noqa: PLC0415
    from emotune.gui.bridge import SessionBridge  # noqa: PLC0415
    from emotune.gui.main_window import MainWindow  # noqa: PLC0415
    from emotune.resources import assets_dir  # noqa: PLC0415
    from emotune.session import Session  # noqa: PLC0415

    logging.basicConfig(level=logging.INFO, format="%(asctime)s emotune %(levelname)s %(message)s")
    desktop = _desktop_bus()
    if desktop is not None and desktop.owner_running():
        # One instance: the running Emotune comes forward, this one leaves (before any camera opens)
        raised = desktop.raise_running()
        print("emotune: already running" + ("; brought its window forward" if raised else ""), file=sys.stderr)
        return 0
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Emotune")
    app.setDesktopFileName("emotune")
    app.setWindowIcon(QIcon(str(assets_dir() / "icons" / "emotune.png")))

    source, problem = open_source(args, settings)
    bridge = SessionBridge()
    session = Session(settings, source, bridge.deliver, audio=True, calibration_path=calibration.default_path(),
                      library_path=catalog.default_path())
    window = MainWindow(session, bridge, problem, settings_path=args.settings, settings_problem=settings_problem)
    window.show()
    logging.getLogger("emotune").info("window shown")
    _quit_on_signals(app, window)
    media = _start_mpris(desktop, session, window)
    session.start()
    code = app.exec()
    if media is not None:
        media.stop()
    session.stop()  # idempotent: closeEvent already did, unless the app quit another way
    # Destroy the widgets before the QApplication, in that order, while Python still runs;
    # left to interpreter shutdown, PySide deletes them in arbitrary order and may crash.
    window.deleteLater()
    app.processEvents()
    del window
    bridge.deleteLater()
    app.processEvents()
    return code


def _desktop_bus():
    """The MPRIS module on Linux (D-Bus); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        from emotune import mpris  # noqa: PLC0415
    except ImportError as exc:  # a bundle without dbus-fast: the app works, media keys do not
        logging.getLogger("emotune").warning("media keys are off: %s", exc)
        return None
    return mpris


def _start_mpris(desktop, session, window):
    """Media keys and the desktop's media widget (MPRIS). Raise and Quit arrive on the
    D-Bus thread and hop to the Qt thread through a queued signal."""
    if desktop is None:
        return None
    from PySide6.QtCore import QObject, Signal  # noqa: PLC0415

    class _Hop(QObject):
        raise_window = Signal()
        quit_app = Signal()

    hop = _Hop(window)

    def bring_forward() -> None:
        window.showNormal()
        window.raise_()
        window.activateWindow()

    hop.raise_window.connect(bring_forward)
    hop.quit_app.connect(window.quit_app)
    service = desktop.MprisService(session.controller, hop.raise_window.emit, hop.quit_app.emit)
    problem = service.start()
    if problem:
        logging.getLogger("emotune").info("%s", problem)
    else:
        logging.getLogger("emotune").info("media keys: %s on the session bus", desktop.BUS_NAME)
    return service


def _quit_on_signals(app, window) -> None:
    """SIGTERM/SIGINT (logout, Ctrl+C in a terminal) close the window like Ctrl+Q: threads
    and audio stop cleanly. A short timer lets Python run its signal handlers, which it
    cannot do while Qt's event loop holds the main thread."""
    import signal  # noqa: PLC0415

    from PySide6.QtCore import QTimer  # noqa: PLC0415

    # Closing from inside the event loop: a signal that arrives before app.exec() starts
    # would otherwise close the window too early for Qt's "last window closed → quit".
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: QTimer.singleShot(0, window.quit_app))
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)


def open_source(args: argparse.Namespace, settings: Settings):
    """The video (looping) or the camera; on failure None and the reason, for the banner."""
    from emotune.vision.sources import CameraSource, SourceError, VideoFileSource  # noqa: PLC0415

    try:
        if getattr(args, "video", None) is not None:
            source = VideoFileSource(args.video, paced=True, loop=True)
        else:
            camera = settings.camera if getattr(args, "camera", None) is None else args.camera
            source = CameraSource(camera)
        source.open()
        return source, None
    except SourceError as exc:
        return None, str(exc)
