"""Writing the listener's mood into a file's own tag (opt-in): real files, read back by the
scan's own reader, every other tag and the sound itself kept; refusals leave the file as it was."""

import os
import shutil

import numpy as np
import pytest
import soundfile
from mutagen.flac import FLAC
from mutagen.id3 import ID3, TIT2

from emotune.music.catalog import Catalog, mood_from_tag, read_tags
from emotune.music.mood_tags import TagWriteError, write_mood

FILES = {"mp3": "raylib-country_emegeme.mp3", "flac": "raylib-target_emegeme.flac",
         "ogg": "kevin-macleod-sugar-plum-fairy.ogg"}


@pytest.fixture(params=sorted(FILES))
def track(request, tmp_path, shared):
    path = tmp_path / f"song.{request.param}"
    shutil.copy(shared / "music" / FILES[request.param], path)
    if request.param == "mp3":
        tags = ID3()
        tags.add(TIT2(encoding=3, text=["Kept title"]))
        tags.save(path)
    else:
        audio = FLAC(path) if request.param == "flac" else __import__("mutagen").File(path)
        audio["TITLE"] = "Kept title"
        audio.save()
    return path


@pytest.mark.parametrize("mood", ["sad", "energetic"])
def test_the_written_mood_reads_back_through_the_scan_and_nothing_else_changes(track, mood):
    sound_before = None if track.suffix == ".mp3" else soundfile.read(track)[0]
    tag = write_mood(track, mood)
    assert tag in ("TMOO", "MOOD")
    info = read_tags(track)
    assert mood_from_tag(info.mood_tag) == mood  # the scan's own mapping reads it back
    assert info.title == "Kept title"  # other tags untouched
    write_mood(track, "calm")  # a second move replaces the tag, it does not add one
    assert mood_from_tag(read_tags(track).mood_tag) == "calm"
    if sound_before is not None:  # the audio frames decode to the same samples
        np.testing.assert_array_equal(soundfile.read(track)[0], sound_before)


def test_a_read_only_file_or_a_format_without_a_mood_tag_is_refused_and_left_as_it_was(tmp_path, shared):
    ro = tmp_path / "ro.flac"
    shutil.copy(shared / "music" / FILES["flac"], ro)
    os.chmod(ro, 0o444)
    before = ro.read_bytes()
    if os.geteuid() != 0:  # root may write anyway; the check is the access test
        with pytest.raises(TagWriteError, match="read-only"):
            write_mood(ro, "sad")
        assert ro.read_bytes() == before
    wav = tmp_path / "tone.wav"
    soundfile.write(wav, np.zeros(800, np.float32), 8000)
    wav_before = wav.read_bytes()
    with pytest.raises(TagWriteError, match="no mood tag Emotune writes"):
        write_mood(wav, "sad")
    assert wav.read_bytes() == wav_before
    with pytest.raises(ValueError):
        write_mood(wav, "grumpy")


def test_a_correction_written_to_the_tag_is_not_analysed_again_by_the_next_scan(tmp_path, shared):
    root = tmp_path / "Music"
    root.mkdir()
    shutil.copy(shared / "music" / FILES["ogg"], root / "fairy.ogg")
    db = Catalog(tmp_path / "lib.sqlite3", analyse=False)
    try:
        db.scan([root])
        assert db.set_mood(root / "fairy.ogg", "sad") is None  # off: the file is not touched
        assert mood_from_tag(read_tags(root / "fairy.ogg").mood_tag) is None
        assert db.set_mood(root / "fairy.ogg", "tense", write_tag=True) == "MOOD"
        report = db.scan([root])
        assert report.unchanged == 1 and report.changed == 0  # the row follows the rewritten file
        row = db.tracks()[0]
        assert (row["mood"], row["source"], row["mood_tag"]) == ("tense", "listener", "Tense")
    finally:
        db.close()
