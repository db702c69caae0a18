"""Command line: python3 -m caseload report|export, and the caseload-report and
caseload-export commands an installed package gives (the same code).

Exit codes: 0 done; 2 a bad input or output (no such file, not a caseload
results file, a damaged one, an output that cannot be written), with one
message on stderr; 1 the report could not be written.
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from .results import FormatError
from .results import open as open_results


def _error(message) -> None:
    print(f"caseload: error: {message}", file=sys.stderr)


def _open(path: pathlib.Path):
    """The open results file with every dataset read once (so that damaged data anywhere in it is
    found before anything is written), or None after saying why not."""
    try:
        results = open_results(path)
    except (FormatError, FileNotFoundError) as e:
        _error(e)
        return None
    try:
        results.verify()
    except FormatError as e:
        results.close()
        _error(e)
        return None
    return results


# --------------------------------------------------------------------------- report

REPORT_DESCRIPTION = ("Write a self-contained HTML report (plots embedded, no external files) of a "
                      "run, comparison, sweep, sensitivity screening or staffing plan.")


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=pathlib.Path, help="a caseload results file (.h5)")
    parser.add_argument("-o", "--output", type=pathlib.Path,
                        help="the HTML file to write (default: RESULTS with .html)")


def _report(args) -> int:
    out = args.output or args.results.with_suffix(".html")
    results = _open(args.results)
    if results is None:
        return 2
    import matplotlib
    matplotlib.use("Agg")  # headless, whatever MPLBACKEND says
    from .report import write_report  # imports matplotlib: only once the file is good
    with results:
        try:
            write_report(results, out)
        except FormatError as e:  # damaged data, found on reading them (the report is not written)
            _error(e)
            return 2
        except OSError as e:
            _error(f"cannot write the report {out}: {e.strerror or e}")
            return 1
    print(f"Report in {out}")
    return 0


# --------------------------------------------------------------------------- export

EXPORT_DESCRIPTION = ("Write a results file's tables (statistics, by LDU, and the comparison, sweep, "
                      "sensitivity or staffing plan tables), with units and 95% intervals, as an "
                      "Excel workbook (one sheet each) and/or CSV files (one file each).")


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=pathlib.Path, help="a caseload results file (.h5)")
    parser.add_argument("--xlsx", type=pathlib.Path, metavar="OUT.xlsx",
                        help="the workbook to write (default, if neither --xlsx nor --csv is "
                             "given: RESULTS with .xlsx)")
    parser.add_argument("--csv", type=pathlib.Path, metavar="DIR",
                        help="a folder for one CSV file per table (made if missing)")


def _export(args) -> int:
    from .export import ExportError, tables, write_csv, write_xlsx
    xlsx = args.xlsx
    if xlsx is None and args.csv is None:
        xlsx = args.results.with_suffix(".xlsx")
    results = _open(args.results)
    if results is None:
        return 2
    with results:
        try:
            found = tables(results)
            if xlsx is not None:
                write_xlsx(found, xlsx)
                print(f"{len(found)} sheets in {xlsx}: {', '.join(t.name for t in found)}")
            if args.csv is not None:
                files = write_csv(found, args.csv)
                print(f"{len(files)} CSV files in {args.csv}: {', '.join(p.name for p in files)}")
        except (ExportError, FormatError) as e:  # FormatError: damaged data, found on reading them
            _error(e)
            return 2
    return 0


# --------------------------------------------------------------------------- entry points

COMMANDS = {
    "report": (REPORT_DESCRIPTION, "write a self-contained HTML report", _report_arguments, _report),
    "export": (EXPORT_DESCRIPTION, "write the tables as an Excel workbook or CSV files",
               _export_arguments, _export),
}


def main(argv=None) -> int:
    """python3 -m caseload COMMAND ..."""
    parser = argparse.ArgumentParser(prog="python3 -m caseload",
                                     description="Analyse caseload HDF5 results files.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (description, summary, arguments, _) in COMMANDS.items():
        arguments(commands.add_parser(name, help=summary, description=description))
    args = parser.parse_args(argv)
    return COMMANDS[args.command][3](args)


def _single(name: str, argv) -> int:
    description, _, arguments, run = COMMANDS[name]
    parser = argparse.ArgumentParser(prog=f"caseload-{name}", description=description)
    arguments(parser)
    return run(parser.parse_args(argv))


def report_main(argv=None) -> int:
    """caseload-report RESULTS [-o OUT.html]: as python3 -m caseload report."""
    return _single("report", argv)


def export_main(argv=None) -> int:
    """caseload-export RESULTS [--xlsx OUT.xlsx] [--csv DIR]: as python3 -m caseload export."""
    return _single("export", argv)
