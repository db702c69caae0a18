"""Reading and writing a regression reference: one CSV per (case, table).

Every column of the HDF5 table is kept; floats are written with repr(), which
round-trips a double exactly, so the comparison is exact.
"""

import csv
import math
import pathlib
import subprocess

import h5py
import numpy as np

from cases import CASES, TABLES

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
REFERENCES = HERE / "references"


def run_case(binary, name, out_dir):
    """Runs one case and returns {table: {column: list of values}}."""
    scenario, replications, seed = CASES[name]
    out = pathlib.Path(out_dir) / f"{name}.h5"
    subprocess.run([str(binary), "run", str(ROOT / scenario), "-r", str(replications), "-s", str(seed),
                    "-j", "2", "-q", "-o", str(out)], check=True, stdin=subprocess.DEVNULL, timeout=300)
    tables = {}
    with h5py.File(out, "r") as f:
        for table in TABLES:
            group = f[table]
            tables[table] = {column: [_cell(v) for v in np.asarray(group[column])] for column in group}
    return tables


def _cell(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def path_of(name, table):
    return REFERENCES / f"{name}.{table}.csv"


def write(name, tables):
    for table, columns in tables.items():
        names = list(columns)
        rows = zip(*(columns[c] for c in names))
        with open(path_of(name, table), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow([f"{c}:{_kind(columns[c])}" for c in names])
            for row in rows:
                w.writerow([repr(v) if isinstance(v, float) else v for v in row])


def _kind(values):
    v = values[0] if values else ""
    return "float" if isinstance(v, float) else "int" if isinstance(v, int) else "str"


def read(name, table):
    with open(path_of(name, table), newline="") as f:
        r = csv.reader(f)
        header = next(r)
        parse = {"float": float, "int": int, "str": str}
        names = [h.rsplit(":", 1)[0] for h in header]
        kinds = [parse[h.rsplit(":", 1)[1]] for h in header]
        columns = {n: [] for n in names}
        for row in r:
            for n, k, cell in zip(names, kinds, row):
                columns[n].append(k(cell))
    return columns


def same(a, b):
    """Exact equality, with NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b
