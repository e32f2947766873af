"""Frames in, emotion readings out: sources, DeepFace analysis and its weights."""
