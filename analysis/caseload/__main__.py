"""Command line: python3 -m caseload report OUT.h5 [-o report.html]."""

from __future__ import annotations

import argparse
import pathlib
import sys

from .results import FormatError
from .results import open as open_results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m caseload",
                                     description="Analyse caseload HDF5 results files.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="write a self-contained HTML report",
                                 description="Write a self-contained HTML report (plots embedded, "
                                             "no external files) of a run, comparison, sweep or "
                                             "sensitivity screening.")
    report.add_argument("results", type=pathlib.Path, help="a caseload results file (.h5)")
    report.add_argument("-o", "--output", type=pathlib.Path,
                        help="the HTML file to write (default: RESULTS with .html)")
    args = parser.parse_args(argv)

    if args.command == "report":
        out = args.output or args.results.with_suffix(".html")
        try:
            results = open_results(args.results)
        except (FormatError, FileNotFoundError) as e:
            print(f"caseload: error: {e}", file=sys.stderr)
            return 2
        import matplotlib
        matplotlib.use("Agg")  # headless, whatever MPLBACKEND says
        from .report import write_report  # imports matplotlib: only once the file is good
        with results:
            try:
                write_report(results, out)
            except OSError as e:
                print(f"caseload: error: cannot write the report {out}: {e.strerror or e}",
                      file=sys.stderr)
                return 1
        print(f"Report in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
