"""``python -m analysis.models.scenarios bench [--file FILE] [--draws N]``: the Monte Carlo
benchmark (:func:`analysis.models.scenarios.uncertainty.bench`)."""

import argparse
import sys
from pathlib import Path

from analysis.models.scenarios.uncertainty import bench, bench_text


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its one-line result."""
    parser = argparse.ArgumentParser(description="Scenario models: benchmark.")
    parser.add_argument("command", choices=["bench"])
    parser.add_argument("--file", type=Path, default=None, help="scenario file")
    parser.add_argument("--draws", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(bench_text(bench(args.file, args.draws)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
