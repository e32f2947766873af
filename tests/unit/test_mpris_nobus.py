"""Without a session bus (a plain console, CI), MPRIS says why it is off and never breaks
starting or stopping the app."""

from emotune import mpris
from emotune.config import Settings
from emotune.session import Session


def test_no_session_bus_is_reported_and_stop_is_safe(monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/emotune-test-bus")
    session = Session(Settings(), None, lambda event: None)
    try:
        service = mpris.MprisService(session.controller, lambda: None, lambda: None)
        problem = service.start(timeout=10)
        assert problem and "media keys and desktop controls are off" in problem
        assert not service.name_owned
        service.changed()
        service.stop()
        service.stop()  # twice is fine
        assert mpris.owner_running() is False and mpris.raise_running() is False
    finally:
        session.stop()
