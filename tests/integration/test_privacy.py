"""The README's privacy promise, checked on real runs under strace.

A real session (headless, and the real window under Xvfb) runs with its home, config,
data and cache folders in a temp dir, traced by ``strace -f``. It must make no network
connection other than local sockets (X11, D-Bus: AF_UNIX) or loopback, look up no host
name (a DNS query to any address, loopback resolvers included), and write no file outside
its settings and data folders and ``--out``. onnxruntime's official builds broke all
three before Emotune turned their telemetry off: a device id and an event database under
``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` and a lookup of Microsoft's host.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import need_tool

TRACED = "connect,sendto,sendmsg,open,openat,creat,mkdir,rename,renameat,renameat2,link,symlink"
_PATH = re.compile(r'"((?:[^"\\]|\\.)*)"')
_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC")


def need(tool: str) -> str:
    return need_tool(tool, "the privacy test")


def _user_dirs(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "SDL_AUDIODRIVER": "dummy",
    }


def network_problems(trace: str) -> list[str]:
    """Every connection or datagram that leaves the machine, and every DNS query."""
    problems = []
    for line in trace.splitlines():
        if not re.search(r"\b(connect|sendto|sendmsg)\(", line):
            continue
        if "sa_family=AF_UNIX" in line or "sa_family=AF_NETLINK" in line:
            continue
        if 'htons(53)' in line:
            problems.append(f"DNS lookup: {line}")
        elif "sa_family=AF_INET6" in line:
            if 'inet_pton(AF_INET6, "::1"' not in line:
                problems.append(line)
        elif "sa_family=AF_INET" in line:
            if not re.search(r'inet_addr\("127\.', line):
                problems.append(line)
    return problems


def written_paths(trace: str) -> set[str]:
    """Paths the process created, opened for writing, renamed to or linked, successfully."""
    paths = set()
    for line in trace.splitlines():
        if re.search(r"= -1 E[A-Z]+", line) or "<unfinished" in line:
            continue
        call = re.search(r"\b(open|openat|creat|mkdir|rename|renameat2?|link|symlink)\(", line)
        if not call:
            continue
        names = _PATH.findall(line)
        if not names:
            continue
        if call.group(1) in ("open", "openat"):
            if not any(flag in line for flag in _WRITE_FLAGS):
                continue
            paths.add(names[0])
        elif call.group(1) in ("rename", "renameat", "renameat2", "link", "symlink"):
            paths.add(names[-1])
        else:
            paths.add(names[0])
    return paths


#: fontconfig's cache of the system's fonts: file names are a hash of a font folder, and the
#: files are written (as these names, with .LCK/.NEW/.TMP-* while writing) only when fonts
#: were installed since the cache was last built, by any Qt program's first run after that
#: (seen when a package with fonts was installed beside a test run). Only these names pass.
_FONT_CACHE = re.compile(r"/fontconfig(/+[0-9a-f]{32}-[a-z0-9]+\.cache-\d+(\.(LCK|NEW|TMP-\w+))?)?$")


def outside(paths: set[str], allowed: list[Path]) -> list[str]:
    """Paths that are neither in an allowed folder, nor a parent of one (made by mkdir -p),
    nor a device (/dev/null and the like), nor one of fontconfig's cache files or the folders
    made for them (``~/.cache/fontconfig`` and its parent, for a user who cannot write
    /var/cache)."""
    allowed_text = [str(a) for a in allowed]
    # mkdir -p makes the parents of an allowed folder, and of a fontconfig cache folder
    parented = allowed_text + [path.rstrip("/") for path in paths if path.rstrip("/").endswith("/fontconfig")]
    bad = []
    for path in sorted(paths):
        if path.startswith("/dev/") or not path.startswith("/") or _FONT_CACHE.search(path):
            continue
        if any(path == a or path.startswith(a + os.sep) for a in allowed_text):
            continue
        if any(a.startswith(path + os.sep) for a in parented):
            continue
        bad.append(path)
    return bad


def _check(trace_file: Path, env: dict[str, str], extra_allowed: list[Path]) -> None:
    trace = trace_file.read_text(errors="replace")
    assert network_problems(trace) == []
    allowed = [Path(env["XDG_CONFIG_HOME"]) / "emotune", Path(env["XDG_DATA_HOME"]) / "emotune", *extra_allowed]
    written = written_paths(trace)
    assert any(p.startswith(env["XDG_DATA_HOME"]) for p in written), "the trace saw no writes at all"
    assert outside(written, allowed) == []
    home = Path(env["HOME"])
    assert not (home / ".cache" / "Microsoft").exists()
    assert not (home / ".deepface").exists()
    # and inside the app's own folders: settings, window state and the emotion weights, no frames
    image_like = [p for p in written if p.lower().endswith((".jpg", ".jpeg", ".png", ".bmp", ".mp4", ".avi", ".npy"))]
    assert image_like == []


def test_only_fontconfigs_own_cache_names_pass_beside_the_apps_folders(tmp_path):
    allowed = [tmp_path / "data" / "emotune"]
    font = "0bd3dc0958fa2205aaaa8ebb13e2872b-le64.cache-8"
    passing = {f"/var/cache/fontconfig//{font}", f"/var/cache/fontconfig/{font}.TMP-l96yMd",
               f"{tmp_path}/home/.cache", f"{tmp_path}/home/.cache/fontconfig",
               f"{tmp_path}/home/.cache/fontconfig/{font}.LCK", str(tmp_path / "data" / "emotune" / "x.json"),
               str(tmp_path), "/dev/null"}
    failing = {"/var/cache/fontconfig/frame.jpg", f"/var/cache/fontconfig/{font}.jpg",
               f"{tmp_path}/home/.cache/other", "/tmp/fontconfig-notes.txt", f"/tmp/{font}"}
    assert outside(passing, allowed) == []
    assert outside(passing | failing, allowed) == sorted(failing)


def test_a_headless_session_sends_nothing_and_writes_only_its_own_files(shared, tmp_path):
    strace = need("strace")
    env = {**os.environ, **_user_dirs(tmp_path)}
    trace, out = tmp_path / "trace.txt", tmp_path / "run.jsonl"
    proc = subprocess.run(
        [strace, "-f", "-qq", "-e", f"trace={TRACED}", "-o", str(trace), sys.executable, "-m", "emotune",
         "--headless", "--realtime", "--video", str(shared / "videos" / "fer-woman2.mp4"), "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '"summary"' in out.read_text()
    _check(trace, env, [out])


def test_the_window_sends_nothing_and_writes_only_its_own_files(shared, tmp_path):
    strace = need("strace")
    xvfb_run = need("xvfb-run")
    import psutil

    env = {**os.environ, **_user_dirs(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)  # a real window on a real (virtual) X server
    trace, log = tmp_path / "trace.txt", tmp_path / "window.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [xvfb_run, "-a", "-s", "-screen 0 1280x800x24", strace, "-f", "-qq", "-e", f"trace={TRACED}",
             "-o", str(trace), sys.executable, "-m", "emotune", "--video", str(shared / "videos" / "fer-test.mp4")],
            env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "emotion model ready" not in log.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-2000:]
            time.sleep(0.5)
        assert "emotion model ready" in log.read_text(), log.read_text()[-2000:]
        time.sleep(12)  # analysing and playing; onnxruntime's lookup came about 9 s into a run
        app = [p for p in psutil.Process(proc.pid).children(recursive=True)
               if "emotune" in " ".join(p.cmdline()) and "strace" not in p.name()]
        assert app, "the app's process was not found"
        app[-1].send_signal(signal.SIGTERM)  # closes the window like Ctrl+Q
        proc.wait(60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert "Traceback" not in log.read_text(), log.read_text()[-2000:]
    _check(trace, env, [])
    assert (Path(env["XDG_CONFIG_HOME"]) / "emotune").exists()  # the window's geometry was kept
