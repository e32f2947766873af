"""Soak the music library scan: a big folder of real tracks, scanned, rescanned and
changed, with memory and rate printed as it goes.

    python scripts/library_soak.py --tracks 2000 [--source ../shared/data/music-moods/audio]

Builds a temporary "Music" folder of ``--tracks`` files (hard links to the shared excerpts,
spread over artist/album folders; nothing is copied into the repository), then runs the
real ``emotune library scan`` path in this process: a first scan (tags and sound analysed),
a rescan (nothing read again), a rescan after changing a tenth of the files and deleting
another tenth, and a scan cut off part-way and resumed. Prints files/s and the process's
resident memory every ``--every`` files; exits 1 if a count is wrong or memory grew more
than ``--max-growth-mb`` between the first and the last thousand files of the first scan.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from emotune.music.catalog import Catalog


def build(folder: Path, source: Path, count: int) -> list[Path]:
    tracks = sorted(p for p in source.iterdir() if p.suffix in (".ogg", ".mp3", ".flac"))
    made = []
    for i in range(count):
        target = folder / f"artist-{i % 40:02d}" / f"album-{i % 7}" / f"{i:05d}-{tracks[i % len(tracks)].name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(tracks[i % len(tracks)], target)
        except OSError:  # another file system: copy
            shutil.copy(tracks[i % len(tracks)], target)
        made.append(target)
    return made


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=2000)
    parser.add_argument("--source", type=Path, default=Path("../shared/data/music-moods/audio"))
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--max-growth-mb", type=float, default=40.0)
    parser.add_argument("--skip-cut", action="store_true",
                        help="leave out the cut-off-and-resume phase (a second full scan in a new database): "
                             "for very big runs, where the smaller run covers it")
    args = parser.parse_args()
    me = psutil.Process()
    work = Path(tempfile.mkdtemp(prefix="emotune-library-soak-"))
    ok = True
    try:
        music = work / "Music"
        files = build(music, args.source, args.tracks)
        db = Catalog(work / "library.sqlite3")
        samples: list[tuple[int, float]] = []
        started = time.monotonic()

        def progress(seen: int, _path: Path) -> None:
            if seen % args.every == 0:
                rss = me.memory_info().rss / 2**20
                samples.append((seen, rss))
                rate = seen / (time.monotonic() - started)
                print(f"  {seen:>6} files  {rate:5.1f} files/s  RSS {rss:6.1f} MB", flush=True)

        first = db.scan([music], progress)
        print(f"first scan: {first.as_dict()}")
        ok &= first.added + first.failed == args.tracks
        if len(samples) >= 2:
            early = [rss for seen, rss in samples if seen <= min(1000, args.tracks // 2)]
            late = [rss for seen, rss in samples if seen >= args.tracks - min(1000, args.tracks // 2)]
            growth = (sum(late) / len(late)) - (sum(early) / len(early))
            print(f"memory: {early[0]:.1f} MB early, {late[-1]:.1f} MB late, growth {growth:+.1f} MB")
            ok &= growth <= args.max_growth_mb
        again = db.scan([music])
        print(f"rescan: {again.as_dict()}")
        ok &= again.unchanged == args.tracks and again.added == again.changed == again.removed == 0
        rng = random.Random(1)
        chosen = rng.sample(files, args.tracks // 5)
        changed, removed = chosen[: len(chosen) // 2], chosen[len(chosen) // 2:]
        for path in changed:  # a new file in place of the link: new size/mtime
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)
            os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
        for path in removed:
            path.unlink()
        third = db.scan([music])
        print(f"after changing {len(changed)} and deleting {len(removed)}: {third.as_dict()}")
        ok &= third.changed == len(changed) and third.removed == len(removed)
        db.close()
        if args.skip_cut:
            print(f"soak {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s (cut-off phase skipped)")
            return 0 if ok else 1
        cut_db = Catalog(work / "cut.sqlite3")
        cancel = threading.Event()
        cut = cut_db.scan([music], lambda seen, _p: cancel.set() if seen >= args.tracks // 3 else None, cancel)
        rest = cut_db.scan([music])
        print(f"cut off at {cut.seen}, then resumed: {rest.as_dict()}")
        ok &= cut.cancelled and rest.unchanged >= cut.seen - cut_db.BATCH
        ok &= rest.unchanged + rest.added + rest.failed == args.tracks - len(removed)
        cut_db.close()
        print(f"soak {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
