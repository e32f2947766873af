"""Scanning mood folders and .m3u files; never modifying them."""

import os
import shutil

from emotune.music.library import Library, read_m3u, scan


def snapshot(folder):
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def make_music(tmp_path, shared):
    music = tmp_path / "music"
    (music / "b-sub").mkdir(parents=True)
    shutil.copy(shared / "music" / "raylib-target_emegeme.ogg", music / "A-jingle.ogg")
    shutil.copy(shared / "music" / "raylib-target_emegeme.flac", music / "b-sub" / "c.flac")
    shutil.copy(shared / "music" / "raylib-country_emegeme.mp3", music / "b.mp3")
    (music / "notes.txt").write_text("not music")
    return music


def test_recursive_stable_order_with_tags_and_fallback(tmp_path, shared):
    music = make_music(tmp_path, shared)
    before = snapshot(music)
    playlist = scan("happy", [music])
    names = [t.path.name for t in playlist.tracks]
    assert names == ["A-jingle.ogg", "b.mp3", "c.flac"]  # files, then sub-folders, case-insensitive
    assert all(t.duration and t.duration > 1 for t in playlist.tracks)
    assert playlist.tracks[0].title == "A-jingle"  # no title tag: the file name
    assert scan("happy", [music]).tracks == playlist.tracks
    assert snapshot(music) == before  # nothing in the user's folder changed


def test_m3u_order_relative_paths_and_missing_entries(tmp_path, shared):
    music = make_music(tmp_path, shared)
    m3u = music / "list.m3u8"
    m3u.write_text("#EXTM3U\n#EXTINF:2,Jingle\nb-sub/c.flac\nA-jingle.ogg\ngone.ogg\n", encoding="utf-8")
    problems = []
    assert [p.name for p in read_m3u(m3u, problems)] == ["c.flac", "A-jingle.ogg"]
    assert len(problems) == 1 and "gone.ogg" in problems[0] and "missing" in problems[0]
    playlist = scan("calm", [m3u])
    assert [t.path.name for t in playlist.tracks] == ["c.flac", "A-jingle.ogg"]
    assert any("gone.ogg" in p for p in playlist.problems)


def test_empty_and_missing_folders_are_reported(tmp_path):
    (tmp_path / "empty").mkdir()
    assert scan("sad", [tmp_path / "empty"]).problems == ["no playable files (.flac, .mp3, .oga, .ogg, .opus, .wav)"]
    assert "no such folder" in scan("sad", [tmp_path / "nowhere"]).problems[0]


def test_shuffle_is_seeded_and_keeps_every_track(tmp_path, shared):
    music = make_music(tmp_path, shared)
    a, b = scan("x", [music], shuffle=True, seed=3), scan("x", [music], shuffle=True, seed=3)
    assert a.tracks == b.tracks and sorted(t.path for t in a.tracks) == sorted(t.path for t in scan("x", [music]).tracks)


def test_library_rescans_when_a_folder_changes(tmp_path, shared):
    music = make_music(tmp_path, shared)
    library = Library({"happy": [music]})
    assert len(library.playlist("happy")) == 3
    shutil.copy(shared / "music" / "sorohanro-solo-trumpet-06.ogg", music / "z.ogg")
    os.utime(music, ns=(1, 1))  # make sure the folder's mtime differs even on coarse clocks
    assert len(library.playlist("happy")) == 4


def test_every_bad_m3u_entry_is_named_with_its_reason(tmp_path, shared):
    music = make_music(tmp_path, shared)
    m3u = music / "mixed.m3u"
    m3u.write_text("http://radio.example/stream.mp3\nnotes.txt\nfile://" + str(music / "b.mp3").replace(" ", "%20")
                   + "\nA-jingle.ogg\nnowhere/x.flac\n", encoding="utf-8")
    playlist = scan("happy", [m3u])
    assert [t.path.name for t in playlist.tracks] == ["b.mp3", "A-jingle.ogg"]
    reasons = " | ".join(playlist.problems)
    assert "streams are not supported" in reasons and "radio.example" in reasons
    assert "notes.txt" in reasons and "not a supported audio file" in reasons
    assert "x.flac" in reasons and "missing" in reasons


def test_an_unreadable_playlist_file_is_a_problem_not_a_crash(tmp_path, shared):
    music = make_music(tmp_path, shared)
    bad = music / "locked.m3u8"
    bad.mkdir()  # a folder named like a playlist: reading it fails
    (music / "real.m3u8").write_text("A-jingle.ogg\n")
    playlist = scan("sad", [music / "real.m3u8", music / "missing.m3u8"])
    assert [t.path.name for t in playlist.tracks] == ["A-jingle.ogg"]
    assert any("missing.m3u8" in p for p in playlist.problems)


def test_a_file_name_that_is_not_utf8_plays_through_pygame(tmp_path, shared):
    """An old Latin-1 rip: os.fsdecode keeps its name as surrogates, which SDL used to get mangled."""
    from emotune.music.backends import PygameBackend

    name = os.fsdecode(b"caf\xe9.ogg")
    folder = tmp_path / "latin1"
    folder.mkdir()
    shutil.copy(shared / "music" / "raylib-target_emegeme.ogg", folder / name)
    playlist = scan("happy", [folder])
    assert len(playlist.tracks) == 1 and playlist.tracks[0].duration
    backend = PygameBackend()
    try:
        backend.load(playlist.tracks[0].path, None)
        backend.play()
        assert backend.busy()
    finally:
        backend.close()
