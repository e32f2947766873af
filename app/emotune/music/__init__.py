"""Mood playlists from local folders, and the player that loops them."""
