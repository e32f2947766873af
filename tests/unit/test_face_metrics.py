"""Face-set scoring by hand: images where the detector found no face count as wrong answers."""

import cv2
import numpy as np

from emotune.emotions import LABELS
from emotune.training.dataset import label_indices, load_faces
from emotune.training.metrics import format_report, score

ANGRY, HAPPY, NEUTRAL = LABELS.index("angry"), LABELS.index("happy"), LABELS.index("neutral")


def test_a_missed_face_is_a_wrong_answer_of_its_label():
    # found: angry->angry (right), angry->disgust (wrong), happy->happy (right);
    # missed: one angry, one neutral.
    s = score(np.array([ANGRY, ANGRY, HAPPY]), np.array([ANGRY, 1, HAPPY]),
              missed=[("a.jpg", ANGRY), ("b.jpg", NEUTRAL)])
    assert s.n == 5
    assert s.accuracy == 2 / 5
    assert s.accuracy_found == 2 / 3
    assert s.per_label["angry"] == 1 / 3 and s.per_label["happy"] == 1.0 and s.per_label["neutral"] == 0.0
    assert s.counts["angry"] == 3 and s.counts["neutral"] == 1
    assert s.no_face == {label: (1 if label in ("angry", "neutral") else 0) for label in LABELS}
    assert sum(map(sum, s.confusion)) == 3  # the matrix holds found faces only
    report = format_report(s)
    assert "counting the 2 where the detector found no face as wrong" in report
    assert "no face found in: a.jpg, b.jpg" in report
    assert s.as_dict()["missed"] == ["a.jpg", "b.jpg"]


def test_without_misses_the_report_and_json_are_as_before():
    s = score(np.array([HAPPY, NEUTRAL]), np.array([HAPPY, HAPPY]))
    assert s.accuracy == 0.5 and s.missed == [] and "missed" not in s.as_dict()
    assert "accuracy 50.0% on 2 faces" in format_report(s)


def test_indices_pick_images_before_the_crop_so_misses_cannot_shift_a_split(tmp_path):
    for label in ("happy", "neutral"):
        (tmp_path / label).mkdir()
        for i in range(3):
            cv2.imwrite(str(tmp_path / label / f"{i}.png"), np.full((60, 60, 3), 40 * i + 10, np.uint8))
    labels = label_indices(tmp_path)
    assert labels.tolist() == [HAPPY] * 3 + [NEUTRAL] * 3
    dark = lambda image: None if image.mean() < 30 else image  # noqa: E731 - "no face" in the darkest images
    faces = load_faces(tmp_path, crop=dark, indices=np.array([0, 1, 4]))
    assert [name.rsplit("/", 2)[-2:] for name in faces.names] == [["happy", "1.png"], ["neutral", "1.png"]]
    assert faces.y.tolist() == [HAPPY, NEUTRAL] and faces.x.shape == (2, 48, 48)
    assert faces.missed == [(str(tmp_path / "happy" / "0.png"), HAPPY)]
