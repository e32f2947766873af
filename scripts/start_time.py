"""Time from launch to a visible Emotune window, under Xvfb, for any emotune command.

    python scripts/start_time.py [--runs 5] -- dist/emotune/emotune --camera 99
    python scripts/start_time.py -- .venv/bin/emotune --camera 99

Polls ``xdotool search --onlyvisible`` every 20 ms; each run is closed with SIGTERM (the
app closes its window cleanly on it). The first run is the cold one (files not yet cached).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--display", default=":95")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = [c for c in args.command if c != "--"]
    xvfb = subprocess.Popen(["Xvfb", args.display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=args.display, SDL_AUDIODRIVER=env.get("SDL_AUDIODRIVER", "dummy"))
    times = []
    try:
        time.sleep(1)
        for _ in range(args.runs):
            started = time.perf_counter()
            app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            while time.perf_counter() - started < 30:
                found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Emotune$"], env=env,
                                       capture_output=True, text=True).stdout.strip()
                if found:
                    times.append(time.perf_counter() - started)
                    break
                time.sleep(0.02)
            app.terminate()
            app.wait(20)
    finally:
        xvfb.terminate()
    print("window visible after: " + ", ".join(f"{t * 1000:.0f} ms" for t in times))
    print(f"first (cold) {times[0] * 1000:.0f} ms; median {statistics.median(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
