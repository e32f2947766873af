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
    with pytest.raises(model_store.WeightsError, match="missing.*emotune train"):
        model_store.prepare("tensorflow", home=tmp_path / "home", models=models)
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
