"""Training and evaluating the emotion weights that ship with the app."""
