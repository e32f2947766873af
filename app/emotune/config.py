"""User settings: one dataclass with every default, stored as TOML in the user config dir.

Only settings live here; remembered UI state (window geometry) is the GUI's business.
A settings file that cannot be read is moved aside (never deleted) and the defaults are
used, with a message saying where the old file went. Invalid values are refused by
``validate`` before anything is saved.
"""

from __future__ import annotations

import dataclasses
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w
from platformdirs import user_config_dir

from emotune.emotions import DEFAULT_MOOD_MAP, MOODS, validate_mood_map
from emotune.vision.analyzer import DETECTORS, METHODS
from emotune.vision.engine import ENGINES


class SettingsError(ValueError):
    """A settings value is invalid; the message names the setting and the allowed values."""


@dataclass
class Settings:
    engine: str = "onnx"
    official_weights: bool = False  # DeepFace's own weights, downloaded on first use
    detector: str = "opencv"
    method: str = "fast"
    camera: int = 0
    analysis_fps: float = 15.0  # analysed frames per second of camera/video time; 0 = every frame
    window_seconds: float = 3.0
    min_confidence: float = 0.35
    hold_seconds: float = 0.75
    fade_seconds: float = 2.0
    volume: float = 0.8
    shuffle: bool = False
    pause_when_away: bool = False
    away_seconds: float = 10.0
    mood_map: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MOOD_MAP))
    #: mood → folders or .m3u files; a mood without an entry plays its demo folder
    playlists: dict[str, list[str]] = field(default_factory=dict)

    def validate(self) -> "Settings":
        """Raise SettingsError for the first invalid value; returns self for chaining."""
        def need(ok: bool, message: str) -> None:
            if not ok:
                raise SettingsError(message)

        need(self.engine in ENGINES, f"engine must be one of {', '.join(ENGINES)}")
        need(self.detector in DETECTORS, f"detector must be one of {', '.join(DETECTORS)}")
        need(self.method in METHODS, f"method must be one of {', '.join(METHODS)}")
        need(isinstance(self.camera, int) and self.camera >= 0, "camera must be a number 0 or more")
        need(0 <= self.analysis_fps <= 60, "analysis rate must be between 0 (every frame) and 60 per second")
        need(0.5 <= self.window_seconds <= 30, "smoothing window must be between 0.5 and 30 seconds")
        need(0 <= self.min_confidence < 1, "confidence threshold must be at least 0 and below 1")
        need(0 <= self.hold_seconds <= 30, "hold time must be between 0 and 30 seconds")
        need(0 <= self.fade_seconds <= 10, "fade length must be between 0 and 10 seconds")
        need(0 <= self.volume <= 1, "volume must be between 0 and 1")
        need(1 <= self.away_seconds <= 600, "away time must be between 1 and 600 seconds")
        try:
            self.mood_map = validate_mood_map(self.mood_map)
        except ValueError as exc:
            raise SettingsError(f"emotion→mood map: {exc}") from exc
        for mood, paths in self.playlists.items():
            need(mood in MOODS, f"playlists: unknown mood {mood!r}; expected one of {', '.join(MOODS)}")
            need(isinstance(paths, list) and all(isinstance(p, str) for p in paths),
                 f"playlists.{mood} must be a list of folder or .m3u paths")
        return self

    def with_changes(self, **changes: object) -> "Settings":
        """A validated copy with ``changes``; the original is untouched if they are invalid."""
        return dataclasses.replace(self, **changes).validate()


def default_path() -> Path:
    return Path(user_config_dir("emotune", appauthor=False)) / "settings.toml"


def load(path: Path | None = None) -> tuple[Settings, str | None]:
    """Settings from ``path`` (defaults if absent), and a message if the file was set aside."""
    path = path or default_path()
    if not path.is_file():
        return Settings(), None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in dataclasses.fields(Settings)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"unknown settings {', '.join(unknown)}")
        return Settings(**data).validate(), None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError, SettingsError) as exc:
        aside = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        path.replace(aside)
        return Settings(), f"settings file {path} could not be used ({exc}); moved it to {aside.name} and started with defaults"


def save(settings: Settings, path: Path | None = None) -> Path:
    """Validate, then write atomically (a crash never leaves half a settings file)."""
    settings.validate()
    path = path or default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(tomli_w.dumps(dataclasses.asdict(settings)), encoding="utf-8")
    partial.replace(path)
    return path
