"""Shipped weights are copied into DeepFace's home with checksums; damage gives advice."""

import hashlib

import pytest

from emotune.vision import model_store


def make_models(folder, content=b"weights" * 500):
    folder.mkdir()
    (folder / "facial_expression_model_weights.onnx").write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  facial_expression_model_weights.onnx\n")
    return folder


def test_copies_verified_weights_into_deepface_home(tmp_path, monkeypatch):
    monkeypatch.delenv("DEEPFACE_HOME", raising=False)
    models = make_models(tmp_path / "models")
    target = model_store.prepare("onnx", home=tmp_path / "home", models=models)
    assert target == tmp_path / "home" / ".deepface" / "weights" / "facial_expression_model_weights.onnx"
    assert target.read_bytes() == (models / target.name).read_bytes()
    import os

    assert os.environ["DEEPFACE_HOME"] == str(tmp_path / "home")


def test_damaged_copy_in_home_is_replaced(tmp_path):
    models = make_models(tmp_path / "models")
    target = model_store.prepare("onnx", home=tmp_path / "home", models=models)
    target.write_bytes(b"half a file")
    model_store.prepare("onnx", home=tmp_path / "home", models=models)
    assert target.read_bytes() == (models / target.name).read_bytes()


def test_damaged_shipped_weights_say_what_to_do(tmp_path):
    models = make_models(tmp_path / "models")
    (models / "facial_expression_model_weights.onnx").write_bytes(b"bit rot")
    with pytest.raises(model_store.WeightsError, match="damaged.*reinstall"):
        model_store.prepare("onnx", home=tmp_path / "home", models=models)


def test_missing_weights_say_what_to_do(tmp_path):
    models = make_models(tmp_path / "models")
    (models / "facial_expression_model_weights.onnx").unlink()
    with pytest.raises(model_store.WeightsError, match="missing.*emotune train"):
        model_store.prepare("onnx", home=tmp_path / "home", models=models)
    models = make_models(tmp_path / "models2")
    (models / "SHA256SUMS").unlink()
    with pytest.raises(model_store.WeightsError, match="missing"):
        model_store.prepare("onnx", home=tmp_path / "home", models=models)


def test_the_shipped_weights_match_their_checksums():
    from emotune.resources import assets_dir

    models = assets_dir() / "models"
    sums = model_store.shipped_checksums(models)
    assert set(sums) == set(model_store.WEIGHT_FILES.values())
    for name, digest in sums.items():
        assert model_store.sha256(models / name) == digest


def test_a_verified_copy_is_enough_when_the_shipped_file_is_gone(tmp_path):
    models = make_models(tmp_path / "models")
    target = model_store.prepare("onnx", home=tmp_path / "home", models=models)
    (models / target.name).unlink()
    assert model_store.prepare("onnx", home=tmp_path / "home", models=models) == target


def test_garbage_in_the_checksum_file_is_a_clear_error(tmp_path):
    models = make_models(tmp_path / "models")
    (models / "SHA256SUMS").write_text("hello world\nnot a checksum\n")
    with pytest.raises(model_store.WeightsError, match="SHA256SUMS is damaged.*reinstall"):
        model_store.prepare("onnx", home=tmp_path / "home", models=models)
    (models / "SHA256SUMS").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(model_store.WeightsError, match="reinstall"):
        model_store.prepare("onnx", home=tmp_path / "home", models=models)


def test_a_data_folder_that_is_a_file_is_a_clear_error(tmp_path):
    models = make_models(tmp_path / "models")
    (tmp_path / "home").write_text("oops")
    with pytest.raises(model_store.WeightsError, match="cannot create Emotune's data folder"):
        model_store.prepare("onnx", home=tmp_path / "home", models=models)
    assert (tmp_path / "home").read_text() == "oops"


def test_two_first_starts_at_once_both_get_the_weights(tmp_path):
    """Each start copies into a file of its own before the rename; they used to share one
    ``.part`` file and one of them died with [Errno 2]."""
    import multiprocessing

    models = make_models(tmp_path / "models", content=b"w" * 20_000_000)
    home = tmp_path / "home"
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        results = pool.starmap(_prepare_in_child, [(str(home), str(models))] * 8)
    assert all(r == "ok" for r in results), results
    target = home / ".deepface" / "weights" / "facial_expression_model_weights.onnx"
    assert target.read_bytes() == b"w" * 20_000_000
    assert not list(target.parent.glob("*.part"))


def _prepare_in_child(home: str, models: str) -> str:
    from pathlib import Path

    try:
        model_store.prepare("onnx", home=Path(home), models=Path(models))
        return "ok"
    except Exception as exc:  # reported to the parent, which asserts on it
        return repr(exc)
