"""Subcommand modules of the `sma` CLI, one per area (see COMMAND_MODULES in sma/cli.py)."""
