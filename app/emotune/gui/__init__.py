"""The Qt window: a thin layer over :class:`emotune.session.Session`."""
