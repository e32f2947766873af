"""The music library in the window: scan folders (progress, cancel), search, see each
track's mood and where it came from, play a track, move it to another mood, exclude it.

The scan runs on its own thread with its own database connection (SQLite connections stay
on their thread); progress reaches the dialog as a queued Qt signal, at most a few times a
second. Corrections are written at once and kept by every rescan (``Catalog.set_mood``).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from emotune.emotions import MOODS
from emotune.music.catalog import Catalog, CatalogError, ScanReport, count_audio_files
from emotune.music.mood_tags import TagWriteError

COLUMNS = ("Title", "Artist", "Album", "Mood", "From")


class _ScanSignals(QObject):
    progress = Signal(int, str, int, float)  # seen, file name, total, seconds so far
    finished = Signal(object)  # ScanReport or an error message (str)


class LibraryDialog(QDialog):
    def __init__(self, db_path: Path, roots: list[Path], play: Callable[[str, Path], None] | None = None,
                 on_changed: Callable[[], None] | None = None, parent: QWidget | None = None,
                 write_tags: bool = False) -> None:
        """``play(mood, path)`` plays a track; ``on_changed`` is called after a scan or a
        correction so the player rereads its playlists. ``write_tags`` (the listener's
        opt-in setting): a move also writes the mood into the file's own tag."""
        super().__init__(parent)
        self.setWindowTitle("Emotune music library")
        self.resize(900, 560)
        self.db_path = db_path
        self._play = play
        self._on_changed = on_changed or (lambda: None)
        self.write_tags = write_tags
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: ScanReport | None = None
        self.signals = _ScanSignals()
        self.signals.progress.connect(self._on_progress)
        self.signals.finished.connect(self._on_finished)

        self.folders = QLineEdit("; ".join(str(r) for r in roots))
        browse = QPushButton("Add folder…")
        browse.clicked.connect(self._browse)
        self.scan_button = QPushButton("Scan")
        self.scan_button.clicked.connect(self.start_scan)
        self.scan_button.setDefault(True)  # Enter scans
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self._cancel.set)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, artist, album or file")
        self.search.textChanged.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.doubleClicked.connect(lambda _: self.play_selected())
        self.move_to = QComboBox()
        self.move_to.addItems(MOODS)
        move = QPushButton("Move to mood")
        move.clicked.connect(self.move_selected)
        exclude = QPushButton("Exclude")
        exclude.clicked.connect(self.exclude_selected)
        play_button = QPushButton("Play")
        play_button.clicked.connect(self.play_selected)
        self.counts = QLabel("")

        top = QHBoxLayout()
        top.addWidget(QLabel("Folders:"))
        top.addWidget(self.folders, 1)
        top.addWidget(browse)
        top.addWidget(self.scan_button)
        top.addWidget(self.cancel_button)
        actions = QHBoxLayout()
        actions.addWidget(play_button)
        actions.addWidget(self.move_to)
        actions.addWidget(move)
        actions.addWidget(exclude)
        actions.addStretch(1)
        actions.addWidget(self.counts)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        self._paths: list[tuple[Path, str | None]] = []
        self.refresh()

    # -- scanning -----------------------------------------------------------------------------
    def roots(self) -> list[Path]:
        return [Path(p.strip()).expanduser() for p in self.folders.text().split(";") if p.strip()]

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Music folder")
        if folder:
            self.folders.setText("; ".join([*map(str, self.roots()), folder]))

    def start_scan(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        roots = self.roots()
        self._cancel.clear()
        self.scan_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.message.setText("scanning… (files are only read, never changed)")
        self._thread = threading.Thread(target=self._scan, args=(roots,), name="library-scan", daemon=True)
        self._thread.start()

    def _scan(self, roots: list[Path]) -> None:
        last = [0.0]
        started = time.monotonic()
        total = count_audio_files(roots)

        def progress(seen: int, path: Path) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.2:
                last[0] = now
                self.signals.progress.emit(seen, path.name, total, now - started)

        try:
            db = Catalog(self.db_path)
            try:
                result: object = db.scan(roots, progress, self._cancel)
            finally:
                db.close()
        except CatalogError as exc:
            result = str(exc)
        self.signals.finished.emit(result)

    def _on_progress(self, seen: int, name: str, total: int, seconds: float) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(seen)
        left = ""
        if 0 < seen < total and seconds > 2:
            remaining = (total - seen) * seconds / seen
            left = f", about {remaining / 60:.0f} min left" if remaining >= 90 else f", about {remaining:.0f} s left"
        self.message.setText(f"scanning… {seen} of {total} files{left} ({name})")

    def _on_finished(self, result: object) -> None:
        self.scan_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.hide()
        if isinstance(result, str):
            self.message.setText(f"Scan failed: {result}")
            return
        self.last_report = result
        r = result
        what = "Scan cancelled (what was read is kept)" if r.cancelled else "Scan finished"
        self.message.setText(f"{what}: {r.added} added, {r.changed} changed, {r.unchanged} unchanged, "
                             f"{r.removed} removed, {r.failed} unreadable, in {r.seconds:.1f} s.")
        self.refresh()
        self._on_changed()

    def wait_for_scan(self, timeout: float = 60.0) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    # -- the table ------------------------------------------------------------------------------
    def refresh(self) -> None:
        try:
            db = Catalog(self.db_path)
        except CatalogError as exc:
            self.message.setText(str(exc))
            return
        try:
            rows = db.tracks(search=self.search.text().strip() or None)
            counts = db.counts()
        finally:
            db.close()
        self.table.setRowCount(len(rows))
        self._paths = []
        for i, r in enumerate(rows):
            source = {"tag": "tag", "analysis": f"sound ({(r['confidence'] or 0):.0%})", "listener": "you"}.get(
                r["source"] or "", "—")
            values = (r["title"] or Path(r["path"]).name, r["artist"] or "", r["album"] or "",
                      r["mood"] or ("unreadable" if r["error"] else "unsorted"), source)
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(r["error"] or r["path"])
                self.table.setItem(i, j, item)
            self._paths.append((Path(r["path"]), r["mood"]))
        self.counts.setText(" · ".join(f"{m} {counts.get(m, 0)}" for m in MOODS)
                            + (f" · unsorted {counts['unsorted']}" if counts.get("unsorted") else ""))

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selected(self) -> tuple[Path, str | None] | None:
        rows = self.table.selectionModel().selectedRows()
        return self._paths[rows[0].row()] if rows else None

    def move_selected(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        mood = self.move_to.currentText()
        written: list[str | None] = []
        self._write(lambda db: written.append(db.set_mood(chosen[0], mood, write_tag=self.write_tags)),
                    f"{chosen[0].name}: now {mood} (kept by every rescan)")
        if written and written[0]:
            self.message.setText(f"{chosen[0].name}: now {mood} (kept by every rescan), written to its {written[0]} tag")

    def exclude_selected(self) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        self._write(lambda db: db.exclude(chosen[0]), f"{chosen[0].name}: excluded, never played")

    def _write(self, change: Callable[[Catalog], None], done: str) -> None:
        try:
            db = Catalog(self.db_path)
            try:
                change(db)
            finally:
                db.close()
        except TagWriteError as exc:  # the library has the move; the file kept its old tag
            self.message.setText(f"Moved in the library, but the file's tag was not written: {exc}")
            self.refresh()
            self._on_changed()
            return
        except (CatalogError, KeyError, ValueError) as exc:
            self.message.setText(f"Not changed: {exc}")
            return
        self.message.setText(done)
        self.refresh()
        self._on_changed()

    def play_selected(self) -> None:
        chosen = self._selected()
        if chosen is None or self._play is None:
            return
        path, mood = chosen
        if mood is None:
            self.message.setText(f"{path.name} has no mood yet: move it to one first")
            return
        self._play(mood, path)
        self.message.setText(f"playing {path.name} from the {mood} playlist (mood pinned)")

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        """Closing cancels a running scan (its committed work is kept)."""
        self._cancel.set()
        self.wait_for_scan(10)
        super().done(result)
