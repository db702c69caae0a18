"""caseload: read the probation workload simulator's HDF5 results into pandas.

    import caseload
    out = caseload.open("out.h5")          # checks format and schema version
    out.officer_snapshots                  # tidy DataFrames (see caseload.results.Run)
    caseload.plots.lorenz(out)             # matplotlib Figures
    caseload.report.write_report(out, "report.html")
    caseload.export.write_xlsx(caseload.export.tables(out), "tables.xlsx")

Command line: python3 -m caseload report OUT.h5 -o report.html
              python3 -m caseload export OUT.h5 --xlsx OUT.xlsx --csv DIR
"""

try:  # HDF5's filter plugins for h5py from pip (LZ4: the engine's default codec); Debian's
    import hdf5plugin  # noqa: F401  (hdf5-filter-plugin) needs nothing
except ImportError:
    pass

from .results import (KNOWN_MINOR, SUPPORTED_MAJOR, Comparison, FormatError, Results, Run,
                      RunResults, Sensitivity, Staffing, Sweep, open)

__all__ = ["open", "FormatError", "Results", "Run", "RunResults", "Comparison", "Sweep",
           "Sensitivity", "Staffing", "SUPPORTED_MAJOR", "KNOWN_MINOR", "plots", "report", "export"]
__version__ = "0.1.0"


def __getattr__(name):
    # The plotting and report modules import matplotlib: load them (and the export) only when asked for.
    if name in ("plots", "report", "staffing_plots", "export"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'caseload' has no attribute {name!r}")
