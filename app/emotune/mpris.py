"""MPRIS2 on the session bus: media keys, the desktop's media widget, playerctl.

``org.mpris.MediaPlayer2.emotune`` at ``/org/mpris/MediaPlayer2`` with the root and Player
interfaces. GNOME and KDE route the media keys to MPRIS players, so they work with no more
code. Qt-free: dbus-fast (pure Python with optional compiled speed-ups, typed ``a{sv}``
variants, well kept) runs on its own thread with its own asyncio loop; methods call the
thread-safe ``MusicController``; the window's Raise and Quit are callables the GUI hands in
(they hop to the Qt thread there).

Property changes are found by comparing a snapshot four times a second (and at once after
a method of ours), then sent as one ``PropertiesChanged``: the player and the controller need
no knowledge of D-Bus, and nothing is called back while one of their locks is held.

Also the single-instance check: ``owner_running()`` asks the bus whether another Emotune
owns the name, and ``raise_running()`` asks it to come forward.
"""

# No ``from __future__ import annotations`` here: dbus-fast reads the D-Bus signatures from
# the annotations ("s", "x", "a{sv}"), which that import would turn into quoted source text.
import asyncio
import logging
import threading
from pathlib import Path
from typing import Any, Callable

from dbus_fast import BusType, Message, MessageType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.constants import NameFlag, RequestNameReply
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

from emotune.music.controller import MusicController
from emotune.music.player import PAUSED, PLAYING

log = logging.getLogger(__name__)

BUS_NAME = "org.mpris.MediaPlayer2.emotune"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
POLL_SECONDS = 0.25


def _track_id(index: int, mood: str | None) -> str:
    return f"/org/emotune/track/{mood or 'none'}/{index}"


def snapshot(controller: MusicController) -> dict[str, Any]:
    """What MPRIS shows, as plain values (also what the tests compare)."""
    player = controller.player
    track = player.track
    status = {PLAYING: "Playing", PAUSED: "Paused"}.get(player.state, "Stopped")
    metadata: dict[str, Variant] = {"mpris:trackid": Variant("o", NO_TRACK)}
    if track is not None:
        metadata = {
            "mpris:trackid": Variant("o", _track_id(player.index, player.playlist.mood)),
            "xesam:title": Variant("s", track.title),
            "xesam:artist": Variant("as", [track.artist] if track.artist else []),
            "xesam:album": Variant("s", f"Emotune · {player.playlist.mood or ''} playlist"),
            "xesam:url": Variant("s", Path(track.path).resolve().as_uri()),
        }
        if track.duration:
            metadata["mpris:length"] = Variant("x", int(track.duration * 1_000_000))
    has_tracks = bool(player.playlist.tracks)
    return {
        "PlaybackStatus": status,
        "Metadata": metadata,
        "Volume": round(player.volume, 4),
        "CanGoNext": has_tracks,
        "CanGoPrevious": has_tracks,
        "CanPlay": has_tracks,
        "CanPause": has_tracks,
        "CanSeek": track is not None and bool(track.duration),
    }


class _Root(ServiceInterface):
    def __init__(self, raise_window: Callable[[], None], quit_app: Callable[[], None]) -> None:
        super().__init__("org.mpris.MediaPlayer2")
        self._raise, self._quit = raise_window, quit_app

    @method()
    def Raise(self) -> None:  # noqa: N802 - the D-Bus names
        self._raise()

    @method()
    def Quit(self) -> None:  # noqa: N802
        self._quit()

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> "b":  # noqa: N802, F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> "b":  # noqa: N802, F821
        return True

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> "b":  # noqa: N802, F821
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> "s":  # noqa: N802, F821
        return "Emotune"

    @dbus_property(access=PropertyAccess.READ)
    def DesktopEntry(self) -> "s":  # noqa: N802, F821
        return "emotune"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> "as":  # noqa: N802, F821
        return []

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> "as":  # noqa: N802, F821
        return []


class _Player(ServiceInterface):
    def __init__(self, service: "MprisService") -> None:
        super().__init__("org.mpris.MediaPlayer2.Player")
        self._service = service
        self._c = service.controller

    # -- methods -----------------------------------------------------------------------------
    @method()
    def Next(self) -> None:  # noqa: N802
        self._c.next()
        self._service.changed()

    @method()
    def Previous(self) -> None:  # noqa: N802
        self._c.previous()
        self._service.changed()

    @method()
    def Pause(self) -> None:  # noqa: N802
        if self._c.player.state == PLAYING:
            self._c.pause()
        self._service.changed()

    @method()
    def Play(self) -> None:  # noqa: N802
        if self._c.player.state != PLAYING:
            self._c.resume()
        self._service.changed()

    @method()
    def PlayPause(self) -> None:  # noqa: N802
        self._c.toggle()
        self._service.changed()

    @method()
    def Stop(self) -> None:  # noqa: N802
        # A listener's stop: paused at the start of the song (their pause holds, as in the window)
        self._c.pause()
        self._c.player.seek(0.0)
        self._service.changed()

    @method()
    def Seek(self, offset: "x") -> None:  # noqa: N802, F821
        player = self._c.player
        track = player.track
        target = player.position + offset / 1_000_000
        if track is not None and track.duration and target >= track.duration:
            self._c.next()  # the spec: seeking past the end acts like Next
        else:
            player.seek(max(0.0, target))
            self.Seeked(int(player.position * 1_000_000))
        self._service.changed()

    @method()
    def SetPosition(self, track_id: "o", position: "x") -> None:  # noqa: N802, F821
        player = self._c.player
        track = player.track
        if track is None or track_id != _track_id(player.index, player.playlist.mood):
            return  # the spec: a stale track id is ignored
        if position < 0 or (track.duration and position > track.duration * 1_000_000):
            return
        player.seek(position / 1_000_000)
        self.Seeked(int(player.position * 1_000_000))
        self._service.changed()

    @method()
    def OpenUri(self, uri: "s") -> None:  # noqa: N802, F821
        log.info("MPRIS OpenUri %s ignored: Emotune plays its mood playlists", uri)

    @signal()
    def Seeked(self, position: "x") -> "x":  # noqa: N802, F821
        return position

    # -- properties ----------------------------------------------------------------------------
    def _now(self, key: str) -> Any:
        return snapshot(self._c)[key]

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> "s":  # noqa: N802, F821
        return self._now("PlaybackStatus")

    @dbus_property()
    def LoopStatus(self) -> "s":  # noqa: N802, F821
        return "Playlist"  # a mood's playlist loops

    @LoopStatus.setter
    def LoopStatus(self, value: "s") -> None:  # noqa: N802, F821
        log.info("MPRIS LoopStatus %s ignored: playlists always loop", value)

    @dbus_property()
    def Rate(self) -> "d":  # noqa: N802, F821
        return 1.0

    @Rate.setter
    def Rate(self, value: "d") -> None:  # noqa: N802, F821
        pass  # one rate only (MinimumRate = MaximumRate = 1)

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> "d":  # noqa: N802, F821
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> "d":  # noqa: N802, F821
        return 1.0

    @dbus_property()
    def Shuffle(self) -> "b":  # noqa: N802, F821
        return self._c.library.shuffle

    @Shuffle.setter
    def Shuffle(self, value: "b") -> None:  # noqa: N802, F821
        pass  # shuffle is a setting (Settings), not a live toggle

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> "a{sv}":  # noqa: N802, F821
        return self._now("Metadata")

    @dbus_property()
    def Volume(self) -> "d":  # noqa: N802, F821
        return self._c.player.volume

    @Volume.setter
    def Volume(self, value: "d") -> None:  # noqa: N802, F821
        self._c.player.set_volume(min(1.0, max(0.0, value)))
        self._service.changed()

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> "x":  # noqa: N802, F821
        return int(self._c.player.position * 1_000_000)

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> "b":  # noqa: N802, F821
        return self._now("CanGoNext")

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> "b":  # noqa: N802, F821
        return self._now("CanGoPrevious")

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> "b":  # noqa: N802, F821
        return self._now("CanPlay")

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> "b":  # noqa: N802, F821
        return self._now("CanPause")

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> "b":  # noqa: N802, F821
        return self._now("CanSeek")

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> "b":  # noqa: N802, F821
        return True


class MprisService:
    """Owns the bus name and serves the two interfaces until ``stop``."""

    def __init__(self, controller: MusicController, raise_window: Callable[[], None],
                 quit_app: Callable[[], None]) -> None:
        self.controller = controller
        self._raise, self._quit = raise_window, quit_app
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._poke: asyncio.Event | None = None
        self.problem: str | None = None
        self.name_owned = False

    def start(self, timeout: float = 5.0) -> str | None:
        """Connect and take the name; returns why not (no session bus, say), or None."""
        self._thread = threading.Thread(target=self._run, name="mpris", daemon=True)
        self._thread.start()
        self._ready.wait(timeout)
        if not self._ready.is_set():
            self.problem = "the session bus did not answer"
        return self.problem

    def changed(self) -> None:
        """Something changed now (our own method): compare without waiting for the poll."""
        if self._loop is not None and self._poke is not None:
            try:
                self._loop.call_soon_threadsafe(self._poke.set)
            except RuntimeError:  # stopped
                pass

    def stop(self) -> None:
        """Release the name and end the thread; safe when it never started or already failed."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        if self._loop is not None and self._stop_event is not None:
            try:
                self._loop.call_soon_threadsafe(self._stop_event.set)
            except RuntimeError:  # the loop closed meanwhile: nothing left to stop
                pass
        thread.join(5)

    _stop_event: asyncio.Event | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception as exc:  # no bus, refused name, …: media keys off, the app goes on
            self.problem = f"media keys and desktop controls are off: {exc}"
            log.info(self.problem)
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._poke, self._stop_event = asyncio.Event(), asyncio.Event()
        bus = await MessageBus(bus_type=BusType.SESSION).connect()
        try:
            player = _Player(self)
            bus.export(OBJECT_PATH, _Root(self._raise, self._quit))
            bus.export(OBJECT_PATH, player)
            reply = await bus.request_name(BUS_NAME, NameFlag.DO_NOT_QUEUE)
            if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
                raise RuntimeError(f"{BUS_NAME} is owned by another program")
            self.name_owned = True
            self._ready.set()
            last = self._plain(snapshot(self.controller))
            last_position = self.controller.player.position
            while not self._stop_event.is_set():
                try:
                    await asyncio.wait_for(self._poke.wait(), POLL_SECONDS)
                except asyncio.TimeoutError:
                    pass
                self._poke.clear()
                now = snapshot(self.controller)
                plain = self._plain(now)
                changed = {k: now[k] for k in now if plain[k] != last[k]}
                if changed:
                    player.emit_properties_changed(changed)
                # a jump in position the poll did not cause (the window's seek slider)
                position = self.controller.player.position
                expected = last_position + (POLL_SECONDS if now["PlaybackStatus"] == "Playing" else 0)
                if "Metadata" not in changed and abs(position - expected) > 1.5:
                    player.Seeked(int(position * 1_000_000))
                last, last_position = plain, position
        finally:
            bus.disconnect()

    @staticmethod
    def _plain(snap: dict[str, Any]) -> dict[str, Any]:
        return {k: ({m: v.value for m, v in val.items()} if k == "Metadata" else val) for k, val in snap.items()}


async def _call(member: str, interface: str = "org.freedesktop.DBus", destination: str = "org.freedesktop.DBus",
                path: str = "/org/freedesktop/DBus", signature: str = "", body: list | None = None) -> Any:
    bus = await MessageBus(bus_type=BusType.SESSION).connect()
    try:
        reply = await bus.call(Message(destination=destination, path=path, interface=interface, member=member,
                                       signature=signature, body=body or []))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(reply.body[0] if reply.body else reply.error_name)
        return reply.body
    finally:
        bus.disconnect()


def owner_running() -> bool:
    """True if another Emotune owns the MPRIS name on this session bus (False without a bus)."""
    try:
        return bool(asyncio.run(_call("NameHasOwner", signature="s", body=[BUS_NAME]))[0])
    except Exception:
        return False


def raise_running() -> bool:
    """Ask the running Emotune to show its window; True if it answered."""
    try:
        asyncio.run(_call("Raise", "org.mpris.MediaPlayer2", BUS_NAME, OBJECT_PATH))
        return True
    except Exception:
        return False
