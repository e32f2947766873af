"""CPU benchmark: what Emotune costs while it runs, in cores, split by thread.

    python scripts/cpu.py --video ../shared/data/videos/fer-woman2.mp4 --duration 40

Runs each mode as a user would, one after the other, on the same video: the real window
under Xvfb (``window``), the same window minimised (``minimised``), the window with the
preview turned off (``no-preview``) and ``emotune --headless --realtime`` (``headless``).
After the model is loaded and ``--warmup`` seconds have passed, it reads the app's CPU time
per thread from /proc over ``--duration`` seconds and prints CPU seconds per second of wall
time (1.00 = one core), split into capture and decoding, analysis, music, the GUI thread
(event loop and preview), and the rest (Qt's, X's and onnxruntime's own threads).
Figures from a benchmark, never a timed test: the machine's other load shows up in them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

GROUPS = (("emotune-capture", "capture+decode"), ("emotune-analysi", "analysis"), ("emotune-music", "music"),
          ("SDLAudio", "music"))
COLUMNS = ("capture+decode", "analysis", "music", "gui", "other")


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"), "SDL_AUDIODRIVER": "dummy"}
    env.pop("QT_QPA_PLATFORM", None)
    return env


def _app(launcher: psutil.Process) -> psutil.Process | None:
    for proc in [launcher, *launcher.children(recursive=True)]:
        try:
            if proc.name().startswith("python") and "emotune" in " ".join(proc.cmdline()):
                return proc
        except psutil.Error:
            continue
    return None


def _thread_times(proc: psutil.Process) -> dict[str, float]:
    """CPU seconds so far by group, from /proc/<pid>/task/<tid>/{comm,stat}; ``all`` is the
    whole process (threads that ended still count there), so ``other`` is what is left."""
    totals = dict.fromkeys(COLUMNS, 0.0)
    times = proc.cpu_times()
    totals["all"] = times.user + times.system
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{proc.pid}/task").iterdir():
        try:
            comm = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        group = "gui" if int(task.name) == proc.pid else next(
            (g for prefix, g in GROUPS if comm.startswith(prefix)), "other")
        totals[group] += seconds
    totals["other"] = totals["all"] - sum(totals[c] for c in COLUMNS if c != "other")
    return totals


def measure(mode: str, video: Path, duration: float, warmup: float, extra: list[str],
            source: Path | None = None) -> dict[str, float]:
    home = Path(tempfile.mkdtemp(prefix=f"emotune-cpu-{mode}-"))
    env = _env(home)
    if source is not None:  # another checkout's code (its app/ folder first on the path)
        env["PYTHONPATH"] = str(source / "app")
    log_path = home / "app.log"
    if mode == "no-camera":  # the window as a plain mood player: the floor of the GUI's cost
        command = [sys.executable, "-m", "emotune", "--camera", "99", *extra]
        if not env.get("DISPLAY"):
            command = [shutil.which("xvfb-run") or "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command]
        ready = lambda: "window shown" in log_path.read_text()  # noqa: E731
    elif mode == "headless":
        out = home / "run.jsonl"
        command = [sys.executable, "-m", "emotune", "--headless", "--realtime", "--loop", "--video", str(video),
                   "--out", str(out), *extra]
        ready = lambda: out.exists() and '"kind": "ready"' in out.read_text()  # noqa: E731
    else:
        command = [sys.executable, "-m", "emotune", "--video", str(video), *extra]
        if mode == "no-preview":
            (home / "config" / "emotune").mkdir(parents=True)
            (home / "config" / "emotune" / "settings.toml").write_text("show_preview = false\n")
        if not env.get("DISPLAY"):
            command = [shutil.which("xvfb-run") or "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command]
        ready = lambda: "emotion model ready" in log_path.read_text()  # noqa: E731
    with log_path.open("w") as log:
        launcher = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not ready():
            if launcher.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{mode}: the app did not get ready:\n{log_path.read_text()[-1500:]}")
            time.sleep(0.2)
        app = _app(psutil.Process(launcher.pid))
        if app is None:
            raise RuntimeError(f"{mode}: the app's process was not found")
        if mode == "minimised":
            _minimise(app, env)
        time.sleep(warmup)
        before, t0 = _thread_times(app), time.monotonic()
        time.sleep(duration)
        after, t1 = _thread_times(app), time.monotonic()
        app.send_signal(signal.SIGTERM)
        launcher.wait(60)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
    wall = t1 - t0
    shares = {k: (after[k] - before[k]) / wall for k in COLUMNS}
    shares["total"] = (after["all"] - before["all"]) / wall
    return shares


def _minimise(app: psutil.Process, env: dict[str, str]) -> None:
    """Hide the app's window with xdotool on the app's own display. Xvfb has no window
    manager to iconify it; unmapping is what a minimise does to the window underneath (Qt
    then reports it as not exposed, exactly as when minimised)."""
    app_env = app.environ()  # its DISPLAY and XAUTHORITY (xvfb-run makes both)
    xdotool = shutil.which("xdotool")
    if xdotool is None:
        raise RuntimeError("minimised: needs xdotool (apt-get install xdotool)")
    xenv = {**env, **{k: v for k, v in app_env.items() if k in ("DISPLAY", "XAUTHORITY")}}
    deadline = time.monotonic() + 30
    windows: list[str] = []
    while not windows and time.monotonic() < deadline:
        found = subprocess.run([xdotool, "search", "--name", "^Emotune$"], env=xenv, capture_output=True,
                               text=True, timeout=10)
        windows = found.stdout.split()
        time.sleep(0.2)
    if not windows:
        raise RuntimeError("minimised: the window was not found on the display")
    for window in windows:
        subprocess.run([xdotool, "windowunmap", window], env=xenv, timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=40.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--modes", default="window,minimised,no-preview,headless")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--compare", type=Path, help="also measure this other checkout (e.g. a git worktree of "
                        "an older commit), each mode side by side")
    parser.add_argument("extra", nargs="*", help="more options for emotune (after --)")
    args = parser.parse_args(argv)
    results = {}
    print(f"{'mode':<19}{'total':>7}  " + "".join(f"{c:>15}" for c in COLUMNS) + "   (cores: CPU s per wall s)")
    for mode in args.modes.split(","):
        for label, source in (("", None), (" (other)", args.compare)):
            if label and source is None:
                continue
            if mode in ("no-preview", "headless") and label:
                continue  # the other checkout may not know the setting or --loop
            shares = measure(mode, args.video, args.duration, args.warmup, args.extra, source)
            results[mode + label] = {k: round(v, 3) for k, v in shares.items()}
            print(f"{mode + label:<19}{shares['total']:>7.1%}  " + "".join(f"{shares[c]:>15.1%}" for c in COLUMNS),
                  flush=True)
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
