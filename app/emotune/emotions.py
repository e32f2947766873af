"""The vocabulary shared by every layer: DeepFace's 7 labels and the moods they map to.

DeepFace's label order is fixed by its Emotion network's output layer, so the order here
must match ``deepface.models.demography.DemographyUtils.EMOTION_LABELS``; a test checks it.
"""

from __future__ import annotations

from typing import Mapping

#: DeepFace's emotion labels, in the order of its network's outputs.
LABELS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")

#: The moods a playlist can stand for; each has a folder ``playlists/<mood>/``.
MOODS: tuple[str, ...] = ("happy", "calm", "sad", "energetic", "tense")

#: Which mood's playlist plays for each expression. Kept in one place so the settings
#: only store what a user changed. Why these: a smile gets upbeat music; a neutral face
#: gets calm music rather than silence; anger and disgust get energetic music to match
#: (not to argue with) the arousal; fear gets tense music; surprise is high-arousal
#: and mostly positive, so energetic as well.
DEFAULT_MOOD_MAP: Mapping[str, str] = {
    "angry": "energetic",
    "disgust": "energetic",
    "fear": "tense",
    "happy": "happy",
    "sad": "sad",
    "surprise": "energetic",
    "neutral": "calm",
}


def validate_mood_map(mapping: Mapping[str, str], moods: tuple[str, ...] = MOODS) -> dict[str, str]:
    """Return a complete label→mood map, or raise ValueError naming the first problem.

    A partial map is completed from the default so that an old settings file keeps working
    when a label is added; an unknown label or mood is an error because it is a typo.
    """
    result = dict(DEFAULT_MOOD_MAP)
    for label, mood in mapping.items():
        if label not in LABELS:
            raise ValueError(f"unknown emotion {label!r}; expected one of {', '.join(LABELS)}")
        if mood not in moods:
            raise ValueError(f"unknown mood {mood!r} for {label!r}; expected one of {', '.join(moods)}")
        result[label] = mood
    return result
