"""The installer end to end: build the bundle and the .deb, install the .deb into a scratch
root, and run the installed app headless (same summary as the source tree) and as a window
under Xvfb. Slow (minutes: PyInstaller), and CI runs it."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import emotune

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.packaging]

SAME_KEYS = ("frames_read", "frames_analysed", "faces_found", "dominant_mood", "mood_changes")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Build with packaging/build.sh (the one command), then unpack the .deb into a scratch root."""
    for tool in ("dpkg-deb", "fakeroot"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed to build the .deb (Debian: apt-get install {tool})")
    env = dict(os.environ, PYTHON=sys.executable)
    build = subprocess.run(["bash", "packaging/build.sh"], cwd=REPO, capture_output=True, text=True, env=env,
                           timeout=1800)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    deb = Path(build.stdout.strip().splitlines()[-1])
    assert deb.suffix == ".deb" and deb.is_file()
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    info = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True).stdout
    return root, info


def test_deb_layout(installed):
    root, info = installed
    assert "Package: emotune" in info
    assert (root / "opt/emotune/emotune").is_file()
    assert os.readlink(root / "usr/bin/emotune") == "/opt/emotune/emotune"
    assert (root / "usr/share/applications/emotune.desktop").is_file()
    assert (root / "usr/share/icons/hicolor/256x256/apps/emotune.png").is_file()
    assert not list((root / "opt/emotune").rglob("tensorflow")), "TensorFlow must stay out of the bundle"
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(root / "usr/share/applications/emotune.desktop")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_installed_headless_gives_the_source_trees_summary(installed, shared, tmp_path):
    root, _ = installed
    video = shared / "videos" / "fer-test.mp4"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMOTUNE_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # the bundle copies its own weights there
    proc = subprocess.run([str(root / "opt/emotune/emotune"), "--headless", "--video", str(video)],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    frozen = json.loads(proc.stdout.strip().splitlines()[-1])["summary"]
    source = emotune("--headless", "--video", video).summary
    assert {k: frozen[k] for k in SAME_KEYS} == {k: source[k] for k in SAME_KEYS}


def test_installed_window_appears_under_xvfb(installed, tmp_path):
    if shutil.which("Xvfb") is None or shutil.which("xdotool") is None:
        pytest.fail("Xvfb and xdotool are needed (Debian: apt-get install xvfb xdotool)")
    root, _ = installed
    display = ":93"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM",) and not k.startswith("EMOTUNE_")}
    env.update(DISPLAY=display, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    app = None
    try:
        time.sleep(1)
        app = subprocess.Popen([str(root / "opt/emotune/emotune"), "--camera", "99"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        found = ""
        deadline = time.monotonic() + 30
        while not found and time.monotonic() < deadline and app.poll() is None:
            time.sleep(0.5)
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Emotune$"], env=env,
                                   capture_output=True, text=True).stdout.strip()
        assert found, "no visible Emotune window"
    finally:
        if app is not None:
            app.terminate()
            output = app.communicate(timeout=20)[0]
            assert "window shown" in output, output[-2000:]
        xvfb.terminate()
