"""Where the app's own read-only data lives: the source tree, or inside a frozen bundle.

One function so that the weights, demo playlists and icons are found the same way from a
checkout, an editable install and a PyInstaller bundle (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def data_root() -> Path:
    """The folder holding ``assets/`` and ``playlists/``."""
    override = os.environ.get("EMOTUNE_DATA_DIR")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parents[2]


def assets_dir() -> Path:
    return data_root() / "assets"


def demo_playlists_dir() -> Path:
    return data_root() / "playlists"
