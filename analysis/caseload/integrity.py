"""What a caseload results file must hold, checked when it is opened, and the one
place where an error from reading a damaged file becomes a `FormatError`.

`Layout` checks a file's structure eagerly and cheaply, from its metadata
only (no data is read): the groups and attributes its kind needs, the
columns of every table the reader exposes and their lengths, the shapes of
every replication's arrays against one another, and that the scenario text
parses as TOML. What it cannot see without reading the data (a flipped bit,
caught by the Fletcher-32 checksum of every numeric dataset, or data cut off
in a truncated file) shows when the data are read: `reads` and `reading` turn
the KeyError, ValueError, TypeError, OSError, ... that h5py, numpy, pandas
and tomllib raise into a `FormatError` naming the file and what was being
read, the original error chained as its cause.

The layout is documented in docs/hdf5-format.md (the minor version that added
each object is noted below, so that files of older minor versions still open).
"""

from __future__ import annotations

import contextlib
import datetime
import fnmatch
import functools
import math
import os
import signal
import threading
import time
import tomllib
from typing import NamedTuple, NoReturn

import h5py
import numpy as np


class FormatError(ValueError):
    """The file is not a caseload results file, is damaged, or has a schema this reader does not know."""


DAMAGE = (KeyError, IndexError, ValueError, TypeError, OSError, RuntimeError, tomllib.TOMLDecodeError)
"""What reading a damaged or crafted file raises: h5py maps HDF5's errors to KeyError (no such
object), ValueError, TypeError, OSError (a failed checksum, data past the end of the file) and
RuntimeError (the rest); numpy and pandas raise ValueError, IndexError or KeyError on arrays of
the wrong size or codes out of range; tomllib raises TOMLDecodeError (a ValueError)."""


def _reason(error: BaseException) -> str:
    """An error as one line of text."""
    text = " ".join(str(error.args[0] if isinstance(error, KeyError) and error.args else error).split())
    if isinstance(error, OSError | tomllib.TOMLDecodeError) and text:
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@contextlib.contextmanager
def reading(path, what: str):
    """Inside the block, an error from reading the file at `path` is a FormatError
    "PATH: damaged caseload file: WHAT: the error" (chained to the error)."""
    try:
        yield
    except FormatError:
        raise
    except DAMAGE as e:
        raise FormatError(f"{path}: damaged caseload file: {what}: {_reason(e)}{_lz4_hint(e)}") from e


LZ4_FILTER = 32004
"""HDF5's number of the LZ4 filter, which compresses files written with `--codec lz4` (the default)."""


def _lz4_hint(error: BaseException) -> str:
    """Why data may not read on this machine though the file is whole: no LZ4 filter plugin."""
    if isinstance(error, OSError) and not h5py.h5z.filter_avail(LZ4_FILTER):
        return ("; this machine's HDF5 has no LZ4 filter, which files written with --codec lz4 (the default) "
                "need: install hdf5-filter-plugin (Debian) or `pip install hdf5plugin`")
    return ""


def survives(path, work) -> None:
    """Runs `work()` first in a forked child, and raises FormatError if the child is killed.

    The HDF5 library itself can crash (SIGSEGV) on a crafted or damaged file: text stored as
    variable-length strings (the attributes, and every string of files before schema 1.7) lives
    in a heap without checksums, and a wrong length there is read past its end. A crash would end
    the analyst's interpreter, so whatever reads such text is tried in a child first; an ordinary
    error there is left for the caller's own reading to raise, as FormatError, in this process.
    A child that takes longer than `SURVIVES_SECONDS` is killed: the library looped. Without
    fork (Windows), or with other threads running (a thread could hold h5py's lock across the
    fork, and the child would wait for it for ever), the work is not tried first."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return
    pid = os.fork()
    if pid == 0:  # the child: nothing it does may reach the parent but its exit status
        code = 0
        try:
            work()
        except BaseException:
            code = 3
        os._exit(code)
    deadline = time.monotonic() + SURVIVES_SECONDS
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise FormatError(f"{path}: damaged caseload file: the HDF5 library did not finish reading it in "
                              f"{SURVIVES_SECONDS} s")
        time.sleep(0.005)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        raise FormatError(f"{path}: damaged caseload file: the HDF5 library crashed reading it "
                          f"(signal {sig}, {signal.strsignal(sig)})")


SURVIVES_SECONDS = 300
"""Longer than reading any whole file takes (verify reads every chunk of a national run's file)."""


def reads(method):
    """A reader's method (or the function of a property) whose errors from a damaged file are
    FormatError. The reader has `_path` (the file), `_node` (its h5py group or file) and
    `_where` (" of the run /base", or "")."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if not self._node:  # h5py objects are false once their file is closed
            raise ValueError(f"{self._path}: the file is closed: read {method.__name__} before closing it")
        with reading(self._path, f"cannot read {method.__name__.lstrip('_')}{self._where}"):
            return method(self, *args, **kwargs)

    return guarded


# --------------------------------------------------------------------------- the layout

class Table(NamedTuple):
    """A group of datasets that must hold `columns` and whose datasets have the shapes `dims`.

    `dims` maps a dataset name pattern (fnmatch; the first that matches counts) to its
    dimensions, one letter each: datasets with a letter in common must agree on that
    dimension's size (the letters of a run and its replications: L LDUs, G grades; S snapshots,
    O officers, N tasks, V victim cases of a replication). Datasets no pattern matches are
    not checked (later minor versions may add them). `columns` maps the minor version that
    added them to the datasets the reader needs; the group itself is needed from the first.
    """

    path: str
    dims: dict[str, str]
    columns: dict[int, str]

    def needed(self, minor: int) -> list[str]:
        return [name for since, names in self.columns.items() if since <= minor for name in names.split()]


_CELL_FIELDS = ("officers cases points mean median p90 max share_over_100 share_over_110 share_over_120",
                "in_post establishment victim_cases excessive hours_demanded backlog_hours")
_IMBALANCE_FIELDS = ("gini cv max_over_median share_over_100 share_over_110",
                     "theil theil_between_ldu theil_within_ldu theil_between_grade theil_within_grade excessive")

RUN = (
    Table("", {"ldu_names": "L", "grade_names": "G", "task_kind_names": "K"},
          {0: "ldu_names grade_names", 1: "task_kind_names"}),
    Table("summary", {"*": "R"}, {0: "replication ldu"}),
    Table("statistics", {"*": "T"}, {2: "ldu figure units n mean half_width ci_low ci_high"}),
)
"""A run group: the root of a run file, /base, /variant, /runs/NNNN, /solution, ..."""

REPLICATION = (
    Table("officers", {"*": "O"},
          {0: "ldu grade contracted_hours available_points", 1: "first_grade joined_day left_day"}),
    Table("snapshots", {"time_days": "S", "unallocated": "SL", "officer_*": "SO"},
          {0: "time_days unallocated officer_cases officer_points officer_capacity_percent",
           1: "officer_available_points officer_hours_demanded officer_backlog_hours "
              "officer_victim_cases officer_state",
           2: "officer_grade", 3: "officer_task_hours"}),
    Table("snapshots/ldu_grade", {"*": "SLG"}, {0: _CELL_FIELDS[0], 1: _CELL_FIELDS[1]}),
    Table("snapshots/division_grade", {"*": "SG"}, {1: " ".join(_CELL_FIELDS)}),
    Table("imbalance/division", {"*": "S"}, {0: _IMBALANCE_FIELDS[0], 1: _IMBALANCE_FIELDS[1]}),
    Table("imbalance/ldu", {"*": "SL"}, {0: _IMBALANCE_FIELDS[0], 1: _IMBALANCE_FIELDS[1]}),
    Table("tasks", {"*": "N"},
          {1: "kind ldu officer subject created started completed deadline hours on_time", 2: "in_window"}),
    Table("victims", {"*": "V"}, {1: "ldu vlo offender_case first_contact_task created ended opted_out"}),
)
"""One replication: replications/NNNN of a run group."""

KINDS = {
    "run": (),
    "comparison": (
        Table("comparison", {"*": "C"},
              {2: "ldu figure units n base_mean base_half_width variant_mean variant_half_width difference "
                  "difference_half_width difference_low difference_high significant"}),),
    "sweep": (
        Table("", {"vary_values": "W"}, {2: "vary_values"}),
        Table("sweep", {"*": "X"}, {2: "run value ldu figure units n mean half_width ci_low ci_high"}),),
    "sensitivity": (
        Table("parameters", {"*": "P"}, {4: "parameter low high"}),
        Table("sensitivity", {"*": "E"}, {4: "parameter low high figure units effect ci_low ci_high n rank"}),),
    "staffing": (
        Table("staffing_plan", {"*": "P"},
              {5: "ldu grade establishment_before establishment_after added unit_cost cost"}),
        Table("targets", {"*": "T"},
              {5: "ldu figure op text value base_mean base_bound base_met achieved_mean achieved_bound met"}),
        Table("search", {"plan": "QP", "target_*": "QT", "*": "Q"},
              {5: "step change total_added cost shortfall accepted plan target_mean target_bound"}),),
}
"""The tables of each kind of file, besides its run groups (T and P of a staffing file: one row
per target and per staff group)."""


class Layout:
    """Checks of one file's structure; each failure a FormatError "PATH: damaged caseload file: ..."."""

    def __init__(self, path, minor: int):
        self.path = path
        self.minor = minor

    @classmethod
    def of(cls, file: h5py.File) -> Layout:
        """The layout of an open file, by its schema_version attribute."""
        return cls(file.filename, int(np.asarray(file.attrs["schema_version"]).reshape(-1)[1]))

    def fail(self, problem: str) -> NoReturn:
        raise FormatError(f"{self.path}: damaged caseload file: {problem}")

    def group(self, parent: h5py.Group, name: str, missing: str | None = None) -> h5py.Group:
        """The group `name` of `parent`; `missing` says what its absence means."""
        obj = parent.get(name)
        if not isinstance(obj, h5py.Group):
            where = f"{parent.name.rstrip('/')}/{name}"
            self.fail((missing or f"no group {where}") if obj is None else f"{where} is not a group")
        return obj

    def table(self, parent: h5py.Group, table: Table, sizes: dict | None = None,
              missing: str | None = None) -> dict:
        """Check `table` under `parent` (`missing` says what its absence means); return the sizes of
        its dimensions (with those of `sizes`)."""
        sizes = dict(sizes or {})
        needed = table.needed(self.minor)
        if not table.path:
            group = parent
        elif not needed and table.path not in parent:
            return sizes  # added by a later minor version than the file's
        else:
            group = self.group(parent, table.path, missing)
        absent = [name for name in needed if not isinstance(group.get(name), h5py.Dataset)]
        if absent:
            self.fail(f"{group.name} has no dataset {', '.join(absent)}")
        for name, obj in group.items():
            dims = next((d for pattern, d in table.dims.items() if fnmatch.fnmatchcase(name, pattern)), None)
            if dims is not None and isinstance(obj, h5py.Dataset):
                self._shape(obj, dims, sizes)
        return sizes

    def _shape(self, dataset: h5py.Dataset, dims: str, sizes: dict) -> None:
        shape = dataset.shape
        if shape is None or len(shape) != len(dims):
            self.fail(f"{dataset.name} has shape {shape}, expected {len(dims)} dimension(s)")
        for letter, n in zip(dims, shape):
            if letter not in sizes:
                sizes[letter] = (n, dataset.name)
            elif sizes[letter][0] != n:
                expected = tuple(sizes.get(d, (m,))[0] for d, m in zip(dims, shape))
                self.fail(f"{dataset.name} has shape {shape}, expected {expected} to match "
                          f"{sizes[letter][1]}: columns or arrays of different lengths")

    def tables(self, parent: h5py.Group, tables, sizes: dict | None = None) -> dict:
        for table in tables:
            sizes = self.table(parent, table, sizes)
        return sizes or {}

    # ---- attributes

    def attribute(self, obj, name: str):
        if name not in obj.attrs:
            self.fail(f"{obj.name} has no attribute {name}")
        return obj.attrs[name]

    def number(self, obj, name: str, default: float | None = None) -> float:
        """A finite number attribute (`default` if it is absent and there is one)."""
        value = default if default is not None and name not in obj.attrs else self.attribute(obj, name)
        value = np.asarray(value)
        if value.shape not in ((), (1,)) or value.dtype.kind not in "iuf" or not math.isfinite(value.item(0)):
            self.fail(f"attribute {name} of {obj.name} is {value.tolist()!r}, not a finite number")
        return float(value.item(0))

    def date(self, obj, name: str) -> datetime.date:
        text = self.attribute(obj, name)
        with reading(self.path, f"attribute {name} of {obj.name} is {text!r}, not a date YYYY-MM-DD"):
            return datetime.date.fromisoformat(text.decode() if isinstance(text, bytes) else text)

    def toml(self, obj, name: str) -> dict:
        """A TOML text attribute (the resolved scenario) parsed."""
        text = self.attribute(obj, name)
        with reading(self.path, f"the scenario text (attribute {name} of {obj.name}) does not parse as TOML"):
            return tomllib.loads(text.decode() if isinstance(text, bytes) else text)

    # ---- runs and files

    def run(self, group: h5py.Group) -> None:
        """A run group: its attributes, datasets, tables and every replication."""
        for name in ("horizon_days", "start_date", "scenario"):
            self.attribute(group, name)
        sizes = self.tables(group, RUN)
        reps = self.group(group, "replications")
        names = sorted(reps.keys())
        declared = group.attrs.get("replications")
        if not names:
            self.fail(f"{reps.name} holds no replication")
        if declared is not None and np.asarray(declared).reshape(-1).tolist() != [len(names)]:
            self.fail(f"{reps.name} holds {len(names)} replication groups, but the attribute "
                      f"replications of {group.name} is {np.asarray(declared).tolist()}")
        run_sizes = {k: v for k, v in sizes.items() if k in "LG"}
        for name in names:
            rep = self.group(reps, name)
            self.tables(rep, REPLICATION, run_sizes)

    def kind(self, file: h5py.File, kind: str) -> dict:
        """The tables of a file of `kind` (run groups are checked by `run`)."""
        sizes = {}
        for table in KINDS[kind]:
            sizes = self.table(file, table, sizes, f"{kind} file without its /{table.path} group")
        return sizes
