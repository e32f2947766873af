"""The music library: one SQLite row per track, kept in the user data folder.

``scan`` walks the listener's folders (``~/Music`` by default), reads each audio file's
tags with mutagen and keeps path, size, mtime, tags, duration and the mood with its
confidence and source: ``tag`` (the file's own mood tag, mapped by ``MOOD_WORDS``),
``analysis`` (the sound: ``audio_mood``), or ``listener`` (a correction, never overwritten
by a rescan). An unchanged file (same size and mtime) is never read twice.

Why SQLite: one file, transactions (a scan cut off by a crash or a kill keeps every batch
it committed, and the next scan goes on from there), in the standard library. The
catalog only reads music files: it never writes, moves or deletes one.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from platformdirs import user_data_dir

from emotune.emotions import MOODS
from emotune.music.audio_mood import AudioError
from emotune.music.library import AUDIO_SUFFIXES

#: Mood-tag words → Emotune's five moods. Whole tag first ("feel good"), then each word;
#: the first word that maps decides. Words not here fall through to the audio analysis.
MOOD_WORDS: dict[str, str] = {
    **dict.fromkeys(["happy", "joyful", "cheerful", "upbeat", "uplifting", "fun", "sunny", "bright", "positive",
                     "playful", "euphoric", "feel good", "feelgood", "carefree", "hopeful", "romantic"], "happy"),
    **dict.fromkeys(["energetic", "energy", "party", "powerful", "driving", "excited", "exciting", "workout",
                     "dance", "danceable", "lively", "rousing", "triumphant", "fast"], "energetic"),
    **dict.fromkeys(["calm", "relaxed", "relaxing", "chill", "chillout", "chill out", "mellow", "peaceful",
                     "soothing", "tranquil", "serene", "gentle", "ambient", "dreamy", "soft", "laid back",
                     "laid-back", "meditative", "quiet", "sleepy", "easy"], "calm"),
    **dict.fromkeys(["sad", "melancholy", "melancholic", "depressing", "depressed", "gloomy", "sorrowful",
                     "somber", "sombre", "heartbreak", "heartbroken", "lonely", "mournful", "bittersweet",
                     "wistful", "blue"], "sad"),
    **dict.fromkeys(["tense", "dark", "aggressive", "angry", "anxious", "nervous", "suspense", "suspenseful",
                     "ominous", "scary", "menacing", "agitated", "intense", "furious", "fierce", "brooding",
                     "eerie"], "tense"),
}
assert set(MOOD_WORDS.values()) == set(MOODS)

SCHEMA = """
CREATE TABLE IF NOT EXISTS tracks (
    path TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    title TEXT, artist TEXT, album TEXT, duration REAL,
    mood_tag TEXT,
    mood TEXT, confidence REAL, source TEXT,
    arousal REAL, valence REAL, features TEXT,
    excluded INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    scan_id INTEGER
);
CREATE INDEX IF NOT EXISTS tracks_mood ON tracks (mood, excluded);
CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY,
    started REAL, finished REAL, roots TEXT,
    added INTEGER DEFAULT 0, changed INTEGER DEFAULT 0, unchanged INTEGER DEFAULT 0,
    removed INTEGER DEFAULT 0, failed INTEGER DEFAULT 0, cancelled INTEGER DEFAULT 0
);
"""


class CatalogError(Exception):
    """The library database cannot be opened or written; the message says what to do."""


def mood_from_tag(text: str | None) -> str | None:
    """The mood a mood tag names, or None (unknown words fall through to analysis)."""
    if not text:
        return None
    for part in re.split(r"[;,/|\n]+", text.lower()):
        phrase = part.strip()
        if phrase in MOOD_WORDS:
            return MOOD_WORDS[phrase]
        for word in re.findall(r"[a-z][a-z'-]*", phrase):
            if word in MOOD_WORDS:
                return MOOD_WORDS[word]
    return None


@dataclass(frozen=True)
class TrackInfo:
    """What a file's tags say (all optional)."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    duration: float | None = None
    mood_tag: str | None = None


def read_tags(path: Path) -> TrackInfo:
    """Tags with mutagen; ``ValueError`` with the reason if the file is not readable audio."""
    import mutagen  # noqa: PLC0415 - only needed while scanning

    try:
        audio = mutagen.File(path)
    except Exception as exc:  # mutagen raises its own error types per format
        raise ValueError(f"not readable audio ({exc.__class__.__name__}: {exc})") from exc
    if audio is None:
        raise ValueError("not an audio format mutagen knows")
    tags = audio.tags or {}

    def first(*keys: str) -> str | None:
        for key in keys:
            try:
                value = tags.get(key) if hasattr(tags, "get") else None
            except (ValueError, KeyError):
                value = None
            if value is None:
                continue
            if hasattr(value, "text"):  # ID3 frames
                value = value.text
            if isinstance(value, list):
                value = value[0] if value else None
            if isinstance(value, bytes):  # MP4 freeform atoms
                value = value.decode("utf-8", "replace")
            if value is not None and str(value).strip():
                return str(value).strip()
        return None

    duration = getattr(getattr(audio, "info", None), "length", None)
    return TrackInfo(
        title=first("TIT2", "title", "TITLE", "\xa9nam"),
        artist=first("TPE1", "artist", "ARTIST", "\xa9ART"),
        album=first("TALB", "album", "ALBUM", "\xa9alb"),
        duration=float(duration) if duration else None,
        mood_tag=first("TMOO", "mood", "MOOD", "----:com.apple.iTunes:MOOD", "----:com.apple.iTunes:mood"),
    )


@dataclass
class ScanReport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def seen(self) -> int:
        return self.added + self.changed + self.unchanged + self.failed

    def as_dict(self) -> dict:
        return {**self.__dict__, "seen": self.seen}


Progress = Callable[[int, Path], None]


def default_path() -> Path:
    return Path(user_data_dir("emotune", appauthor=False)) / "library.sqlite3"


def default_roots() -> list[Path]:
    return [Path.home() / "Music"]


class Catalog:
    """The SQLite catalog. One connection per Catalog; use it from one thread at a time."""

    BATCH = 50  # files per transaction: a crash loses at most this much work

    def __init__(self, path: Path, analyse: bool = True) -> None:
        """``analyse``: work out the mood of untagged tracks from their sound (about 0.2 s a
        track); off, they stay unsorted until tagged or corrected."""
        self.path = path
        self.analyse = analyse
        self._model = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=10)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise CatalogError(f"cannot open the music library {path}: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    # -- scanning -----------------------------------------------------------------------------
    def scan(self, roots: Iterable[Path], progress: Progress | None = None,
             cancel: threading.Event | None = None) -> ScanReport:
        """Walk ``roots``; add new and changed files, drop vanished ones (only after a walk
        that was not cancelled, and only under the roots walked)."""
        started = time.monotonic()
        roots = [Path(r).expanduser().resolve() for r in roots]
        missing = [str(r) for r in roots if not r.is_dir()]
        if missing:
            raise CatalogError(f"not a folder: {', '.join(missing)}")
        report = ScanReport()
        with self.db:
            scan_id = self.db.execute("INSERT INTO scans (started, roots) VALUES (?, ?)",
                                      (time.time(), json.dumps([str(r) for r in roots]))).lastrowid
        known = {row[0]: (row[1], row[2]) for row in self.db.execute("SELECT path, size, mtime_ns FROM tracks")}
        pending = 0
        self.db.execute("BEGIN")
        try:
            for root in roots:
                for path in _audio_files(root):
                    if cancel is not None and cancel.is_set():
                        report.cancelled = True
                        break
                    self._scan_one(path, root, known, scan_id, report)
                    pending += 1
                    if progress is not None:
                        progress(report.seen, path)
                    if pending >= self.BATCH:
                        self.db.execute("COMMIT")
                        self.db.execute("BEGIN")
                        pending = 0
                if report.cancelled:
                    break
            if not report.cancelled:
                for root in roots:
                    prefix = str(root).rstrip(os.sep) + os.sep
                    gone = self.db.execute(
                        "DELETE FROM tracks WHERE substr(path, 1, ?) = ? AND (scan_id IS NULL OR scan_id != ?)",
                        (len(prefix), prefix, scan_id))
                    report.removed += gone.rowcount
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")  # the batches committed before stay
            raise
        report.seconds = round(time.monotonic() - started, 3)
        with self.db:
            self.db.execute(
                "UPDATE scans SET finished=?, added=?, changed=?, unchanged=?, removed=?, failed=?, cancelled=? "
                "WHERE id=?", (time.time(), report.added, report.changed, report.unchanged, report.removed,
                               report.failed, int(report.cancelled), scan_id))
        return report

    def _scan_one(self, path: Path, root: Path, known: dict, scan_id: int, report: ScanReport) -> None:
        key = str(path)
        try:
            stat = path.stat()
        except OSError:
            return  # vanished between listing and reading: the next scan drops it
        before = known.get(key)
        if before == (stat.st_size, stat.st_mtime_ns):
            self.db.execute("UPDATE tracks SET scan_id=? WHERE path=?", (scan_id, key))
            report.unchanged += 1
            return
        try:
            info, error = read_tags(path), None
        except ValueError as exc:
            info, error = TrackInfo(), str(exc)
        tag_mood = mood_from_tag(info.mood_tag)
        mood, confidence, source = tag_mood, (1.0 if tag_mood else None), ("tag" if tag_mood else None)
        arousal = valence = features = None
        if tag_mood is None and error is None and self.analyse:
            try:
                guess, vector = self._analyse(path)
            except AudioError as exc:
                error = str(exc)
            else:
                mood, confidence, source = guess.mood, round(guess.confidence, 4), "analysis"
                arousal, valence = round(guess.arousal, 4), round(guess.valence, 4)
                features = json.dumps([round(float(v), 5) for v in vector])
        # A listener's correction survives a changed file: the SQL keeps mood and source.
        self.db.execute(
            """INSERT INTO tracks (path, root, size, mtime_ns, title, artist, album, duration, mood_tag,
                                   mood, confidence, source, error, scan_id, arousal, valence, features)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(path) DO UPDATE SET
                 root=excluded.root, size=excluded.size, mtime_ns=excluded.mtime_ns, title=excluded.title,
                 artist=excluded.artist, album=excluded.album, duration=excluded.duration,
                 mood_tag=excluded.mood_tag, error=excluded.error, scan_id=excluded.scan_id,
                 arousal=excluded.arousal, valence=excluded.valence, features=excluded.features,
                 mood=CASE WHEN tracks.source='listener' THEN tracks.mood ELSE excluded.mood END,
                 confidence=CASE WHEN tracks.source='listener' THEN tracks.confidence ELSE excluded.confidence END,
                 source=CASE WHEN tracks.source='listener' THEN tracks.source ELSE excluded.source END""",
            (key, str(root), stat.st_size, stat.st_mtime_ns, info.title, info.artist, info.album, info.duration,
             info.mood_tag, mood, confidence, source, error, scan_id, arousal, valence, features))
        if error:
            report.failed += 1
        elif before is None:
            report.added += 1
        else:
            report.changed += 1

    def _analyse(self, path: Path):
        from emotune.music import audio_mood  # noqa: PLC0415 - numpy work only while scanning

        if self._model is None:
            self._model = audio_mood.load_model()
        vector = audio_mood.features(audio_mood.load_audio(path))
        return self._model.guess(vector), vector

    # -- the listener's corrections --------------------------------------------------------------
    def set_mood(self, path: Path, mood: str, write_tag: bool = False) -> str | None:
        """The listener moves a track to ``mood``: stored as theirs, kept by every rescan.

        With ``write_tag`` (the listener's opt-in, setting ``write_mood_tags``) the mood is
        also written into the file's own mood tag (``mood_tags``), and the row takes the
        file's new size and time, so the next scan does not analyse it again. Returns the
        tag written, or None. The database change stands even if the tag cannot be written
        (``TagWriteError`` says why; the file is then unchanged)."""
        if mood not in MOODS:
            raise ValueError(f"unknown mood {mood!r}; expected one of {', '.join(MOODS)}")
        self._update(path, "UPDATE tracks SET mood=?, confidence=1.0, source='listener' WHERE path=?", (mood,))
        if not write_tag:
            return None
        from emotune.music import mood_tags  # noqa: PLC0415

        key = Path(path).expanduser().resolve()
        tag = mood_tags.write_mood(key, mood)
        stat = key.stat()
        self._update(key, "UPDATE tracks SET size=?, mtime_ns=?, mood_tag=? WHERE path=?",
                     (stat.st_size, stat.st_mtime_ns, mood_tags.TAG_WORDS[mood]))
        return tag

    def exclude(self, path: Path, excluded: bool = True) -> None:
        self._update(path, "UPDATE tracks SET excluded=? WHERE path=?", (int(excluded),))

    def _update(self, path: Path, sql: str, values: tuple) -> None:
        key = str(Path(path).expanduser().resolve())
        with self.db:
            if self.db.execute(sql, (*values, key)).rowcount == 0:
                raise KeyError(f"{path} is not in the library; scan its folder first")

    # -- reading ------------------------------------------------------------------------------
    def tracks(self, mood: str | None = None, search: str | None = None,
               include_excluded: bool = False) -> list[dict]:
        sql = "SELECT * FROM tracks WHERE 1=1"
        args: list = []
        if mood is not None:
            sql += " AND mood=?"
            args.append(mood)
        if not include_excluded:
            sql += " AND excluded=0"
        if search:
            sql += " AND (title LIKE ? OR artist LIKE ? OR album LIKE ? OR path LIKE ?)"
            args += [f"%{search}%"] * 4
        cursor = self.db.execute(sql + " ORDER BY artist, album, title, path", args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def playlist_paths(self, mood: str) -> list[Path]:
        """The tracks of ``mood`` the player can use: not excluded, readable."""
        return [Path(r["path"]) for r in self.tracks(mood) if not r["error"]]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute("SELECT COALESCE(mood, 'unsorted'), COUNT(*) FROM tracks WHERE excluded=0 "
                               "GROUP BY 1").fetchall()
        return dict(rows)


def mood_paths(path: Path, mood: str) -> list[Path]:
    """The playable tracks of ``mood`` in the library at ``path`` ([] if there is none yet).

    Opens its own read-only connection per call, so any thread may ask (the player asks
    from the analysis thread, the window from the GUI thread): SQLite connections do not
    move between threads, and a query on a few thousand rows takes a millisecond.
    """
    rows = _read_only(path, "SELECT path FROM tracks WHERE mood=? AND excluded=0 AND error IS NULL "
                            "ORDER BY artist, album, title, path", (mood,))
    return [Path(r[0]) for r in rows]


def points(path: Path) -> list[tuple[Path, str, float | None, float | None]]:
    """Every playable track of the library with its mood, arousal and valence (None where
    it was not analysed), for the lift planner; [] if there is no library yet."""
    rows = _read_only(path, "SELECT path, mood, arousal, valence FROM tracks WHERE mood IS NOT NULL AND excluded=0 "
                            "AND error IS NULL ORDER BY path")
    return [(Path(r[0]), r[1], r[2], r[3]) for r in rows]


def _read_only(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    """Rows of one query on its own read-only connection ([] if there is no library yet)."""
    if not path.is_file():
        return []
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def count_audio_files(roots: Iterable[Path]) -> int:
    """How many files a scan of ``roots`` will look at (a walk without reading: for the ETA)."""
    return sum(1 for root in roots if Path(root).is_dir() for _ in _audio_files(Path(root).expanduser()))


def _audio_files(root: Path) -> Iterator[Path]:
    """Audio files under ``root``, sorted, unreadable folders skipped (not an error)."""
    for folder, dirs, files in os.walk(root, onerror=lambda _: None):
        dirs.sort()
        for name in sorted(files):
            if Path(name).suffix.lower() in AUDIO_SUFFIXES | {".m4a", ".mp4", ".aac"}:
                yield Path(folder) / name
