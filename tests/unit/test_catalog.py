"""The SQLite music library: scan, mood from tags, corrections kept, vanished files dropped,
music files never touched. Real audio files (copies of shared ones) with real tags."""

import json
import shutil
import sqlite3
import threading

import pytest
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TMOO
from mutagen.oggvorbis import OggVorbis

from emotune.music.audio_mood import FEATURES
from emotune.music.catalog import MOOD_WORDS, Catalog, CatalogError, mood_from_tag


def snapshot(folder):
    return {p: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def music(tmp_path, shared):
    root = tmp_path / "Music"
    (root / "rock").mkdir(parents=True)
    (root / "quiet").mkdir()
    src = shared / "music"
    shutil.copy(src / "raylib-country_emegeme.mp3", root / "rock" / "country.mp3")
    tags = ID3()
    tags.add(TMOO(encoding=3, text=["Upbeat"]))
    tags.save(root / "rock" / "country.mp3")
    shutil.copy(src / "raylib-target_emegeme.flac", root / "rock" / "target.flac")
    flac = FLAC(root / "rock" / "target.flac")
    flac["MOOD"] = "Dark; Brooding"
    flac["TITLE"] = "Target"
    flac.save()
    shutil.copy(src / "kevin-macleod-sugar-plum-fairy.ogg", root / "quiet" / "fairy.ogg")
    ogg = OggVorbis(root / "quiet" / "fairy.ogg")
    ogg["mood"] = "Something nobody maps"
    ogg.save()
    shutil.copy(src / "sorohanro-solo-trumpet-06.ogg", root / "quiet" / "trumpet.ogg")
    (root / "quiet" / "broken.mp3").write_bytes(b"this is no mp3")
    (root / "notes.txt").write_text("not music")
    return root


def test_mood_words_map_phrases_then_words():
    assert mood_from_tag("Feel Good") == "happy"
    assert mood_from_tag("chill out") == "calm"
    assert mood_from_tag("Dark; Brooding") == "tense"
    assert mood_from_tag("very melancholic piano") == "sad"
    assert mood_from_tag("Something nobody maps") is None and mood_from_tag("") is None
    assert set(MOOD_WORDS.values()) == {"happy", "calm", "sad", "energetic", "tense"}


def test_a_scan_reads_tags_into_the_database_and_never_touches_the_music(music, tmp_path):
    before = snapshot(music)
    db = Catalog(tmp_path / "lib.sqlite3", analyse=False)
    report = db.scan([music])
    assert (report.added, report.failed, report.removed) == (4, 1, 0)
    rows = {r["path"].rsplit("/", 1)[1]: r for r in db.tracks()}
    assert set(rows) == {"country.mp3", "target.flac", "fairy.ogg", "trumpet.ogg", "broken.mp3"}
    assert (rows["country.mp3"]["mood"], rows["country.mp3"]["source"], rows["country.mp3"]["mood_tag"]) == (
        "happy", "tag", "Upbeat")
    assert rows["target.flac"]["mood"] == "tense" and rows["target.flac"]["title"] == "Target"
    assert rows["fairy.ogg"]["mood"] is None and rows["fairy.ogg"]["mood_tag"] == "Something nobody maps"
    assert rows["trumpet.ogg"]["duration"] > 1
    assert "not readable audio" in rows["broken.mp3"]["error"]
    assert db.playlist_paths("happy") == [music / "rock" / "country.mp3"]
    assert snapshot(music) == before  # read only: not a byte, not an mtime changed
    db.close()


def test_unchanged_files_are_not_read_again_changed_ones_are_and_vanished_ones_go(music, tmp_path, monkeypatch):
    db = Catalog(tmp_path / "lib.sqlite3", analyse=False)
    db.scan([music])
    import emotune.music.catalog as catalog

    reads = []
    real = catalog.read_tags
    monkeypatch.setattr(catalog, "read_tags", lambda p: reads.append(p.name) or real(p))
    again = db.scan([music])
    assert reads == [] and again.unchanged == 5 and again.added == again.removed == 0

    ogg = OggVorbis(music / "quiet" / "trumpet.ogg")
    ogg["mood"] = "sad"
    ogg.save()
    (music / "rock" / "target.flac").unlink()
    third = db.scan([music])
    assert reads == ["trumpet.ogg"] and (third.changed, third.removed, third.unchanged) == (1, 1, 3)
    assert [p.name for p in db.playlist_paths("sad")] == ["trumpet.ogg"]
    assert not db.tracks(mood="tense")


def test_a_listeners_correction_and_exclusion_survive_rescans(music, tmp_path):
    db = Catalog(tmp_path / "lib.sqlite3", analyse=False)
    db.scan([music])
    country = music / "rock" / "country.mp3"
    db.set_mood(country, "calm")
    db.exclude(music / "quiet" / "fairy.ogg")
    tags = ID3(country)
    tags.add(TMOO(encoding=3, text=["Aggressive"]))  # the tag changes: the listener's word stands
    tags.save()
    db.scan([music])
    [row] = [r for r in db.tracks() if r["path"] == str(country)]
    assert (row["mood"], row["source"], row["mood_tag"]) == ("calm", "listener", "Aggressive")
    assert all("fairy" not in r["path"] for r in db.tracks())
    assert any("fairy" in r["path"] for r in db.tracks(include_excluded=True))
    with pytest.raises(ValueError, match="unknown mood"):
        db.set_mood(country, "grumpy")
    with pytest.raises(KeyError, match="not in the library"):
        db.set_mood(music / "nowhere.mp3", "sad")


def test_a_scan_cut_off_keeps_what_it_committed_and_the_next_one_goes_on(music, tmp_path):
    for i in range(120):  # enough files for more than one transaction
        shutil.copy(music / "quiet" / "trumpet.ogg", music / "quiet" / f"copy-{i:03}.ogg")
    path = tmp_path / "lib.sqlite3"
    db = Catalog(path, analyse=False)
    db.BATCH = 20
    cancel = threading.Event()

    def progress(seen, _path):
        if seen == 70:
            cancel.set()

    cut = db.scan([music], progress, cancel)
    assert cut.cancelled and cut.removed == 0
    db.close()
    stored = sqlite3.connect(path).execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
    assert 60 <= stored <= 70  # every committed batch survives, as after a crash
    db = Catalog(path, analyse=False)
    rest = db.scan([music])
    assert rest.unchanged == stored and rest.added + rest.failed + rest.unchanged == 125


def test_bad_folders_and_an_unopenable_database_say_so(tmp_path):
    db = Catalog(tmp_path / "lib.sqlite3", analyse=False)
    with pytest.raises(CatalogError, match="not a folder"):
        db.scan([tmp_path / "nowhere"])
    (tmp_path / "file").write_text("x")
    with pytest.raises(CatalogError, match="cannot open the music library"):
        Catalog(tmp_path / "file" / "lib.sqlite3")


def test_the_library_tracks_replace_the_demo_folder_beside_the_listeners_own(music, tmp_path, shared):
    from emotune.config import Settings
    from emotune.music.catalog import mood_paths
    from emotune.resources import demo_playlists_dir
    from emotune.session import Session

    db_path = tmp_path / "lib.sqlite3"
    assert mood_paths(db_path, "happy") == []  # no library yet: nothing, no error
    db = Catalog(db_path, analyse=False)
    db.scan([music])
    db.close()
    own = tmp_path / "own-sad"
    own.mkdir()
    shutil.copy(shared / "music" / "kevin-macleod-vibe-ace.ogg", own / "mine.ogg")
    settings = Settings(playlists={"sad": [str(own)]})
    session = Session(settings, None, lambda event: None, library_path=db_path)
    try:
        happy = [t.path for t in session.library.playlist("happy").tracks]
        assert happy == [music / "rock" / "country.mp3"]  # the library's, not the demo's
        calm = [t.path for t in session.library.playlist("calm").tracks]
        assert calm and all(p.is_relative_to(demo_playlists_dir()) for p in calm)  # nothing in the library: demo
        db = Catalog(db_path)
        db.set_mood(music / "quiet" / "trumpet.ogg", "sad")
        db.close()
        sad = [t.path.name for t in session.library.playlist("sad").tracks]
        assert sad == ["mine.ogg", "trumpet.ogg"]  # the listener's folder, then the library
    finally:
        session.stop()


def test_untagged_tracks_get_a_mood_from_their_sound(music, tmp_path):
    from emotune.emotions import MOODS

    db = Catalog(tmp_path / "lib.sqlite3")
    db.scan([music])
    rows = {r["path"].rsplit("/", 1)[1]: r for r in db.tracks()}
    for name in ("fairy.ogg", "trumpet.ogg"):  # no mood tag a word of MOOD_WORDS names
        row = rows[name]
        assert row["source"] == "analysis" and row["mood"] in MOODS, row
        assert 0 < row["confidence"] <= 1 and 0 <= row["arousal"] <= 1 and 0 <= row["valence"] <= 1
        assert len(json.loads(row["features"])) == len(FEATURES)
    assert rows["country.mp3"]["source"] == "tag"  # a tag is taken first, not analysed
    assert rows["country.mp3"]["features"] is None
    assert "not readable audio" in rows["broken.mp3"]["error"] and rows["broken.mp3"]["mood"] is None


def test_lift_plays_a_path_from_the_mood_toward_calm_through_the_library(music, tmp_path):
    import sqlite3

    from emotune.config import Settings
    from emotune.music.planner import LIFT_TARGET, MOOD_POINTS
    from emotune.session import Session

    db_path = tmp_path / "lib.sqlite3"
    db = Catalog(db_path, analyse=False)
    db.scan([music])
    db.close()
    known = {"country.mp3": ("sad", 0.22, 0.18), "target.flac": ("sad", 0.24, 0.4),
             "fairy.ogg": ("calm", 0.26, 0.68), "trumpet.ogg": ("tense", 0.9, 0.1)}
    with sqlite3.connect(db_path) as raw:
        for name, (mood, a, v) in known.items():
            raw.execute("UPDATE tracks SET mood=?, arousal=?, valence=?, source='analysis' WHERE path LIKE ?",
                        (mood, a, v, f"%/{name}"))
    lift = Session(Settings(strategy="lift"), None, lambda event: None, library_path=db_path)
    match = Session(Settings(), None, lambda event: None, library_path=db_path)
    try:
        lifted = [t.path.name for t in lift.library.playlist("sad").tracks]
        assert lifted == ["country.mp3", "target.flac", "fairy.ogg"]  # sad, less sad, calm
        assert lift.library.playlist("sad").loop_from == 1  # after calm: back to its second half
        assert "trumpet.ogg" not in lifted  # farther from calm than where it started: never
        matched = sorted(t.path.name for t in match.library.playlist("sad").tracks)
        assert matched == ["country.mp3", "target.flac"]
        assert MOOD_POINTS["sad"] != LIFT_TARGET["sad"]
    finally:
        lift.stop()
        match.stop()
