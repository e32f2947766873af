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


def test_broken_settings_file_is_moved_aside_not_deleted(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("fade_seconds = [oops\n")
    loaded, problem = config.load(path)
    assert loaded == config.Settings()
    assert "moved it to" in problem
    aside = list(tmp_path.glob("settings.toml.broken-*"))
    assert len(aside) == 1 and aside[0].read_text() == "fade_seconds = [oops\n"


def test_invalid_value_in_file_is_set_aside_too(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("window_seconds = -1\n")
    loaded, problem = config.load(path)
    assert loaded.window_seconds == 3.0 and "smoothing window" in problem


def test_invalid_values_are_refused_and_never_saved(tmp_path):
    path = tmp_path / "settings.toml"
    with pytest.raises(config.SettingsError, match="fade length"):
        config.save(config.Settings(fade_seconds=99), path)
    assert not path.exists()
    with pytest.raises(config.SettingsError, match="map"):
        config.Settings().with_changes(mood_map={"happy": "nope"})
