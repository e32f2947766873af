"""MPRIS2 for real: the real window under Xvfb on a private D-Bus session bus, driven and
read with busctl (systemd's D-Bus client) as a desktop's media keys and widget would, with
PropertiesChanged and Seeked watched by a second client; then a second `emotune` that must
raise the first and leave, and Quit over the bus that must close the first cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .helpers import need_tool

NAME, PATH = "org.mpris.MediaPlayer2.emotune", "/org/mpris/MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"


def need(tool: str) -> str:
    return need_tool(tool, "the MPRIS test")


@pytest.fixture
def session_bus(tmp_path):
    daemon = subprocess.Popen([need("dbus-daemon"), "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = daemon.stdout.readline().strip()
    assert address.startswith("unix:"), address
    yield address
    daemon.terminate()
    daemon.wait(10)


def _env(tmp_path: Path, address: str) -> dict[str, str]:
    home = tmp_path / "home"
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address, "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CACHE_HOME": str(home / "cache"), "SDL_AUDIODRIVER": "dummy"}
    env.pop("QT_QPA_PLATFORM", None)
    return env


def _busctl(env, *args: str):
    out = subprocess.run([need("busctl"), "--user", "--json=short", "--", *args], env=env, capture_output=True,
                         text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["data"] if out.stdout.strip() else None


def _prop(env, interface: str, name: str):
    return _busctl(env, "get-property", NAME, PATH, interface, name)


def _watch(address: str, seen: list, stop: threading.Event) -> threading.Thread:
    """A second client collecting PropertiesChanged and Seeked from Emotune's object."""
    from dbus_fast import BusType, Message  # noqa: F401
    from dbus_fast.aio import MessageBus

    async def run() -> None:
        bus = await MessageBus(bus_address=address, bus_type=BusType.SESSION).connect()
        for rule in (f"type='signal',path='{PATH}',interface='org.freedesktop.DBus.Properties'",
                     f"type='signal',path='{PATH}',interface='{PLAYER}',member='Seeked'"):
            await bus.call(Message(destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                                   interface="org.freedesktop.DBus", member="AddMatch", signature="s", body=[rule]))
        bus.add_message_handler(lambda m: seen.append((m.member, m.body)) if m.path == PATH else None)
        while not stop.is_set():
            await asyncio.sleep(0.05)
        bus.disconnect()

    thread = threading.Thread(target=lambda: asyncio.run(run()), daemon=True)
    thread.start()
    return thread


@pytest.mark.slow
def test_media_keys_and_desktop_controls_over_a_real_session_bus(shared, tmp_path, session_bus):
    env = _env(tmp_path, session_bus)
    video = shared / "videos" / "fer-test.mp4"
    app = subprocess.Popen([need("xvfb-run"), "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m",
                            "emotune", "--video", str(video)], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    log: list[str] = []
    threading.Thread(target=lambda: log.extend(app.stdout), daemon=True).start()
    seen: list = []
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 90
        while not any("media keys: " in line for line in log):
            assert app.poll() is None and time.monotonic() < deadline, "".join(log)[-3000:]
            time.sleep(0.2)
        _watch(session_bus, seen, stop)
        time.sleep(0.5)
        # the root interface
        assert _prop(env, "org.mpris.MediaPlayer2", "Identity") == "Emotune"
        assert _prop(env, "org.mpris.MediaPlayer2", "DesktopEntry") == "emotune"
        assert _prop(env, "org.mpris.MediaPlayer2", "CanRaise") is True
        assert _prop(env, "org.mpris.MediaPlayer2", "CanQuit") is True
        # music starts once the face sets a mood (fer-test: a smile)
        deadline = time.monotonic() + 60
        while _prop(env, PLAYER, "PlaybackStatus") != "Playing":
            assert time.monotonic() < deadline, "".join(log)[-3000:]
            time.sleep(0.3)
        meta = _prop(env, PLAYER, "Metadata")
        assert meta["mpris:trackid"]["data"].startswith("/org/emotune/track/")
        assert meta["xesam:title"]["data"] and meta["mpris:length"]["data"] > 0
        assert meta["xesam:artist"]["type"] == "as" and meta["xesam:album"]["data"].startswith("Emotune")
        assert all(_prop(env, PLAYER, p) is True for p in ("CanGoNext", "CanGoPrevious", "CanPlay", "CanPause",
                                                               "CanSeek", "CanControl"))
        # buttons
        _busctl(env, "call", NAME, PATH, PLAYER, "PlayPause")
        assert _prop(env, PLAYER, "PlaybackStatus") == "Paused"
        _busctl(env, "call", NAME, PATH, PLAYER, "Play")
        assert _prop(env, PLAYER, "PlaybackStatus") == "Playing"
        first = _prop(env, PLAYER, "Metadata")["mpris:trackid"]["data"]
        _busctl(env, "call", NAME, PATH, PLAYER, "Next")
        second = _prop(env, PLAYER, "Metadata")["mpris:trackid"]["data"]
        assert second != first
        _busctl(env, "call", NAME, PATH, PLAYER, "Previous")
        assert _prop(env, PLAYER, "Metadata")["mpris:trackid"]["data"] == first
        _busctl(env, "call", NAME, PATH, PLAYER, "SetPosition", "ox", first, "5000000")
        assert 4.5e6 <= _prop(env, PLAYER, "Position") <= 7e6
        _busctl(env, "call", NAME, PATH, PLAYER, "Seek", "x", "-3000000")
        assert _prop(env, PLAYER, "Position") <= 4.5e6
        _busctl(env, "set-property", NAME, PATH, PLAYER, "Volume", "d", "0.3")
        assert abs(_prop(env, PLAYER, "Volume") - 0.3) < 1e-6
        _busctl(env, "call", NAME, PATH, PLAYER, "Stop")
        assert _prop(env, PLAYER, "PlaybackStatus") == "Paused"
        time.sleep(1.0)
        changed = [body[1] for member, body in seen if member == "PropertiesChanged" and body[0] == PLAYER]
        statuses = [c["PlaybackStatus"].value for c in changed if "PlaybackStatus" in c]
        assert "Paused" in statuses and "Playing" in statuses, statuses  # each press was announced
        assert any("Metadata" in c for c in changed) and any("Volume" in c for c in changed)
        assert sum(member == "Seeked" for member, _ in seen) >= 2  # SetPosition and Seek
        # one instance: a second launch raises the first and leaves
        second_app = subprocess.run([sys.executable, "-m", "emotune", "--video", str(video)], env=env,
                                    capture_output=True, text=True, timeout=60)
        assert second_app.returncode == 0 and "already running" in second_app.stderr, second_app.stderr
        # Quit over the bus closes the window cleanly
        _busctl(env, "call", NAME, PATH, "org.mpris.MediaPlayer2", "Quit")
        assert app.wait(30) == 0, "".join(log)[-3000:]
    finally:
        stop.set()
        if app.poll() is None:
            app.kill()
            app.wait()
