"""The library view in the real window: scan a folder of real tracks from the dialog, search,
move a track to a mood, exclude one, play one through the real player."""

import shutil

from mutagen.oggvorbis import OggVorbis

from emotune.music.catalog import Catalog


def test_scan_search_move_exclude_and_play(make_window, qtbot, shared, tmp_path):
    music = tmp_path / "Music"
    music.mkdir()
    for name in ("kevin-macleod-vibe-ace.ogg", "sorohanro-solo-trumpet-06.ogg", "kevin-macleod-sugar-plum-fairy.ogg"):
        shutil.copy(shared / "music" / name, music / name)
    tagged = OggVorbis(music / "kevin-macleod-vibe-ace.ogg")
    tagged["mood"] = "Melancholic"
    tagged["title"] = "Vibe Ace"
    tagged.save()
    db_path = tmp_path / "library.sqlite3"
    window = make_window(library_path=db_path)
    dialog = window.open_library()
    dialog.folders.setText(str(music))
    dialog.start_scan()
    assert not dialog.scan_button.isEnabled() and dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Scan finished"), timeout=60000)
    assert "3 added" in dialog.message.text() and dialog.table.rowCount() == 3
    assert dialog.progress.isHidden() and dialog.scan_button.isEnabled()

    dialog.search.setText("vibe")
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (0, 3, 4)] == ["Vibe Ace", "sad", "tag"]

    dialog.search.setText("trumpet")
    dialog.select_row(0)
    dialog.move_to.setCurrentText("tense")
    dialog.move_selected()
    assert dialog.table.item(0, 3).text() == "tense" and dialog.table.item(0, 4).text() == "you"
    dialog.play_selected()  # through the real controller and player: the tense playlist
    qtbot.waitUntil(lambda: window.session.controller.player.track is not None
                    and window.session.controller.player.track.path.name == "sorohanro-solo-trumpet-06.ogg",
                    timeout=10000)
    assert window.session.controller.pinned == "tense"

    dialog.search.setText("fairy")
    dialog.select_row(0)
    dialog.exclude_selected()
    assert dialog.table.rowCount() == 0  # excluded tracks leave the view and the playlists
    db = Catalog(db_path)
    try:
        assert not any("fairy" in r["path"] for r in db.tracks())
        assert [r["source"] for r in db.tracks(mood="tense")] == ["listener"]
    finally:
        db.close()
    dialog.reject()


def test_a_scan_of_a_missing_folder_says_so_in_the_dialog(make_window, qtbot, tmp_path):
    window = make_window(library_path=tmp_path / "library.sqlite3")
    dialog = window.open_library()
    dialog.folders.setText(str(tmp_path / "nowhere"))
    dialog.start_scan()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Scan failed"), timeout=10000)
    assert "not a folder" in dialog.message.text() and dialog.scan_button.isEnabled()
    dialog.reject()


def test_with_the_opt_in_a_move_also_writes_the_files_mood_tag(make_window, qtbot, shared, tmp_path):
    from emotune.config import Settings
    from emotune.music.catalog import mood_from_tag, read_tags

    music = tmp_path / "Music"
    music.mkdir()
    shutil.copy(shared / "music" / "sorohanro-solo-trumpet-06.ogg", music / "trumpet.ogg")
    window = make_window(settings=Settings(fade_seconds=0.2, write_mood_tags=True),
                         library_path=tmp_path / "library.sqlite3")
    settings_dialog = window.open_settings()  # the opt-in shows what it does to the files
    assert settings_dialog.write_mood_tags.isChecked() and settings_dialog.write_mood_tags_warning.isVisible()
    settings_dialog.write_mood_tags.setChecked(False)
    assert not settings_dialog.write_mood_tags_warning.isVisible()
    settings_dialog.reject()
    dialog = window.open_library()
    dialog.folders.setText(str(music))
    dialog.start_scan()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Scan finished"), timeout=60000)
    dialog.select_row(0)
    dialog.move_to.setCurrentText("happy")
    dialog.move_selected()
    assert "written to its MOOD tag" in dialog.message.text()
    assert mood_from_tag(read_tags(music / "trumpet.ogg").mood_tag) == "happy"
    dialog.reject()
