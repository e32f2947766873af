"""Emotune: plays music that matches the listener's facial expression."""

__version__ = "0.1.0"
