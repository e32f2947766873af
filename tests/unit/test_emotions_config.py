"""The label vocabulary and the settings file."""

import pytest

from emotune import config
from emotune.emotions import DEFAULT_MOOD_MAP, LABELS, MOODS, validate_mood_map


def test_labels_match_deepface_output_order():
    from deepface.models.demography.DemographyUtils import EMOTION_LABELS

    assert tuple(EMOTION_LABELS) == LABELS


def test_every_label_maps_to_a_mood_with_a_demo_folder():
    from emotune.resources import demo_playlists_dir

    assert set(DEFAULT_MOOD_MAP) == set(LABELS)
    for mood in set(DEFAULT_MOOD_MAP.values()) | set(MOODS):
        assert any((demo_playlists_dir() / mood).glob("*.ogg")), mood


def test_mood_map_validation():
    assert validate_mood_map({"happy": "calm"})["happy"] == "calm"
    with pytest.raises(ValueError, match="unknown emotion"):
        validate_mood_map({"joy": "happy"})
    with pytest.raises(ValueError, match="unknown mood"):
        validate_mood_map({"happy": "party"})


def test_settings_round_trip(tmp_path):
    path = tmp_path / "settings.toml"
    settings = config.Settings().with_changes(fade_seconds=4.0, playlists={"happy": ["/music/up"]})
    config.save(settings, path)
    loaded, problem = config.load(path)
    assert problem is None
    assert loaded == settings


def test_broken_settings_file_is_left_alone_and_kept_when_saving(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("fade_seconds = [oops\n")
    loaded, problem = config.load(path)
    assert loaded == config.Settings()
    assert "could not be read" in problem and "left as it is" in problem
    assert path.read_text() == "fade_seconds = [oops\n"  # loading never changes the file
    config.save(loaded.with_changes(fade_seconds=3.0), path)
    aside = list(tmp_path.glob("settings.toml.broken-*"))
    assert len(aside) == 1 and aside[0].read_text() == "fade_seconds = [oops\n"
    assert config.load(path)[0].fade_seconds == 3.0


@pytest.mark.parametrize("line, name", [
    ('playlists = "/home/me/Music"', "playlists"),
    ("playlists = 5", "playlists"),
    ('mood_map = "happy"', "mood_map"),
    ('official_weights = "false"', "official_weights"),
    ('shuffle = "no"', "shuffle"),
    ('default_calibration = "off"', "default_calibration"),
    ("window_seconds = -1", "window_seconds"),
    ("camera = 1.5", "camera"),
    ("volume = true", "volume"),
    ('playlists = { party = ["/x"] }', "playlists"),
    ('playlists = { happy = "/x" }', "playlists"),
])
def test_a_bad_value_costs_only_its_own_key(tmp_path, line, name):
    """Each key is checked by name; every other value in the file is kept."""
    path = tmp_path / "settings.toml"
    good = 'fade_seconds = 4.5\n[mood_map]\nneutral = "happy"\n' if name != "mood_map" else "fade_seconds = 4.5\n"
    text = line + "\n" + good
    if name == "playlists":
        text = 'fade_seconds = 4.5\n' + line + "\n"
    path.write_text(text)
    loaded, problem = config.load(path)
    assert problem and name in problem and "using the default" in problem
    assert loaded.fade_seconds == 4.5
    assert getattr(loaded, name) == getattr(config.Settings(), name)
    assert path.read_text() == text  # untouched


def test_official_weights_as_a_string_is_not_true(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('official_weights = "false"\n')
    assert config.load(path)[0].official_weights is False


def test_unknown_keys_are_reported_kept_and_written_back(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('fade_seconds = 1.0\nfuture_feature = "on"\n[future_table]\nx = 1\n')
    loaded, problem = config.load(path)
    assert "future_feature" in problem and loaded.fade_seconds == 1.0
    config.save(loaded.with_changes(volume=0.5), path)
    again, problem = config.load(path)
    assert again.volume == 0.5 and again.fade_seconds == 1.0
    assert again.extra == {"future_feature": "on", "future_table": {"x": 1}}


def test_saving_into_a_read_only_folder_is_a_clear_error_and_changes_nothing(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "settings.toml").write_text("fade_seconds = 1.0\n")
    folder.chmod(0o500)
    try:
        with pytest.raises(config.SettingsError, match="cannot save"):
            config.save(config.Settings(), folder / "settings.toml")
        assert (folder / "settings.toml").read_text() == "fade_seconds = 1.0\n"
    finally:
        folder.chmod(0o700)


def test_saving_where_the_config_folder_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "emotune").write_text("not a folder")
    with pytest.raises(config.SettingsError, match="cannot save"):
        config.save(config.Settings(), tmp_path / "emotune" / "settings.toml")
    assert (tmp_path / "emotune").read_text() == "not a folder"


def test_a_settings_path_that_is_a_folder_is_reported(tmp_path):
    loaded, problem = config.load(tmp_path)
    assert loaded == config.Settings() and "is a folder" in problem


def test_invalid_values_are_refused_and_never_saved(tmp_path):
    path = tmp_path / "settings.toml"
    with pytest.raises(config.SettingsError, match="fade_seconds"):
        config.save(config.Settings(fade_seconds=99), path)
    assert not path.exists()
    with pytest.raises(config.SettingsError, match="mood_map"):
        config.Settings().with_changes(mood_map={"happy": "nope"})
