"""Start the real Emotune window on a virtual X screen (Xvfb), screenshot it, quit it cleanly.

    python scripts/screenshot.py --video ../shared/data/videos/fer-woman2.mp4 \
        --out assets/screenshots/main-window.png [--wait 12]

Needs Debian's xvfb, imagemagick (import) and xdotool. The app runs as a user would start
it (``python -m emotune --video …``); Ctrl+Q quits it, and the script fails if it does not
exit cleanly within 10 s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--video", type=Path)
    parser.add_argument("--out", type=Path, default=Path("assets/screenshots/main-window.png"))
    parser.add_argument("--wait", type=float, default=12.0, help="seconds between launch and screenshot")
    parser.add_argument("--display", default=":97")
    parser.add_argument("--keys", nargs="*", default=[],
                        help="keys to press before the screenshot (xdotool names), or click:X,Y")
    parser.add_argument("--after-keys", type=float, default=2.0, help="seconds between the keys and the screenshot")
    parser.add_argument("--size", default="1280x740", help="window size WxH (the screen is 1366x768)")
    parser.add_argument("--camera", help="start on this camera instead of --video (99: none, the no-camera state)")
    parser.add_argument("--home", type=Path, help="HOME (and XDG folders) for the app: a clean user")
    args = parser.parse_args()

    xvfb = subprocess.Popen(["Xvfb", args.display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
    env = dict(os.environ, DISPLAY=args.display, SDL_AUDIODRIVER=os.environ.get("SDL_AUDIODRIVER", "dummy"))
    env.pop("QT_QPA_PLATFORM", None)
    if args.home:
        env.update(HOME=str(args.home), XDG_CONFIG_HOME=str(args.home / "config"),
                   XDG_DATA_HOME=str(args.home / "data"), XDG_CACHE_HOME=str(args.home / "cache"))
    try:
        time.sleep(1.0)
        source = ["--camera", args.camera] if args.camera else ["--video", str(args.video)]
        app = subprocess.Popen([sys.executable, "-m", "emotune", *source], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(args.wait)
        if app.poll() is not None:
            print(app.stdout.read())
            raise SystemExit(f"emotune exited early with {app.returncode}")
        subprocess.run(["xdotool", "search", "--name", "^Emotune$", "windowfocus", "--sync"], env=env, check=False)
        subprocess.run(["xdotool", "search", "--name", "^Emotune$", "windowsize", *args.size.split("x"), "windowmove", "0", "0"],
                       env=env, check=False)
        time.sleep(1.5)
        for key in args.keys:  # a key name, or click:X,Y (screen pixels)
            if key.startswith("click:"):
                x, y = key.removeprefix("click:").split(",")
                subprocess.run(["xdotool", "mousemove", x, y, "click", "1"], env=env, check=False)
            else:
                subprocess.run(["xdotool", "key", key], env=env, check=False)
            time.sleep(0.5)
        if args.keys:
            time.sleep(args.after_keys)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["import", "-window", "root", str(args.out)], env=env, check=True)
        if args.keys:  # close what the keys opened first (a dialog takes Ctrl+Q for itself)
            subprocess.run(["xdotool", "key", "Escape"], env=env, check=False)
            time.sleep(0.5)
            # Xvfb has no window manager to give the focus back to the main window
            subprocess.run(["xdotool", "search", "--name", "^Emotune$", "windowfocus", "--sync"], env=env, check=False)
        subprocess.run(["xdotool", "key", "ctrl+q"], env=env, check=False)
        try:
            output, _ = app.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            raise SystemExit("emotune did not quit within 10 s of Ctrl+Q") from None
        print(output[-3000:])
        print(f"screenshot: {args.out}; emotune exited with {app.returncode}")
        return app.returncode
    finally:
        xvfb.terminate()


if __name__ == "__main__":
    sys.exit(main())
