"""`emotune library`: scan, list, set-mood and exclude from the command line, on copies of
shared music files."""

import json
import shutil
import signal
import sqlite3
import subprocess
import sys


def run(*args):
    return subprocess.run([sys.executable, "-m", "emotune", "library", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_scan_list_correct_and_exclude(shared, tmp_path):
    music = tmp_path / "Music"
    music.mkdir()
    for name in ("kevin-macleod-vibe-ace.ogg", "raylib-country_emegeme.mp3"):
        shutil.copy(shared / "music" / name, music / name)
    db = tmp_path / "lib.sqlite3"
    scan = run("--db", db, "scan", music, "--json")
    assert scan.returncode == 0, scan.stderr
    lines = [json.loads(line) for line in scan.stdout.splitlines() if line.startswith("{")]
    result = lines[-1]["summary"]
    tracks = lines[:-1]
    assert len(tracks) == 2 and {t["source"] for t in tracks} == {"analysis"}
    for track in tracks:
        assert track["mood"] and 0 <= track["arousal"] <= 1 and 0 <= track["valence"] <= 1 and track["confidence"]
    assert result["added"] == 2 and sum(result["moods"].values()) == 2
    assert "unsorted" not in result["moods"]  # untagged: a mood from the sound
    fixed = run("--db", db, "set-mood", music / "kevin-macleod-vibe-ace.ogg", "energetic")
    assert fixed.returncode == 0 and "rescan keeps it" in fixed.stdout
    listed = run("--db", db, "list", "--mood", "energetic")
    assert "listener" in listed.stdout and listed.stdout.count("\n") == 1
    assert run("--db", db, "exclude", music / "raylib-country_emegeme.mp3").returncode == 0
    again = json.loads(run("--db", db, "scan", music, "--json").stdout.splitlines()[-1])["summary"]
    assert again["unchanged"] == 2 and sum(again["moods"].values()) == 1 and again["moods"]["energetic"] == 1
    bad = run("--db", db, "scan", tmp_path / "nowhere")
    assert bad.returncode == 2 and "not a folder" in bad.stderr
    wrong = run("--db", db, "set-mood", music / "kevin-macleod-vibe-ace.ogg", "grumpy")
    assert wrong.returncode == 2 and "unknown mood" in wrong.stderr


def test_library_soak_short(shared):
    """The soak script, short: 120 real tracks scanned, rescanned, changed, cut off, resumed.
    The evening-long version is run by hand (README: `--tracks 2000`)."""
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "library_soak.py"
    proc = subprocess.run([sys.executable, str(script), "--tracks", "120", "--every", "40",
                           "--source", str(shared / "music-moods" / "audio")],
                          capture_output=True, text=True, timeout=600)
    print(proc.stdout[-2000:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "soak passed" in proc.stdout


def test_a_scan_killed_mid_way_loses_nothing_it_committed(shared, tmp_path):
    """SIGKILL (a crash, a power cut) in the middle of a first scan: the database is whole,
    every committed batch is there, and the next scan analyses only the rest."""
    music = tmp_path / "Music"
    music.mkdir()
    source = sorted((shared / "music-moods" / "audio").iterdir())[0]
    for i in range(160):
        shutil.copy(source, music / f"track-{i:03}{source.suffix}")
    before = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in music.iterdir()}
    db = tmp_path / "lib.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "emotune", "library", "--db", str(db), "scan", str(music)],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        seen = 0
        for line in proc.stderr:  # "  N files… name", about once a second
            if "files…" in line:
                seen = int(line.split()[0])
                if seen >= 70:  # past the first committed batch of 50
                    break
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert 70 <= seen < 160 and proc.returncode == -signal.SIGKILL
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = check.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
    check.close()
    assert 50 <= stored <= seen
    rest = run("--db", db, "scan", music, "--json")
    assert rest.returncode == 0, rest.stderr
    summary = json.loads(rest.stdout.splitlines()[-1])["summary"]
    assert summary["unchanged"] == stored and summary["added"] == 160 - stored
    assert {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in music.iterdir()} == before
