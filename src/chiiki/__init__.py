"""Chiiki (地域): digital systems for Japanese prefectures and municipalities."""

__version__ = "0.1.0"
