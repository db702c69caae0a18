"""Reading caseload HDF5 results files into tidy pandas DataFrames.

`open(path)` checks the file is a caseload results file of a schema this
reader knows (major version 1) and returns one of:

- `RunResults` (kind "run"): a `Run` plus the file's own attributes;
- `Comparison` (kind "comparison"): `.base` and `.variant` runs and the
  paired differences in `.comparison`;
- `Sweep` (kind "sweep"): `.runs`, one per value of `.vary_key`, and the
  headline figures by value in `.sweep`;
- `Staffing` (kind "staffing"): a plan of posts that meets targets, its
  search, and the base and solution runs;
- `Sensitivity` (kind "sensitivity"): the effect of each screened parameter
  on each division figure in `.sensitivity`, and the ranges in `.parameters`.

Every frame is read when first asked for and then kept. The layout of the file
is documented in docs/hdf5-format.md; engine/src/output_writer.cpp writes it.

A damaged or foreign file raises `FormatError` naming the file and what is
wrong: its structure (groups, attributes, columns and their lengths, the
scenario text) is checked when it is opened (integrity.py), and a frame whose
data cannot be read (a failed checksum, a file cut short) raises it when the
frame is first read, with h5py's error as its cause.
"""

from __future__ import annotations

import functools
import pathlib
import re

import h5py
import numpy as np
import pandas as pd

from .integrity import FormatError, Layout, reading, reads, survives

SUPPORTED_MAJOR = 1
"""The schema major version this reader understands (any minor version)."""

KNOWN_MINOR = 8
"""The newest minor version this reader was written against; newer minors add
objects that it ignores."""

STATES = ["in post", "absent", "left"]
"""Officer states by code (`snapshots/officer_state`); −1 (not yet joined) is dropped."""

_OFFICER_CODES = ("officer_state", "officer_grade")
"""Per-officer series that are codes, turned into categories rather than copied."""


def _datasets(group) -> list[str]:
    """The datasets of a series group, in the order the engine wrote them."""
    return [name for name, obj in group.items() if isinstance(obj, h5py.Dataset)]


def _officer_series(snapshots) -> list[str]:
    """The [snapshot, officer] series of `snapshots/` other than the codes."""
    return [name for name in _datasets(snapshots)
            if name.startswith("officer_") and name not in _OFFICER_CODES]


# --------------------------------------------------------------------------- helpers

def _attr(value):
    """An HDF5 attribute as a plain Python value (str, int, float or list)."""
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, np.ndarray):
        return [_attr(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _strings(dataset) -> list[str]:
    """A 1-D string dataset as a list of str."""
    return list(dataset.asstr()[()])


def _column(dataset) -> np.ndarray:
    """A 1-D dataset as a numpy array (strings decoded to str objects)."""
    if dataset.dtype.kind in "OSU":
        return dataset.asstr()[()].astype(object)
    return dataset[()]


def _never(values: np.ndarray) -> np.ndarray:
    """A time column with −1 meaning "never" as float with NaN."""
    out = values.astype(float)
    out[values < 0] = np.nan
    return out


def _index_or_na(values: np.ndarray) -> pd.arrays.IntegerArray:
    """An index column with −1 meaning "none" as nullable Int64 with <NA>."""
    return pd.arrays.IntegerArray(values.astype(np.int64), values < 0)


def _codes(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """Integer codes into `names` as a categorical (code −1 becomes NaN)."""
    return pd.Categorical.from_codes(codes.astype(np.int64), categories=names)


def _frame(parts: list[dict], categories: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """One DataFrame from per-replication dicts of equal-length numpy arrays.

    Columns are concatenated as numpy arrays (faster than concatenating
    DataFrames); the columns named in `categories` hold integer codes and
    become categoricals of those names.
    """
    columns = {}
    for name in parts[0]:
        values = [p[name] for p in parts]
        if isinstance(values[0], pd.api.extensions.ExtensionArray):
            columns[name] = type(values[0])._concat_same_type(values)
        else:
            columns[name] = np.concatenate(values)
        if categories and name in categories:
            columns[name] = _codes(columns[name], categories[name])
    return pd.DataFrame(columns)


def _table(group, first: list[str] | None = None) -> pd.DataFrame:
    """A group of equal-length 1-D datasets as a DataFrame, `first` columns first.

    Each column's `units` attribute, if any, is kept in `frame.attrs["units"]`.
    """
    names = list(group.keys())
    order = [n for n in (first or []) if n in names] + [n for n in names if n not in (first or [])]
    frame = pd.DataFrame({name: _column(group[name]) for name in order})
    frame.attrs["units"] = {name: _attr(group[name].attrs["units"])
                            for name in order if "units" in group[name].attrs}
    return frame


# --------------------------------------------------------------------------- one run

class Run:
    """The replications of one scenario: a run file's root, or /base, /variant or /runs/NNNN.

    Scalars: `name`, `seed`, `replications`, `start_date`, `horizon_days`,
    `warmup_days`, `snapshot_every_days`, `ldu_names`, `grade_names`,
    `task_kind_names`, `scenario` (the resolved scenario as a dict), `attrs`.
    Frames (pandas, long format, read on first use): `officers`,
    `officer_snapshots`, `ldu_grade`, `division_grade`, `unallocated`,
    `imbalance`, `tasks`, `timeliness`, `victims`, `summary`, `statistics`.

    In every frame, `replication` is the replication index, LDU, grade, task
    kind and state columns hold names (pandas categoricals), −1 markers become
    NaN (times) or <NA> (indices, flags), and snapshot frames carry `day`
    (days since day 0), `date` and `week` (whole weeks since the start of the
    statistics window, 0 at the first snapshot).
    """

    def __init__(self, group: h5py.Group, label: str | None = None, layout: Layout | None = None):
        layout = layout or Layout.of(group.file)
        layout.run(group)  # FormatError if a group, attribute or column is missing or of the wrong length
        self._group = self._node = group
        self._path = layout.path
        self._where = "" if group.name == "/" else f" of the run {group.name}"
        self.attrs: dict = {k: _attr(v) for k, v in group.attrs.items()}
        """The group's attributes (the run's metadata) as plain Python values."""
        self.name: str = self.attrs.get("scenario_name", "")
        self.label: str = label or self.name
        """A short name for legends and headings (the scenario name, or key=value in a sweep)."""
        self.seed: int = self.attrs.get("seed")
        self.horizon_days: float = layout.number(group, "horizon_days")
        self.warmup_days: float = layout.number(group, "warmup_days", 0.0)
        self.snapshot_every_days: float = layout.number(group, "snapshot_every_days", 7.0)
        self.start_date = layout.date(group, "start_date")
        self.scenario: dict = layout.toml(group, "scenario")
        """The resolved scenario (every default filled in) parsed with tomllib."""
        self.ldu_names: list[str] = _strings(group["ldu_names"])
        self.grade_names: list[str] = _strings(group["grade_names"])
        self.task_kind_names: list[str] = (_strings(group["task_kind_names"])
                                           if "task_kind_names" in group else [])
        reps = group["replications"]
        self._rep_names: list[str] = sorted(reps.keys())
        self.replications: int = len(self._rep_names)

    def __repr__(self) -> str:
        return (f"<caseload.Run {self.label!r}: {len(self.ldu_names)} LDUs, "
                f"{self.replications} replications, {self.horizon_days:g} days>")

    # ---- plumbing

    def _reps(self, wanted: set[int] | None = None):
        """(index, group) of each replication in `wanted` (all by default)."""
        groups = self._group["replications"]
        for name in self._rep_names:
            g = groups[name]
            index = int(g.attrs.get("replication", int(name)))
            if wanted is None or index in wanted:
                yield index, g

    def _time_columns(self, days: np.ndarray) -> dict:
        """day, date and week columns for snapshot times."""
        week = np.floor((days - self.warmup_days) / 7.0 + 1e-9).astype(np.int64)
        date = (np.datetime64(self.start_date, "D")
                + np.round(days * 86400.0).astype("timedelta64[s]")).astype("datetime64[ns]")
        return {"day": days, "date": date, "week": week}

    def _ldu_scope(self) -> list[str]:
        return self.ldu_names + ["division"]

    # ---- metadata

    @functools.cached_property
    @reads
    def snapshot_days(self) -> np.ndarray:
        """Snapshot times in days since day 0 (the same in every replication)."""
        _, g = next(self._reps())
        return g["snapshots/time_days"][()]

    # ---- officers

    @functools.cached_property
    @reads
    def officers(self) -> pd.DataFrame:
        """One row per officer per replication: everyone in post at any time.

        Columns: replication, officer (index into the snapshot arrays), ldu,
        grade (at the end of the run), first_grade (on joining),
        contracted_hours (per week), available_points (WMT capacity at the
        end of the run), joined_day (0 for staff in post at day 0), left_day
        (NaN if still in post at the horizon).
        """
        parts = []
        for rep, g in self._reps():
            o = g["officers"]
            n = len(o["ldu"])
            parts.append({
                "replication": np.full(n, rep, dtype=np.int64),
                "officer": np.arange(n, dtype=np.int64),
                "ldu": o["ldu"][()],
                "grade": o["grade"][()],
                "first_grade": o["first_grade"][()],
                "contracted_hours": o["contracted_hours"][()],
                "available_points": o["available_points"][()],
                "joined_day": o["joined_day"][()],
                "left_day": _never(o["left_day"][()]),
            })
        return _frame(parts, {"ldu": self.ldu_names, "grade": self.grade_names,
                              "first_grade": self.grade_names})

    @functools.cached_property
    @reads
    def replication_indices(self) -> list[int]:
        """The replication index of each replication in the file, in file order."""
        return [rep for rep, _ in self._reps()]

    def read_officer_snapshots(self, replications=None, columns=None, days=None) -> pd.DataFrame:
        """`officer_snapshots` for some replications only (an int or a list); see there.

        `columns` names the per-officer series to read (e.g. `["capacity_percent"]`;
        default: every one the file holds): the identifying columns (replication
        to state) are always there. `days` (a day or a list, of `snapshot_days`)
        reads those snapshots only, e.g. `days=run.snapshot_days[-1]` the last.
        Reading one replication, a few series and a few snapshots at a time keeps
        a large file's memory small.
        """
        wanted = None if replications is None else {int(r) for r in np.atleast_1d(replications)}
        if wanted is not None and (not wanted or not wanted <= set(self.replication_indices)):
            raise KeyError(f"no replication {', '.join(map(str, sorted(wanted))) or 'asked for'} in the file; "
                           f"it has {', '.join(map(str, self.replication_indices))}")
        if columns is not None:
            missing = [c for c in columns if c not in self._officer_series]
            if missing:
                raise KeyError(f"no per-officer series {', '.join(map(repr, missing))} in the file; "
                               f"it has {', '.join(self._officer_series)}")
        days = None if days is None else np.atleast_1d(np.asarray(days, dtype=float))
        return self._read_officer_snapshots(wanted, columns, days)

    @functools.cached_property
    @reads
    def _officer_series(self) -> list[str]:
        """The per-officer series the file holds (those of its first replication), without "officer_"."""
        _, g = next(self._reps())
        return [name[len("officer_"):] for name in _officer_series(g["snapshots"])]

    @reads
    def _read_officer_snapshots(self, wanted: set[int] | None, columns: list[str] | None,
                                days: np.ndarray | None) -> pd.DataFrame:
        """`read_officer_snapshots` once its arguments are checked."""
        parts = []
        for rep, g in self._reps(wanted):
            s = g["snapshots"]
            series = _officer_series(s) if columns is None else [f"officer_{c}" for c in columns]
            time_days = s["time_days"][()]
            rows = (() if days is None else  # every snapshot, or the rows of those days (h5py: increasing)
                    list(np.flatnonzero(np.isin(time_days, days))))
            state = s["officer_state"][rows]
            joined = state >= 0                      # −1: not yet joined; those cells are left out
            snap, officer = np.nonzero(joined)       # C order: snapshot by snapshot, then officer
            ldu = g["officers/ldu"][()]
            frame = {"replication": np.full(len(snap), rep, dtype=np.int64)}
            frame.update(self._time_columns(time_days[rows][snap]))
            frame.update({
                "officer": officer.astype(np.int64),
                "ldu": ldu[officer],
                "grade_then": s["officer_grade"][rows][joined],
                "state": state[joined],
            })
            # Every other per-officer series the file holds, in the order written
            # (the engine declares each once: engine/include/caseload/model/results.hpp).
            for name in series:
                frame[name[len("officer_"):]] = s[name][rows][joined]
            parts.append(frame)
        return _frame(parts, {"ldu": self.ldu_names, "grade_then": self.grade_names,
                              "state": STATES})

    @functools.cached_property
    @reads
    def officer_snapshots(self) -> pd.DataFrame:
        """One row per officer per snapshot per replication, from the day they joined.

        Columns: replication, day, date, week, officer, ldu, grade_then (the
        grade at that snapshot: a trainee is PQiP until they qualify), state
        ("in post", "absent", "left"; rows after leaving are kept), cases,
        points, capacity_percent (NaN for staff without a WMT caseload: SPO,
        VLO, absent, left, full reduction), available_points, hours_demanded
        (weekly caseload hours plus open task hours), backlog_hours (open task
        hours), victim_cases (VLOs), task_hours (hours a week given to tasks),
        and any further per-officer series the file holds. Cells before an officer joined are left
        out. For large files, `read_officer_snapshots(replications=...)`
        reads a few replications only.
        """
        return self.read_officer_snapshots()

    # ---- cells and imbalance

    def _cells(self, path: str, with_ldu: bool) -> pd.DataFrame:
        parts = []
        n_grade = len(self.grade_names)
        n_ldu = len(self.ldu_names) if with_ldu else 1
        for rep, g in self._reps():
            cells = g[path]
            days = g["snapshots/time_days"][()]
            n = len(days) * n_ldu * n_grade
            snap = np.repeat(np.arange(len(days)), n_ldu * n_grade)
            frame = {"replication": np.full(n, rep, dtype=np.int64)}
            frame.update(self._time_columns(days[snap]))
            if with_ldu:
                frame["ldu"] = np.tile(np.repeat(np.arange(n_ldu), n_grade), len(days))
            frame["grade"] = np.tile(np.arange(n_grade), len(days) * n_ldu)
            for field in _datasets(cells):
                frame[field] = cells[field][()].reshape(-1)
            parts.append(frame)
        out = _frame(parts, {"ldu": self.ldu_names, "grade": self.grade_names})
        if "establishment" in out and "in_post" in out:
            out["vacancies"] = out["establishment"] - out["in_post"]
        return out

    @functools.cached_property
    @reads
    def ldu_grade(self) -> pd.DataFrame:
        """One row per LDU × grade cell per snapshot per replication.

        Columns: replication, day, date, week, ldu, grade, then every field of
        `snapshots/ldu_grade`: officers (holding a WMT caseload), in_post,
        establishment, cases, points, victim_cases, excessive (over 110% for
        4 weeks running), mean, median, p90, max (capacity %), share_over_100,
        share_over_110, share_over_120 (fractions), hours_demanded (mean per
        officer), backlog_hours (total); and vacancies = establishment − in_post.
        Capacity statistics are NaN when the cell has no caseload holder.
        """
        return self._cells("snapshots/ldu_grade", with_ldu=True)

    @functools.cached_property
    @reads
    def division_grade(self) -> pd.DataFrame:
        """As `ldu_grade` but one row per grade over the whole division (no ldu column)."""
        return self._cells("snapshots/division_grade", with_ldu=False)

    @functools.cached_property
    @reads
    def unallocated(self) -> pd.DataFrame:
        """Cases waiting for allocation: replication, day, date, week, ldu, unallocated."""
        parts = []
        n_ldu = len(self.ldu_names)
        for rep, g in self._reps():
            days = g["snapshots/time_days"][()]
            frame = {"replication": np.full(len(days) * n_ldu, rep, dtype=np.int64)}
            frame.update(self._time_columns(np.repeat(days, n_ldu)))
            frame["ldu"] = np.tile(np.arange(n_ldu), len(days))
            frame["unallocated"] = g["snapshots/unallocated"][()].reshape(-1)
            parts.append(frame)
        return _frame(parts, {"ldu": self.ldu_names})

    @functools.cached_property
    @reads
    def imbalance(self) -> pd.DataFrame:
        """Imbalance of capacity % per snapshot per replication, for the division and each LDU.

        Columns: replication, day, date, week, scope (an LDU name, or
        "division"), gini, cv, max_over_median, share_over_100,
        share_over_110, theil, theil_between_ldu, theil_within_ldu (NaN for an
        LDU), theil_between_grade, theil_within_grade, excessive (officers
        over 110% for 4 weeks running). Division rows come after each
        snapshot's LDU rows.
        """
        parts = []
        n_ldu = len(self.ldu_names)
        for rep, g in self._reps():
            days = g["snapshots/time_days"][()]
            n_snap = len(days)
            frame = {"replication": np.full(n_snap * (n_ldu + 1), rep, dtype=np.int64)}
            frame.update(self._time_columns(np.repeat(days, n_ldu + 1)))
            frame["scope"] = np.tile(np.arange(n_ldu + 1), n_snap)
            for field in _datasets(g["imbalance/division"]):
                ldu = g["imbalance/ldu"][field][()].reshape(n_snap, n_ldu)
                division = g["imbalance/division"][field][()].reshape(n_snap, 1)
                frame[field] = np.concatenate([ldu, division], axis=1).reshape(-1)
            parts.append(frame)
        return _frame(parts, {"scope": self._ldu_scope()})

    # ---- tasks and victims

    @functools.cached_property
    @reads
    def tasks(self) -> pd.DataFrame:
        """One row per task per replication, warm-up included, in order of creation.

        Columns: replication, task (row in the file), kind (fdr, sdr,
        parole_report, plan_review, victim_first_contact, victim_contact),
        ldu (where the task arose), officer (who had it at the horizon; <NA>
        if nobody), subject (case slot or victim row; <NA> for court
        reports), created, started (NaN if never), completed (NaN if open at
        the horizon), deadline, hours, on_time (True done by the deadline,
        False late or overdue, <NA> open and not yet due), days_to_complete
        (NaN if open), in_window (created inside the statistics window, as
        the summary counts), due (deadline by the horizon).
        """
        parts = []
        for rep, g in self._reps():
            t = g["tasks"]
            n = len(t["kind"])
            created, completed, deadline = t["created"][()], t["completed"][()], t["deadline"][()]
            on_time = t["on_time"][()]
            parts.append({
                "replication": np.full(n, rep, dtype=np.int64),
                "task": np.arange(n, dtype=np.int64),
                "kind": t["kind"][()],
                "ldu": t["ldu"][()],
                "officer": _index_or_na(t["officer"][()]),
                "subject": _index_or_na(t["subject"][()]),
                "created": created,
                "started": _never(t["started"][()]),
                "completed": _never(completed),
                "deadline": deadline,
                "hours": t["hours"][()],
                "on_time": pd.arrays.BooleanArray(on_time == 1, on_time < 0),
                "days_to_complete": np.where(completed >= 0, completed - created, np.nan),
                "in_window": created >= self.warmup_days,
                "due": deadline <= self.horizon_days,
            })
        return _frame(parts, {"kind": self.task_kind_names, "ldu": self.ldu_names})

    @functools.cached_property
    @reads
    def timeliness(self) -> pd.DataFrame:
        """Timeliness per replication × ldu × task kind, computed from `tasks`.

        Rows: every replication, every LDU then "division", every task kind.
        Columns, over tasks created in the statistics window (the summary's
        `<kind>_*` columns): created; completed; due (deadline by the
        horizon); on_time (of those due, done by the deadline);
        share_on_time = on_time / due (NaN if nothing was due); mean_days
        from creation to completion over those completed (NaN if none); and
        open_at_end, over the whole run (tasks still open at the horizon).
        """
        tasks = self.tasks
        reps = [rep for rep, _ in self._reps()]
        n_rep, n_ldu, n_kind = len(reps), len(self.ldu_names), len(self.task_kind_names)
        shape = (n_rep, n_ldu, n_kind)
        rep_pos = pd.Index(reps).get_indexer(tasks["replication"].to_numpy())
        key = ((rep_pos * n_ldu + tasks["ldu"].cat.codes.to_numpy()) * n_kind
               + tasks["kind"].cat.codes.to_numpy())
        size = n_rep * n_ldu * n_kind

        def count(mask, weights=None):
            w = mask.astype(float) if weights is None else np.where(mask, weights, 0.0)
            return np.bincount(key, weights=w, minlength=size).reshape(shape)

        window = tasks["in_window"].to_numpy()
        done = tasks["completed"].notna().to_numpy()
        due = tasks["due"].to_numpy()
        in_time = done & (tasks["completed"].to_numpy() <= tasks["deadline"].to_numpy())
        counts = {
            "created": count(window),
            "completed": count(window & done),
            "due": count(window & due),
            "on_time": count(window & due & in_time),
            "total_days": count(window & done, tasks["days_to_complete"].to_numpy()),
            "open_at_end": count(~done),
        }
        # Division: the LDUs summed, appended as one more "LDU".
        counts = {k: np.concatenate([v, v.sum(axis=1, keepdims=True)], axis=1)
                  for k, v in counts.items()}
        with np.errstate(invalid="ignore", divide="ignore"):
            share = counts["on_time"] / counts["due"]
            mean_days = counts["total_days"] / counts["completed"]
        index = pd.MultiIndex.from_product(
            [reps, pd.CategoricalIndex(self._ldu_scope(), categories=self._ldu_scope()),
             pd.CategoricalIndex(self.task_kind_names, categories=self.task_kind_names)],
            names=["replication", "ldu", "kind"])
        frame = pd.DataFrame({
            "created": counts["created"].reshape(-1).astype(np.int64),
            "completed": counts["completed"].reshape(-1).astype(np.int64),
            "due": counts["due"].reshape(-1).astype(np.int64),
            "on_time": counts["on_time"].reshape(-1).astype(np.int64),
            "share_on_time": share.reshape(-1),
            "mean_days": mean_days.reshape(-1),
            "open_at_end": counts["open_at_end"].reshape(-1).astype(np.int64),
        }, index=index)
        return frame.reset_index()

    @functools.cached_property
    @reads
    def victims(self) -> pd.DataFrame:
        """One row per victim case per replication, in order of opening.

        Columns: replication, victim (row in the file), ldu, vlo (the VLO
        holding it at closure or at the horizon; <NA> if none),
        offender_case (the case slot), first_contact_task (row of the first
        contact in `tasks`; <NA> for a day-0 case), first_contact_completed
        (day the first contact was made; NaN if not made or a day-0 case),
        created, ended (NaN if still open), opted_out (bool).
        """
        parts = []
        for rep, g in self._reps():
            v = g["victims"]
            n = len(v["ldu"])
            first = v["first_contact_task"][()]
            completed = g["tasks/completed"][()]
            made = np.full(n, np.nan)
            has = first >= 0
            made[has] = _never(completed[first[has]])
            parts.append({
                "replication": np.full(n, rep, dtype=np.int64),
                "victim": np.arange(n, dtype=np.int64),
                "ldu": v["ldu"][()],
                "vlo": _index_or_na(v["vlo"][()]),
                "offender_case": v["offender_case"][()],
                "first_contact_task": _index_or_na(first),
                "first_contact_completed": made,
                "created": v["created"][()],
                "ended": _never(v["ended"][()]),
                "opted_out": v["opted_out"][()] == 1,
            })
        return _frame(parts, {"ldu": self.ldu_names})

    # ---- headline figures

    @functools.cached_property
    @reads
    def statistics(self) -> pd.DataFrame:
        """Headline figures across replications: mean and 95% Student-t interval.

        One row per LDU (then "division") × figure. Columns: ldu, figure,
        units, n (replications), mean, half_width, ci_low, ci_high.
        `frame.attrs["confidence"]` is the confidence level (0.95).
        """
        g = self._group["statistics"]
        frame = _table(g, first=["ldu", "figure", "units", "n", "mean", "half_width",
                                 "ci_low", "ci_high"])
        frame.attrs["confidence"] = float(_attr(g.attrs.get("confidence", 0.95)))
        return frame

    @functools.cached_property
    @reads
    def summary(self) -> pd.DataFrame:
        """The headline table: one row per replication × (each LDU, then "division").

        Columns: replication, ldu (str), then every headline figure (flows,
        capacity by grade, imbalance, queue, timeliness by task kind) in the
        engine's order. `frame.attrs["units"]` maps columns to units.
        """
        figure_order = []
        if "statistics" in self._group:
            figure_order = list(dict.fromkeys(_strings(self._group["statistics/figure"])))
        return _table(self._group["summary"], first=["replication", "ldu", *figure_order])

    def figure(self, figure: str, ldu: str = "division") -> pd.Series:
        """One row of `statistics` (mean, half_width, ci_low, ci_high, n, units) as a Series."""
        s = self.statistics
        rows = s[(s["figure"] == figure) & (s["ldu"] == ldu)]
        if rows.empty:
            raise KeyError(f"no headline figure {figure!r} for {ldu!r}")
        return rows.iloc[0]


# --------------------------------------------------------------------------- files

class Results:
    """An open caseload results file: what every kind of file has.

    Attributes: `path`, `kind` ("run", "comparison", "sweep", "sensitivity" or "staffing"),
    `schema_version` (major, minor), `engine_version`, `created`,
    `file_attrs` (the root attributes) and `runs` (every `Run` in the file).
    Use as a context manager, or call `close()`, to release the file.

    Opening checks the tables of the file's kind (integrity.py); a subclass
    checks its run groups by making them `Run`s.
    """

    kind = ""

    def __init__(self, path: pathlib.Path, file: h5py.File, version: tuple[int, int]):
        self.path = path
        self.file = self._node = file
        self._path, self._where = path, ""
        self._layout = Layout(path, version[1])
        self._layout.kind(file, self.kind)
        self.schema_version = version
        self.file_attrs: dict = {k: _attr(v) for k, v in file.attrs.items()}
        self.engine_version: str = self.file_attrs.get("engine_version", "")
        self.created: str = self.file_attrs.get("created", "")
        self.runs: list[Run] = []

    def verify(self) -> None:
        """Read every dataset of the file once, chunk by chunk, and keep nothing.

        Opening checks the file's structure but reads no data, and a frame
        reads only its own, so damaged data elsewhere (a failed Fletcher-32
        checksum, a chunk HDF5 cannot decompress) would go unseen until read;
        this finds it first, raising `FormatError` that names the dataset.
        The report and export commands call it before writing anything.
        """

        def read(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.size:
                with reading(self.path, f"/{name} cannot be read"):
                    for chunk in (obj.iter_chunks() if obj.chunks else [()]):
                        obj[chunk]

        def read_all():
            with h5py.File(self.path, "r") as f:
                f.visititems(read)

        survives(self.path, read_all)
        with reading(self.path, "cannot read its structure"):
            self.file.visititems(read)

    def close(self) -> None:
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RunResults(Results, Run):
    """A file of kind "run": one scenario's replications. It is a `Run` (see there)."""

    kind = "run"

    def __init__(self, path, file, version):
        Results.__init__(self, path, file, version)
        Run.__init__(self, file["/"], layout=self._layout)
        self.runs = [self]

    def __repr__(self) -> str:
        return f"<caseload.RunResults {str(self.path)!r}: {Run.__repr__(self)}>"


class Comparison(Results):
    """A file of kind "comparison": a base and a variant run with common random numbers.

    `base`, `variant`: the two `Run`s. `comparison`: paired differences
    (variant − base) per LDU (then "division") × figure, columns ldu,
    figure, units, n, base_mean, base_half_width, variant_mean,
    variant_half_width, difference, difference_half_width, difference_low,
    difference_high, significant (bool: the interval excludes 0).
    """

    kind = "comparison"

    def __init__(self, path, file, version):
        super().__init__(path, file, version)
        self.base = _run_group(self, "base")
        self.variant = _run_group(self, "variant")
        if self.base.label == self.variant.label:
            self.base.label, self.variant.label = "base", "variant"
        self.runs = [self.base, self.variant]

    @functools.cached_property
    @reads
    def comparison(self) -> pd.DataFrame:
        g = self.file["comparison"]
        frame = _table(g, first=["ldu", "figure", "units", "n", "base_mean", "base_half_width",
                                 "variant_mean", "variant_half_width", "difference",
                                 "difference_half_width", "difference_low", "difference_high",
                                 "significant"])
        frame["significant"] = frame["significant"].astype(bool)
        frame.attrs["confidence"] = float(_attr(g.attrs.get("confidence", 0.95)))
        return frame

    def __repr__(self) -> str:
        return (f"<caseload.Comparison {str(self.path)!r}: {self.base.name!r} vs "
                f"{self.variant.name!r}, {self.base.replications} paired replications>")


class Sweep(Results):
    """A file of kind "sweep": one scenario run at several values of one key.

    `vary_key` (e.g. "vacancy_rate.PO"), `vary_values` (str, in run order),
    `runs` (a `Run` per value, with `.vary_value` and a `label` "key=value").
    `sweep`: headline figures by value, columns run, value, ldu, figure,
    units, n, mean, half_width, ci_low, ci_high.
    `differences` (schema 1.6): each later value's paired differences from
    the first value (its replication r minus the first's), columns run,
    value, then those of `Comparison.comparison` (base_* is the first value);
    None for a file written before 1.6.
    """

    kind = "sweep"

    def __init__(self, path, file, version):
        super().__init__(path, file, version)
        self.vary_key: str = self.file_attrs.get("vary_key", "")
        self.vary_values: list[str] = _strings(file["vary_values"])
        runs = self._layout.group(file, "runs", "sweep file without its run groups /runs")
        names = sorted(runs.keys())
        if len(names) != len(self.vary_values):
            self._layout.fail(f"/runs holds {len(names)} run group(s) but /vary_values has "
                              f"{len(self.vary_values)} value(s)")
        for name in names:
            group = self._layout.group(runs, name)
            value = _attr(group.attrs.get("vary_value", name))
            run = Run(group, label=f"{self.vary_key}={value}", layout=self._layout)
            run.vary_value = value
            self.runs.append(run)

    @functools.cached_property
    @reads
    def sweep(self) -> pd.DataFrame:
        g = self.file["sweep"]
        frame = _table(g, first=["run", "value", "ldu", "figure", "units", "n", "mean",
                                 "half_width", "ci_low", "ci_high"])
        frame.attrs["confidence"] = float(_attr(g.attrs.get("confidence", 0.95)))
        frame.attrs["vary_key"] = self.vary_key
        return frame

    @functools.cached_property
    def differences(self) -> pd.DataFrame | None:
        if "sweep_differences" not in self.file:
            return None
        g = self.file["sweep_differences"]
        frame = _table(g, first=["run", "value", "ldu", "figure", "units", "n", "base_mean", "base_half_width",
                                 "variant_mean", "variant_half_width", "difference", "difference_half_width",
                                 "difference_low", "difference_high", "significant"])
        frame["significant"] = frame["significant"].astype(bool)
        frame.attrs["confidence"] = float(_attr(g.attrs.get("confidence", 0.95)))
        frame.attrs["reference_value"] = _attr(g.attrs.get("reference_value", self.vary_values[0]))
        return frame

    def __repr__(self) -> str:
        return (f"<caseload.Sweep {str(self.path)!r}: {self.vary_key} = "
                f"{', '.join(self.vary_values)}>")


class Sensitivity(Results):
    """A file of kind "sensitivity" (1.4): a one-at-a-time screening with common random numbers.

    Each parameter was run at its low and its high value with the same seed
    and replications; its effect on a figure is the paired difference
    high − low of the division figure. Attributes: `scenario_name`, `seed`,
    `replications` (at each end of each range), `scenario` (the resolved
    scenario before any parameter is set, as a dict). `parameters`: one row per
    parameter (parameter, low, high), in the order screened. `sensitivity`:
    one row per parameter × figure, columns parameter, low, high, figure,
    units, effect, ci_low, ci_high, n, rank (1 = the parameter with the
    largest |effect| on that figure); parameter and figure are categoricals in
    file order. No run's records are kept, so `runs` is empty.
    """

    kind = "sensitivity"

    def __init__(self, path, file, version):
        super().__init__(path, file, version)
        self.scenario_name: str = self.file_attrs.get("scenario_name", "")
        self.seed: int = self.file_attrs.get("seed")
        self.replications: int = self.file_attrs.get("replications")
        self.scenario: dict = self._layout.toml(file, "scenario")
        """The resolved scenario (before any parameter is set), parsed with tomllib."""

    @functools.cached_property
    @reads
    def parameters(self) -> pd.DataFrame:
        return _table(self.file["parameters"], first=["parameter", "low", "high"])

    @functools.cached_property
    @reads
    def sensitivity(self) -> pd.DataFrame:
        g = self.file["sensitivity"]
        frame = _table(g, first=["parameter", "low", "high", "figure", "units", "effect", "ci_low",
                                 "ci_high", "n", "rank"])
        for name in ("parameter", "figure"):
            frame[name] = pd.Categorical(frame[name], categories=list(dict.fromkeys(frame[name])))
        frame.attrs["confidence"] = float(_attr(g.attrs.get("confidence", 0.95)))
        return frame

    def ranked(self, figure: str) -> pd.DataFrame:
        """The rows of one figure, the parameter that moves it most first."""
        s = self.sensitivity
        rows = s[s["figure"] == figure]
        if rows.empty:
            raise KeyError(f"no figure {figure!r} in the sensitivity table")
        return rows.sort_values("rank").reset_index(drop=True)

    def __repr__(self) -> str:
        return (f"<caseload.Sensitivity {str(self.path)!r}: {self.scenario_name!r}, "
                f"{len(self.parameters)} parameters ({', '.join(self.parameters['parameter'])}), "
                f"{self.replications} paired replications each>")


_RECRUITMENT_COLUMNS = ("ldu", "grade", "quarter_start_day", "experienced_hires", "trainee_starts")
"""The datasets of /recruitment_plan (staffing files made with --by-day)."""

_RECRUITMENT_TARGET_COLUMNS = ("recruitment_mean", "recruitment_bound", "recruitment_met")
"""The columns /targets gains with a recruitment plan."""


def _run_group(results: Results, name: str, label: str | None = None) -> Run:
    """The run group /name as a `Run`; FormatError if it is missing or damaged."""
    group = results._layout.group(results.file, name, f"{results.kind} file without its run group /{name}")
    return Run(group, label=label, layout=results._layout)


class Staffing(Results):
    """A file of kind "staffing" (1.5): a plan of posts that meets targets (`caseload staff`).

    Attributes: `scenario_name`, `seed`, `replications` (of every candidate,
    common random numbers), `confidence`, `all_met` (bool), `total_cost`.
    `plan`: one row per staff group the search could add to (ldu, grade,
    establishment_before, establishment_after, added, unit_cost, cost).
    `targets`: one row per target (ldu, "division" for division targets;
    figure, op, text, value, base_mean, base_bound, base_met, achieved_mean,
    achieved_bound, met; bounds are those of the interval that must meet the
    target). `search`: one row per candidate considered (step, change,
    total_added, cost, shortfall, accepted, and per target i `mean_i` and
    `bound_i`). `base` and `solution`: the `Run`s without and with the plan.

    A file made with `--by-day D` also holds a recruitment plan; without it
    the four attributes below are None, and `targets` has no recruitment
    columns:

    - `recruitment_plan`: one row per LDU, grade and quarter with starts, in
      the file's order (by LDU, grade, then quarter): ldu, grade,
      quarter_start_day (days since day 0), quarter_start_date (the calendar
      date of that day: `start_date` plus its whole days), experienced_hires,
      trainee_starts (a PO trainee takes a PQiP place and fills the PO post on
      qualifying). An empty frame when the plan adds no posts. `attrs`:
      "units", "by_day" and "reachable";
    - `recruitment_by_day` (float, D) and `recruitment_reachable` (bool:
      every group's added staff can be in post by D);
    - `recruitment`: the `Run` of the scenario with the plan's starts as
      interventions, its statistics measured from day D on (label "with the
      recruitment");
    - `targets` gains recruitment_mean, recruitment_bound and
      recruitment_met: each target in that run.

    A file whose staffing groups are missing or damaged (a run group without
    its metadata, a recruitment plan without its run or a column) raises
    `FormatError` when opened.
    """

    kind = "staffing"

    def __init__(self, path, file, version):
        super().__init__(path, file, version)
        self.scenario_name: str = self.file_attrs.get("scenario_name", "")
        self.seed: int = self.file_attrs.get("seed")
        self.replications: int = self.file_attrs.get("replications")
        self.confidence: float = float(self.file_attrs.get("confidence", 0.95))
        self.all_met: bool = bool(self.file_attrs.get("all_met", 0))
        self.total_cost: float = float(self.file_attrs.get("total_cost", float("nan")))
        self.base = _run_group(self, "base", "base")
        self.solution = _run_group(self, "solution", "with the plan")
        self.runs = [self.base, self.solution]
        self.recruitment_by_day: float | None = None
        self.recruitment_reachable: bool | None = None
        self.recruitment: Run | None = None
        if "recruitment_plan" in file or "recruitment" in file:
            self._check_recruitment()
            g = file["recruitment_plan"]
            self.recruitment_by_day = float(_attr(g.attrs["by_day"]))
            self.recruitment_reachable = bool(_attr(g.attrs["reachable"]))
            self.recruitment = _run_group(self, "recruitment", "with the recruitment")
            self.runs.append(self.recruitment)

    def _check_recruitment(self) -> None:
        """A recruitment plan comes whole: its table, its attributes, its run and its target columns
        (their lengths are those of every column of /targets, checked on opening)."""
        where = f"{self.path}: staffing file with a damaged recruitment plan"
        g = self.file.get("recruitment_plan")
        if not isinstance(g, h5py.Group):
            raise FormatError(f"{where}: /recruitment is there but /recruitment_plan is not")
        if not isinstance(self.file.get("recruitment"), h5py.Group):
            raise FormatError(f"{where}: /recruitment_plan is there but its run /recruitment is not")
        missing = [f"attribute {a}" for a in ("by_day", "reachable") if a not in g.attrs]
        missing += [name for name in _RECRUITMENT_COLUMNS if not isinstance(g.get(name), h5py.Dataset)]
        targets = self.file["targets"]
        missing += [f"/targets/{name}" for name in _RECRUITMENT_TARGET_COLUMNS
                    if not isinstance(targets.get(name), h5py.Dataset)]
        if missing:
            raise FormatError(f"{where}: no {', '.join(missing)}")
        lengths = {g[name].shape for name in _RECRUITMENT_COLUMNS}
        if len(lengths) != 1 or len(next(iter(lengths))) != 1:
            raise FormatError(f"{where}: its columns are not 1-D of one length "
                              f"({', '.join(f'{n} {g[n].shape}' for n in _RECRUITMENT_COLUMNS)})")

    @functools.cached_property
    @reads
    def plan(self) -> pd.DataFrame:
        return _table(self.file["staffing_plan"], first=["ldu", "grade", "establishment_before",
                                                          "establishment_after", "added", "unit_cost", "cost"])

    @functools.cached_property
    @reads
    def targets(self) -> pd.DataFrame:
        frame = _table(self.file["targets"], first=["ldu", "figure", "op", "text", "value", "base_mean",
                                                     "base_bound", "base_met", "achieved_mean",
                                                     "achieved_bound", "met",
                                                     *_RECRUITMENT_TARGET_COLUMNS])
        for name in ("base_met", "met", "recruitment_met"):
            if name in frame:
                frame[name] = frame[name].astype(bool)
        frame.attrs["confidence"] = self.confidence
        return frame

    @functools.cached_property
    @reads
    def recruitment_plan(self) -> pd.DataFrame | None:
        """Starts by LDU, grade and quarter (see the class); None without `--by-day`."""
        if self.recruitment_by_day is None:
            return None
        g = self.file["recruitment_plan"]
        frame = _table(g, first=list(_RECRUITMENT_COLUMNS))
        days = frame["quarter_start_day"].to_numpy(float)
        dates = np.datetime64(self.base.start_date, "D") + np.floor(days).astype("timedelta64[D]")
        frame.insert(3, "quarter_start_date", dates.astype("datetime64[ns]"))
        frame.attrs["by_day"] = self.recruitment_by_day
        frame.attrs["reachable"] = self.recruitment_reachable
        return frame

    @functools.cached_property
    @reads
    def search(self) -> pd.DataFrame:
        g = self.file["search"]
        frame = pd.DataFrame({name: _column(g[name]) for name in
                              ("step", "change", "total_added", "cost", "shortfall", "accepted")})
        frame["accepted"] = frame["accepted"].astype(bool)
        means, bounds = g["target_mean"][()], g["target_bound"][()]
        for i in range(means.shape[1] if means.ndim == 2 else 0):
            frame[f"mean_{i}"] = means[:, i]
            frame[f"bound_{i}"] = bounds[:, i]
        return frame

    def __repr__(self) -> str:
        recruitment = ("" if self.recruitment_by_day is None else
                       f", recruitment plan by day {self.recruitment_by_day:g}")
        return (f"<caseload.Staffing {str(self.path)!r}: {self.scenario_name!r}, "
                f"{int(self.plan['added'].sum())} posts added, cost {self.total_cost:g}, "
                f"{'every target met' if self.all_met else 'NOT every target met'}{recruitment}>")


_KINDS = {"run": RunResults, "comparison": Comparison, "sweep": Sweep, "sensitivity": Sensitivity,
          "staffing": Staffing}


def open(path) -> Results:  # noqa: A001 (the name the design gives it)
    """Open a caseload HDF5 results file and check its format and schema version.

    Returns a `RunResults`, `Comparison`, `Sweep`, `Sensitivity` or `Staffing` according to the file's
    `kind` attribute. Raises `FormatError` if the file is empty, not HDF5, not a
    caseload results file, of a schema major version other than 1, of an
    unknown kind, or damaged (truncated, or without a group, attribute or
    column its kind needs, with columns of different lengths, or a scenario
    text that is not TOML); `FileNotFoundError` if there is no such file.
    A damaged dataset that only shows when its data are read (a failed
    checksum) raises `FormatError` when the frame that reads it is first asked for.
    """
    path = pathlib.Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")

    def structure():
        with h5py.File(path, "r") as probe:
            _open_kind(path, probe)

    survives(path, structure)
    try:
        file = h5py.File(path, "r")
    except OSError as e:
        raise FormatError(_not_hdf5(path, e)) from e
    try:
        with reading(path, "cannot read its structure"):
            return _open_kind(path, file)
    except BaseException:
        file.close()
        raise


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _not_hdf5(path: pathlib.Path, error: OSError) -> str:
    """Why h5py could not open `path` (`error`), in words: empty, cut short, text, or not HDF5."""
    try:
        with path.open("rb") as f:
            head = f.read(512)
    except OSError as e:
        return f"{path}: cannot read it: {e.strerror or e}"
    if not head:
        return f"{path}: an empty file (0 bytes), not a caseload results file"
    cut = re.search(r"truncated file: eof = (\d+).*stored_eof = (\d+)", str(error))
    if cut:
        return (f"{path}: damaged HDF5 file, truncated: {int(cut[1]):,} bytes of the {int(cut[2]):,} "
                f"it was written with")
    if head.startswith(_HDF5_SIGNATURE):
        return f"{path}: damaged HDF5 file, which HDF5 cannot open ({' '.join(str(error).split())})"
    text = head.decode("utf-8", errors="replace").rstrip("\ufffd")  # a character cut at byte 512
    if text.isprintable() or all(c.isprintable() or c in "\t\r\n" for c in text):
        return (f"{path}: a text file, not an HDF5 file (it begins {text.splitlines()[0][:40]!r}), "
                f"so not a caseload results file")
    return f"{path}: not an HDF5 file, so not a caseload results file ({' '.join(str(error).split())})"


def _open_kind(path: pathlib.Path, file: h5py.File) -> Results:
    """The open HDF5 `file` as the reader of its kind, once its format and version are checked."""
    fmt = _attr(file.attrs["format"]) if "format" in file.attrs else None
    if fmt != "caseload":
        found = "no 'format' attribute" if fmt is None else f"format = {fmt!r}"
        raise FormatError(f"{path}: not a caseload results file: found {found}, "
                          f"expected format = 'caseload'")
    version = _attr(file.attrs["schema_version"]) if "schema_version" in file.attrs else None
    if not (isinstance(version, list) and len(version) == 2):
        raise FormatError(f"{path}: caseload file without a valid schema_version "
                          f"(found {version!r}); this reader supports schema "
                          f"{SUPPORTED_MAJOR}.x")
    major, minor = int(version[0]), int(version[1])
    if major != SUPPORTED_MAJOR:
        raise FormatError(f"{path}: caseload schema version {major}.{minor} is not supported: "
                          f"this reader supports schema {SUPPORTED_MAJOR}.x (up to "
                          f"{SUPPORTED_MAJOR}.{KNOWN_MINOR}); use a caseload analysis package "
                          f"that matches the engine that wrote the file "
                          f"({_attr(file.attrs.get('engine_version', 'unknown'))})")
    kind = _attr(file.attrs["kind"]) if "kind" in file.attrs else "run"  # 1.0/1.1: runs only
    if kind not in _KINDS:
        raise FormatError(f"{path}: unknown kind of caseload file {kind!r}: expected one of "
                          f"{', '.join(_KINDS)}")
    return _KINDS[kind](path, file, (major, minor))
