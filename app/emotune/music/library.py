"""Playlists: each mood is fed by folders and .m3u/.m3u8 files, scanned into a track list.

Files are only ever read: the library never writes, moves or deletes anything in a user's
folders. Tags come from mutagen; a file without tags shows its file name.
"""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

#: What pygame's mixer (SDL_mixer 2.8) plays here, checked on real files: MP3, Ogg Vorbis,
#: WAV, FLAC and Ogg Opus. Other files in a folder are ignored.
AUDIO_SUFFIXES = frozenset({".mp3", ".ogg", ".oga", ".wav", ".flac", ".opus"})
PLAYLIST_SUFFIXES = frozenset({".m3u", ".m3u8"})
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Track:
    path: Path
    title: str
    artist: str = ""
    duration: float | None = None  # seconds, None where the tags do not say

    @property
    def label(self) -> str:
        return f"{self.artist} – {self.title}" if self.artist else self.title


@dataclass
class Playlist:
    mood: str
    tracks: list[Track] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sources that were missing or unreadable
    #: Where the playlist starts again after its last song: 0 (all of it) except for a
    #: lift, which replays only its end near the target (planner.settle_from).
    loop_from: int = 0

    def __len__(self) -> int:
        return len(self.tracks)


def read_track(path: Path) -> Track:
    """Title, artist and duration from the file's tags, falling back to the file name."""
    title, artist, duration = path.stem, "", None
    try:
        import mutagen  # noqa: PLC0415 - only needed while scanning

        audio = mutagen.File(path, easy=True)
        if audio is not None:
            tags = audio.tags or {}
            title = (tags.get("title") or [title])[0] or title
            artist = (tags.get("artist") or [""])[0]
            duration = float(audio.info.length) if getattr(audio.info, "length", 0) else None
    except Exception as exc:  # damaged tags must not hide the file; playback decides if it plays
        log.info("no tags read from %s: %s", path, exc)
    return Track(path, str(title), str(artist), duration)


_URL_SCHEMES = ("http://", "https://", "rtsp://", "mms://", "ftp://")


def read_m3u(path: Path, problems: list[str] | None = None) -> list[Path]:
    """Entries of an .m3u/.m3u8 file in order; relative entries resolve against its folder.
    Entries that cannot be played (streams, other file types, missing files) are left out
    and each is described in ``problems``, so the listener hears why a song is not there."""
    problems = problems if problems is not None else []
    raw = path.read_bytes()
    try:  # .m3u8 is UTF-8 by definition; old .m3u files are often Latin-1
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    entries = []
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith(_URL_SCHEMES):
            problems.append(f"{line}: listed in {path.name}, but streams are not supported")
            continue
        if line.lower().startswith("file://"):
            from urllib.parse import unquote, urlparse  # noqa: PLC0415

            line = unquote(urlparse(line).path)
        entry = Path(line)
        entry = entry if entry.is_absolute() else path.parent / entry
        if entry.suffix.lower() not in AUDIO_SUFFIXES:
            problems.append(f"{entry}: listed in {path.name}, but not a supported audio file")
        elif not entry.is_file():
            problems.append(f"{entry}: listed in {path.name} but missing")
        else:
            entries.append(entry)
    return entries


def _scan_folder(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs.sort(key=str.casefold)
        found.extend(Path(root) / name for name in sorted(files, key=str.casefold))
    return [p for p in found if p.suffix.lower() in AUDIO_SUFFIXES]


@dataclass(frozen=True)
class CatalogPick:
    """The music library's songs for a mood, in order, and where their loop restarts
    (an index into ``paths``; 0 for a plain mood playlist, the calm end of a lift)."""

    paths: tuple[Path, ...] = ()
    loop_from: int = 0


def scan(mood: str, sources: Iterable[Path], shuffle: bool = False, seed: int | None = None,
         extra: Sequence[Path] = (), extra_loop_from: int = 0) -> Playlist:
    """Build the playlist of ``mood`` from folders and playlist files, in a stable order,
    then ``extra`` files (the music library's tracks of that mood). With ``extra_loop_from``
    (a lift), ``extra`` keeps its order even when shuffling, and the loop restarts there."""
    playlist = Playlist(mood)
    seen: set[Path] = set()
    ordered = extra_loop_from > 0
    sources = [*sources, *([] if ordered else extra)]
    for source in sources:
        source = Path(source).expanduser()
        if source.is_dir():
            paths = _scan_folder(source)
        elif source.is_file() and source.suffix.lower() in PLAYLIST_SUFFIXES:
            try:
                paths = read_m3u(source, playlist.problems)
            except OSError as exc:
                playlist.problems.append(f"{source}: cannot read this playlist file ({exc.strerror or exc})")
                continue
        elif source.is_file() and source.suffix.lower() in AUDIO_SUFFIXES:
            paths = [source]
        else:
            playlist.problems.append(f"{source}: no such folder or playlist file")
            continue
        for path in paths:
            if path not in seen:
                seen.add(path)
                playlist.tracks.append(read_track(path))
    if not playlist.tracks and not playlist.problems:
        playlist.problems.append("no playable files (" + ", ".join(sorted(AUDIO_SUFFIXES)) + ")")
    if shuffle:
        random.Random(seed).shuffle(playlist.tracks)
    if ordered:  # a lift: its songs in the planned order, after the listener's own
        before = len(playlist.tracks)
        for path in extra:
            if path not in seen:
                seen.add(path)
                playlist.tracks.append(read_track(path))
        playlist.loop_from = min(before + extra_loop_from, max(0, len(playlist.tracks) - 1))
        if playlist.tracks:
            playlist.problems = [p for p in playlist.problems if not p.startswith("no playable files")]
    return playlist


def _signature(sources: Sequence[Path]) -> tuple:
    """Cheap change detector: the modification times of every source and sub-folder."""
    sig = []
    for source in sources:
        source = Path(source).expanduser()
        try:
            if source.is_dir():
                for root, _, _ in os.walk(source):
                    sig.append((root, os.stat(root).st_mtime_ns))
            elif source.exists():
                sig.append((str(source), source.stat().st_mtime_ns))
            else:
                sig.append((str(source), None))
        except OSError:  # a folder that vanished mid-walk or cannot be read: rescan next time
            sig.append((str(source), "unreadable"))
    return tuple(sig)


class Library:
    """Mood → playlist, rescanned when a source folder changes or on request."""

    def __init__(self, sources: Mapping[str, Sequence[Path]], shuffle: bool = False,
                 catalog: Callable[[str], CatalogPick] | None = None, demo_dir: Path | None = None) -> None:
        """``catalog(mood)``: the music library's tracks of a mood. Where it has some, they
        play instead of the demo folder (under ``demo_dir``), beside the listener's own folders."""
        self.sources = {mood: [Path(p) for p in paths] for mood, paths in sources.items()}
        self.shuffle = shuffle
        self.catalog = catalog
        self.demo_dir = demo_dir
        self._cache: dict[str, tuple[tuple, Playlist]] = {}

    @property
    def moods(self) -> list[str]:
        return list(self.sources)

    def playlist(self, mood: str) -> Playlist:
        """The current playlist of ``mood``; scans only if its folders changed since last time."""
        sources = self.sources.get(mood, [])
        pick = self._catalog_tracks(mood)
        if pick.paths and self.demo_dir is not None:
            sources = [s for s in sources if not Path(s).is_relative_to(self.demo_dir)]
        signature = (_signature(sources), pick)
        cached = self._cache.get(mood)
        if cached and cached[0] == signature:
            return cached[1]
        playlist = scan(mood, sources, self.shuffle, extra=pick.paths, extra_loop_from=pick.loop_from)
        self._cache[mood] = (signature, playlist)
        return playlist

    def _catalog_tracks(self, mood: str) -> CatalogPick:
        if self.catalog is None:
            return CatalogPick()
        try:
            return self.catalog(mood)
        except Exception as exc:  # a broken library must not stop the music: demo/folders play
            log.warning("the music library could not be read: %s", exc)
            return CatalogPick()

    def rescan(self) -> None:
        self._cache.clear()


def default_sources(playlists_dir: Path, moods: Iterable[str], extra: Mapping[str, Sequence[Path]] | None = None) -> dict[str, list[Path]]:
    """The demo folder ``playlists/<mood>`` of each mood, unless the user assigned their own."""
    extra = extra or {}
    return {mood: list(extra.get(mood) or [playlists_dir / mood]) for mood in moods}
