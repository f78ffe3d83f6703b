"""`python -m demo_platform --port 8700 --seed 1` (convenience; `sma platform serve` is the real CLI)."""

from __future__ import annotations

import argparse
import sys

from demo_platform.server import main


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo_platform", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same content")
    args = parser.parse_args(argv)
    return main(args.host, args.port, args.seed)


if __name__ == "__main__":
    sys.exit(cli())
