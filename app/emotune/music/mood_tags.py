"""Writing a track's mood into the file's own tag: the one place Emotune changes a music file.

Off by default (setting ``write_mood_tags``), and only ever for a mood the listener chose
(a correction in the library, or ``emotune library set-mood --write-tag``): never for a
guess from the sound. The tag is the standard one each format has for a mood, the same ones
the scan reads first: ID3v2.4 ``TMOO`` (MP3), the Vorbis comment ``MOOD`` (FLAC, Ogg
Vorbis, Opus) and the MP4 freeform ``----:com.apple.iTunes:MOOD`` (M4A), so other players
and taggers see it too. mutagen rewrites only the tag block; the audio stays as it was, and
every other tag is kept. Other formats (WAV, ...) are refused with a message, not guessed at.
"""

from __future__ import annotations

import os
from pathlib import Path

from emotune.emotions import MOODS

#: The words written: the mood's own name, which ``catalog.MOOD_WORDS`` maps back to it.
TAG_WORDS = {mood: mood.capitalize() for mood in MOODS}


class TagWriteError(Exception):
    """The mood could not be written into the file; the message says why. The file is unchanged."""


def write_mood(path: Path, mood: str) -> str:
    """Write ``mood`` into ``path``'s mood tag and return the tag's name."""
    if mood not in MOODS:
        raise ValueError(f"unknown mood {mood!r}; expected one of {', '.join(MOODS)}")
    path = Path(path)
    if not path.is_file():
        raise TagWriteError(f"{path}: no such file")
    if not os.access(path, os.W_OK):
        raise TagWriteError(f"{path}: the file is read-only, so its mood tag was not written")
    import mutagen  # noqa: PLC0415 - only when the listener asked for a tag
    from mutagen.flac import FLAC  # noqa: PLC0415
    from mutagen.id3 import ID3, TMOO, ID3NoHeaderError  # noqa: PLC0415
    from mutagen.mp3 import MP3  # noqa: PLC0415
    from mutagen.mp4 import MP4, MP4FreeForm  # noqa: PLC0415
    from mutagen.oggopus import OggOpus  # noqa: PLC0415
    from mutagen.oggvorbis import OggVorbis  # noqa: PLC0415

    word = TAG_WORDS[mood]
    try:
        audio = mutagen.File(path)
        if isinstance(audio, MP3):
            try:
                tags = ID3(path)
            except ID3NoHeaderError:
                tags = ID3()
            tags.setall("TMOO", [TMOO(encoding=3, text=[word])])
            tags.save(path, v2_version=4)
            return "TMOO"
        if isinstance(audio, (FLAC, OggVorbis, OggOpus)):
            if audio.tags is None:
                audio.add_tags()
            for key in [k for k in audio.tags.keys() if k.lower() == "mood"]:
                del audio.tags[key]
            audio.tags["MOOD"] = word
            audio.save()
            return "MOOD"
        if isinstance(audio, MP4):
            if audio.tags is None:
                audio.add_tags()
            for key in [k for k in audio.tags.keys() if k.lower() == "----:com.apple.itunes:mood"]:
                del audio.tags[key]
            audio.tags["----:com.apple.iTunes:MOOD"] = [MP4FreeForm(word.encode("utf-8"))]
            audio.save()
            return "----:com.apple.iTunes:MOOD"
    except TagWriteError:
        raise
    except Exception as exc:  # mutagen's per-format errors, a file that changed under us, a full disk
        raise TagWriteError(f"{path}: the mood tag could not be written ({exc.__class__.__name__}: {exc})") from exc
    kind = type(audio).__name__ if audio is not None else "an unknown format"
    raise TagWriteError(f"{path}: {kind} files have no mood tag Emotune writes (MP3, FLAC, Ogg, Opus and M4A do)")
