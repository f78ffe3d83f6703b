"""Replay of an SMA archive directory with pywb, which runs from its own virtualenv (`.venv-pywb`).

Nothing here imports pywb: pywb's pins clash with Scrapy's, so it is only ever started as a
subprocess. See `replay.pywb_runner`.
"""
