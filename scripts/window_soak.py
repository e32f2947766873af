"""Window soak: the real window under Xvfb on a looping video, watched for as long as asked.

    python scripts/window_soak.py --video ../shared/data/videos/fer-woman2.mp4 --duration 1800

Headless soaks cannot see what only a window does: PySide6 6.12.0 dropped a reference to
``None`` on every repaint and the window aborted after about 140 s (``none_dealloc``). This
starts ``emotune --video V`` (an own X server through ``xvfb-run`` unless ``$DISPLAY`` is
set, SDL's dummy audio, a temp home), and every ``--every`` seconds prints whether it is
still alive, its resident memory and its CPU use. At the end it closes the window with
SIGTERM, as a logout does, and reports memory drift (last sample against the first after a
warm-up) and how the app ended. Exit status 0 only if the window lived the whole time and
closed cleanly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil


def _app_process(launcher: psutil.Process) -> psutil.Process | None:
    """The emotune process itself (under xvfb-run it is a grandchild)."""
    if "emotune" in " ".join(launcher.cmdline()) and launcher.name().startswith("python"):
        return launcher
    for child in launcher.children(recursive=True):
        try:
            if "emotune" in " ".join(child.cmdline()) and child.name().startswith("python"):
                return child
        except psutil.Error:
            continue
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=1800.0, help="seconds to run")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    parser.add_argument("--warmup", type=float, help="seconds before the baseline sample (default: min(60, duration/10))")
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="emotune-soak-"))
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"), "SDL_AUDIODRIVER": "dummy"}
    env.pop("QT_QPA_PLATFORM", None)  # a real window, not the offscreen platform
    command = [sys.executable, "-m", "emotune", "--video", str(args.video)]
    if not env.get("DISPLAY"):
        xvfb_run = shutil.which("xvfb-run")
        if xvfb_run is None:
            print("window_soak: needs $DISPLAY or xvfb-run (apt-get install xvfb)", file=sys.stderr)
            return 2
        command = [xvfb_run, "-a", "-s", "-screen 0 1280x800x24", *command]
    log_path = home / "window.log"
    log = log_path.open("w")
    launcher = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    warmup = args.warmup if args.warmup is not None else min(60.0, args.duration / 10)
    samples: list[tuple[float, float]] = []
    app: psutil.Process | None = None
    died: str | None = None
    cpu_start: float | None = None
    next_sample = started + min(args.every, warmup) if warmup > 0 else started + args.every
    try:
        while time.monotonic() - started < args.duration:
            time.sleep(0.5)
            if launcher.poll() is not None:
                died = f"the app ended by itself after {time.monotonic() - started:.0f} s (exit {launcher.returncode})"
                break
            if app is None:
                app = _app_process(psutil.Process(launcher.pid))
                if app is not None:
                    cpu_start = sum(app.cpu_times()[:2])
            if app is not None and time.monotonic() >= next_sample:
                elapsed = time.monotonic() - started
                rss = app.memory_info().rss / 2**20
                cpu = (sum(app.cpu_times()[:2]) - (cpu_start or 0)) / elapsed
                samples.append((elapsed, rss))
                print(f"t={elapsed:7.0f} s  alive  rss {rss:7.1f} MB  cpu {cpu:5.1%} of a core", flush=True)
                next_sample += args.every
        if died is None and app is not None:
            app.send_signal(signal.SIGTERM)
            try:
                launcher.wait(60)
            except subprocess.TimeoutExpired:
                died = "the window did not close within 60 s of SIGTERM"
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
        log.close()

    text = log_path.read_text(errors="replace")
    fatal = [line for line in text.splitlines() if "Fatal Python error" in line or "Traceback" in line]
    print(f"duration {time.monotonic() - started:.0f} s; app log: {log_path}")
    if samples:
        baseline = next((rss for t, rss in samples if t >= warmup), samples[0][1])
        peak, last = max(rss for _, rss in samples), samples[-1][1]
        print(f"memory: peak {peak:.0f} MB; after warm-up {baseline:.0f} MB -> end {last:.0f} MB "
              f"(drift {100 * (last - baseline) / baseline:+.1f}%)")
    if app is None and died is None:
        died = "the app's process was never found"
    if died or fatal or launcher.returncode not in (0, None):
        print(f"FAILED: {died or ''} {' | '.join(fatal[:3])} (exit {launcher.returncode})")
        print("\n".join(text.splitlines()[-15:]))
        return 1
    print("window alive for the whole run and closed cleanly (exit 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
