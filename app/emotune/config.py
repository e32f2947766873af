"""User settings: one dataclass with every default, stored as TOML in the user config dir.

Only settings live here; remembered UI state (window geometry) is the GUI's business.

A settings file belongs to the listener, so loading never changes it. Each key is checked
on its own, by name: a bad value is reported and replaced by its default while every good
value is kept; an unknown key (say, from a newer Emotune) is reported, ignored and written
back unchanged on the next save. A file that is not TOML at all is left in place and the
defaults are used; only a later save moves it aside (``settings.toml.broken-<time>``,
never deleted) before writing the new one.
"""

from __future__ import annotations

import dataclasses
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

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
    camera: int | str = 0  # a local camera's number, or a network camera's http(s)/rtsp URL
    analysis_fps: float = 3.0  # analysed frames a second while the face changes; 0 = every frame
    steady_fps: float = 2.0  # ... and while it holds the mood (0 = always analysis_fps)
    show_preview: bool = True  # draw the camera preview (off: no one watches their own face)
    notify_mood: bool = False  # a desktop notification when the mood changes the music
    close_to_tray: bool = True  # closing the window keeps the music playing in the tray (where there is one)
    #: how far faces are read relative to the listener's calibration (0 = not at all, 1 = fully)
    calibration_strength: float = 1.0
    #: Until the listener calibrates, read faces relative to a typical relaxed face
    #: (``calibration.DEFAULT_BASELINE``) rather than as the network sees them.
    default_calibration: bool = True
    window_seconds: float = 3.0
    min_confidence: float = 0.35
    hold_seconds: float = 0.5
    fade_seconds: float = 2.0
    volume: float = 0.8
    shuffle: bool = False
    #: "match": a sad face, sad music; "lift": start with matching music, then step toward
    #: calmer or happier songs of the library (music/planner.py)
    strategy: str = "match"
    #: Write a mood the listener chooses in the library into the file's own mood tag (the
    #: only time Emotune changes a music file): off unless the listener turns it on.
    write_mood_tags: bool = False
    pause_when_away: bool = False
    away_seconds: float = 10.0
    mood_map: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MOOD_MAP))
    #: mood → folders or .m3u files; a mood without an entry plays its demo folder
    playlists: dict[str, list[str]] = field(default_factory=dict)
    #: keys this version does not know, kept so that saving never loses them
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def validate(self) -> "Settings":
        """Raise SettingsError for the first invalid value; returns self for chaining."""
        for name in _CHECKS:
            setattr(self, name, check_value(name, getattr(self, name)))
        return self

    def with_changes(self, **changes: object) -> "Settings":
        """A validated copy with ``changes``; the original is untouched if they are invalid."""
        return dataclasses.replace(self, **changes).validate()


# -- one check per key -----------------------------------------------------------------------
def _choice(options: tuple[str, ...]) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        if value not in options:
            raise SettingsError(f"{name} = {value!r}: must be one of {', '.join(options)}")
        return value
    return check


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):  # "false" in quotes is a string, and a string is truthy
        raise SettingsError(f"{name} = {value!r}: must be true or false (without quotes)")
    return value


def _number(low: float, high: float, what: str, integer: bool = False) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
            kind = "a whole number" if integer else "a number"
            raise SettingsError(f"{name} = {value!r}: {what} must be {kind} from {low:g} to {high:g}")
        return value if integer else float(value)
    return check


def _camera(name: str, value: Any) -> int | str:
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://", "rtsp://")):
        return value.strip()
    return _number(0, 99, "the camera (a number, or an http://, https:// or rtsp:// address)", integer=True)(name, value)


def _below_one(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise SettingsError(f"{name} = {value!r}: the confidence threshold must be at least 0 and below 1")
    return float(value)


def _mood_map(name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SettingsError(f"{name} = {value!r}: must be a table of emotion = \"mood\" (emotion→mood map)")
    try:
        return validate_mood_map(value)
    except ValueError as exc:
        raise SettingsError(f"{name} (emotion→mood map): {exc}") from exc


def _playlists(name: str, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise SettingsError(f"{name} = {value!r}: must be a table of mood = [\"folder or .m3u\", ...]")
    for mood, paths in value.items():
        if mood not in MOODS:
            raise SettingsError(f"{name}: unknown mood {mood!r}; expected one of {', '.join(MOODS)}")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise SettingsError(f"{name}.{mood} = {paths!r}: must be a list of folder or .m3u paths")
    return {mood: list(paths) for mood, paths in value.items()}


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "engine": _choice(ENGINES),
    "official_weights": _boolean,
    "detector": _choice(DETECTORS),
    "method": _choice(METHODS),
    "camera": _camera,
    "analysis_fps": _number(0, 60, "the analysis rate (0 = every frame)"),
    "steady_fps": _number(0, 60, "the steady analysis rate (0 = always the analysis rate)"),
    "show_preview": _boolean,
    "close_to_tray": _boolean,
    "notify_mood": _boolean,
    "calibration_strength": _number(0, 1.5, "the calibration strength"),
    "default_calibration": _boolean,
    "window_seconds": _number(0.5, 30, "the smoothing window"),
    "min_confidence": _below_one,
    "hold_seconds": _number(0, 30, "the hold time"),
    "fade_seconds": _number(0, 10, "the fade length"),
    "volume": _number(0, 1, "the volume"),
    "shuffle": _boolean,
    "strategy": _choice(("match", "lift")),
    "write_mood_tags": _boolean,
    "pause_when_away": _boolean,
    "away_seconds": _number(1, 600, "the away time"),
    "mood_map": _mood_map,
    "playlists": _playlists,
}


def check_value(name: str, value: Any) -> Any:
    """The value, normalised, or SettingsError naming ``name`` and what it must be."""
    return _CHECKS[name](name, value)


# -- the file ------------------------------------------------------------------------------------
def default_path() -> Path:
    return Path(user_config_dir("emotune", appauthor=False)) / "settings.toml"


def _read(path: Path) -> dict[str, Any]:
    """The parsed file; OSError/UnicodeDecodeError/TOMLDecodeError for a file that can't be used."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def load(path: Path | None = None) -> tuple[Settings, str | None]:
    """Settings from ``path`` (defaults if absent), and a message listing what was not used.
    The file itself is never changed here."""
    path = path or default_path()
    try:
        if not path.exists():
            return Settings(), None
        if path.is_dir():
            return Settings(), f"settings file {path} is a folder: using the defaults"
        data = _read(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Settings(), (f"settings file {path} could not be read ({exc}): using the defaults; the file is "
                            "left as it is (saving new settings keeps a copy of it beside them)")
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in data.items():
        if name not in _CHECKS:
            extra[name] = value
            problems.append(f"unknown setting {name!r} ignored (kept in the file)")
            continue
        try:
            values[name] = check_value(name, value)
        except SettingsError as exc:
            problems.append(f"{exc}; using the default")
    settings = Settings(**values, extra=extra)
    if not problems:
        return settings, None
    return settings, f"settings file {path}: " + "; ".join(problems)


def save(settings: Settings, path: Path | None = None) -> Path:
    """Validate, then write atomically (a crash never leaves half a settings file).
    Unknown keys read from the file are written back; a file that could not be read is
    moved aside first, never overwritten. A folder that cannot be written is a
    SettingsError with the reason, and nothing is changed."""
    settings.validate()
    path = path or default_path()
    data = {k: v for k, v in settings.extra.items() if k not in _CHECKS}
    data.update({k: v for k, v in dataclasses.asdict(settings).items() if k != "extra"})
    partial = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            try:
                _read(path)
            except (UnicodeDecodeError, tomllib.TOMLDecodeError):
                path.replace(path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}"))
        partial.write_text(tomli_w.dumps(data), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
        raise SettingsError(f"cannot save the settings to {path}: {exc.strerror or exc}") from exc
    return path
