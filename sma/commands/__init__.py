"""Subcommand modules of the `sma` CLI, one per area.

Each module here has `register(subparsers)`; sma/cli.py finds them by listing this package.
"""
