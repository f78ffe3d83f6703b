"""SMA demo platform: a local, deterministic stand-in for real social media platforms.

Stdlib only, so it runs in any venv and never pulls heavy packages into the crawler or replay.
Entry points: `demo_platform.server.make_server` / `main`, or `python -m demo_platform`.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "1.0"
