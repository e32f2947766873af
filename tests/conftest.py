"""Test set-up shared by every test: offscreen Qt, dummy SDL audio, isolated user folders.

The user's real config and data folders are never touched: XDG dirs point into a temp
folder for the whole run. A test that leaves one of the app's threads running fails.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_isolated = Path(tempfile.mkdtemp(prefix="emotune-tests-"))
os.environ["XDG_CONFIG_HOME"] = str(_isolated / "config")
os.environ["XDG_DATA_HOME"] = str(_isolated / "data")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
APP_THREADS = ("capture-", "analysis", "player-monitor")


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared/data beside the checkout (read-only test data; never copied into the repo)."""
    if not SHARED.is_dir():
        pytest.fail(f"the shared test data is missing: expected {SHARED} (see README, Tests)")
    return SHARED


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail a test that leaves capture, analysis or player threads behind (as napari does)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 3
    while True:
        left = [t for t in threading.enumerate() if t not in before and t.is_alive() and t.name.startswith(APP_THREADS)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert not left, f"threads left running: {[t.name for t in left]}"
