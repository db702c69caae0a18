"""Damaged and foreign files (issue 12): the package answers each with `FormatError` naming the
file and what is wrong, when it is opened or when the damaged data are first read, never with a
raw KeyError, ValueError, OSError or TOMLDecodeError; `python3 -m caseload report|export` and
`caseload-report` exit 2 with one line.

The damage is done to copies of the session's files (conftest.py) as tests/cli/test_file_integrity.py
does it: a byte flipped in a dataset's chunk (the engine writes every numeric dataset with a
Fletcher-32 checksum), the file cut short, one column of a table shortened, a group deleted, the
scenario text (the attribute `scenario` of each run group, and of a sensitivity file's root)
made unreadable or removed.
"""
import os
import pathlib
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

ANALYSIS = pathlib.Path(__file__).resolve().parents[2] / "analysis"
sys.path.insert(0, str(ANALYSIS))

import caseload  # noqa: E402
from caseload import cli  # noqa: E402

RUN_FRAMES = ("scenario", "snapshot_days", "officers", "officer_snapshots", "ldu_grade", "division_grade",
              "unallocated", "imbalance", "tasks", "timeliness", "victims", "statistics", "summary")
KIND_FRAMES = {"run": (), "comparison": ("comparison",), "sweep": ("sweep",),
               "sensitivity": ("scenario", "parameters", "sensitivity"),
               "staffing": ("plan", "targets", "search", "recruitment_plan")}


def read_everything(results):
    """Every frame of every run of an open file, and the file's own tables."""
    for run in results.runs:
        for name in RUN_FRAMES:
            getattr(run, name)
    for name in KIND_FRAMES[results.kind]:
        getattr(results, name)


@pytest.fixture(scope="module")
def sources(files, plan_file, sensitivity_file):
    return {"run": files["run"], "comparison": files["comparison"], "sweep": files["sweep"],
            "staffing": plan_file, "sensitivity": sensitivity_file}


# --------------------------------------------------------------------------- damage

def flip(dataset):
    """A byte of the first chunk of `dataset` flipped (as tests/cli/test_file_integrity.py)."""
    def damage(path):
        with h5py.File(path, "r") as f:
            offset = f[dataset].id.get_chunk_info(0).byte_offset
        with open(path, "r+b") as raw:
            raw.seek(offset + 3)
            byte = raw.read(1)
            raw.seek(offset + 3)
            raw.write(bytes([byte[0] ^ 0x10]))
    return damage


def truncate(keep):
    def damage(path):
        data = path.read_bytes()
        path.write_bytes(data[:int(len(data) * keep)])
    return damage


def shorten(dataset):
    """`dataset` one row shorter than the other columns of its table."""
    def damage(path):
        with h5py.File(path, "r+") as f:
            values = f[dataset][()]
            del f[dataset]
            f[dataset] = values[:-1]
    return damage


def delete(name):
    def damage(path):
        with h5py.File(path, "r+") as f:
            del f[name]
    return damage


def scenario(group, text=None):
    """The scenario text of `group` replaced by `text` (not TOML), or removed (None)."""
    def damage(path):
        with h5py.File(path, "r+") as f:
            if text is None:
                del f[group].attrs["scenario"]
            else:
                f[group].attrs["scenario"] = text
    return damage


NOT_TOML = 'name = "unclosed\n[ldu\n'

# (kind, damage, what the message says, found when opening (else on reading the data)).
DAMAGED = {
    "run-flipped-officers": ("run", flip("replications/0001/officers/contracted_hours"), "checksum", False),
    "run-flipped-statistics": ("run", flip("statistics/mean"), "checksum", False),
    "run-truncated": ("run", truncate(0.6), "damaged HDF5 file, truncated: ", True),
    "run-short-statistics": ("run", shorten("statistics/ldu"), "/statistics/ldu has shape (290,)", True),
    "run-short-snapshots": ("run", shorten("replications/0002/snapshots/officer_cases"),
                            "/replications/0002/snapshots/officer_cases has shape", True),
    "run-no-statistics": ("run", delete("statistics"), "no group /statistics", True),
    "run-no-victims": ("run", delete("replications/0001/victims"), "no group /replications/0001/victims", True),
    "run-no-replication": ("run", delete("replications/0002"), "holds 2 replication groups", True),
    "run-bad-scenario": ("run", scenario("/", NOT_TOML), "does not parse as TOML", True),
    "run-no-scenario": ("run", scenario("/"), "/ has no attribute scenario", True),
    "comparison-flipped-tasks": ("comparison", flip("variant/replications/0000/tasks/hours"), "checksum", False),
    "comparison-flipped-differences": ("comparison", flip("comparison/difference"), "checksum", False),
    "comparison-truncated": ("comparison", truncate(0.3), "damaged HDF5 file, truncated: ", True),
    "comparison-short-column": ("comparison", shorten("comparison/difference"),
                                "/comparison/difference has shape", True),
    "comparison-no-table": ("comparison", delete("comparison"), "comparison file without its /comparison group", True),
    "comparison-no-cells": ("comparison", delete("base/replications/0000/snapshots/ldu_grade"),
                            "no group /base/replications/0000/snapshots/ldu_grade", True),
    "comparison-bad-scenario": ("comparison", scenario("variant", NOT_TOML),
                                "attribute scenario of /variant) does not parse as TOML", True),
    "sweep-flipped-statistics": ("sweep", flip("runs/0001/statistics/mean"), "checksum", False),
    "sweep-flipped-snapshots": ("sweep", flip("runs/0000/replications/0001/snapshots/officer_cases"),
                                "checksum", False),
    "sweep-truncated": ("sweep", truncate(0.9), "damaged HDF5 file, truncated: ", True),
    "sweep-short-table": ("sweep", shorten("sweep/mean"), "/sweep/mean has shape", True),
    "sweep-short-tasks": ("sweep", shorten("runs/0000/replications/0001/tasks/deadline"),
                          "/runs/0000/replications/0001/tasks/deadline has shape", True),
    "sweep-no-run": ("sweep", delete("runs/0001"), "/runs holds 1 run", True),
    "sweep-no-table": ("sweep", delete("sweep"), "sweep file without its /sweep group", True),
    "sweep-bad-scenario": ("sweep", scenario("runs/0001", "[[ldu]]\nname = 1\n[ldu]\n"),
                           "attribute scenario of /runs/0001) does not parse as TOML", True),
    "staffing-flipped-search": ("staffing", flip("search/cost"), "checksum", False),
    "staffing-flipped-imbalance": ("staffing", flip("solution/replications/0002/imbalance/ldu/gini"),
                                   "checksum", False),
    "staffing-truncated": ("staffing", truncate(0.5), "damaged HDF5 file, truncated: ", True),
    "staffing-short-plan": ("staffing", shorten("staffing_plan/added"), "/staffing_plan/added has shape", True),
    "staffing-short-search": ("staffing", shorten("search/target_bound"), "/search/target_bound has shape", True),
    "staffing-no-summary": ("staffing", delete("solution/summary"), "no group /solution/summary", True),
    "staffing-no-officers": ("staffing", delete("base/replications/0001/officers"),
                             "no group /base/replications/0001/officers", True),
    "staffing-bad-scenario": ("staffing", scenario("solution", NOT_TOML), "does not parse as TOML", True),
    "sensitivity-flipped-effect": ("sensitivity", flip("sensitivity/effect"), "checksum", False),
    "sensitivity-truncated": ("sensitivity", truncate(0.7), "damaged HDF5 file, truncated: ", True),
    "sensitivity-short-rank": ("sensitivity", shorten("sensitivity/rank"), "/sensitivity/rank has shape", True),
    "sensitivity-no-parameters": ("sensitivity", delete("parameters"), "sensitivity file without its /parameters group", True),
    "sensitivity-bad-scenario": ("sensitivity", scenario("/", NOT_TOML), "does not parse as TOML", True),
}


def foreign(kind=None):
    """An HDF5 file made with h5py that is not caseload's; with `kind`, one that says it is."""
    def make(path):
        with h5py.File(path, "w") as f:
            f["data"] = np.arange(10.0)
            f.create_group("results").attrs["title"] = "someone else's"
            if kind:
                f.attrs["format"] = "caseload"
                f.attrs["schema_version"] = np.array([1, 5], dtype=np.int64)
                f.attrs["kind"] = kind
    return make


# (a file made from nothing, what the message says).
FOREIGN = {
    "foreign-hdf5": (foreign(), "not a caseload results file: found no 'format' attribute"),
    **{f"foreign-hdf5-said-{kind}": (foreign(kind), "damaged caseload file: ")
       for kind in ("run", "comparison", "sweep", "sensitivity", "staffing")},
    "text": (lambda path: path.write_text('schema_version = 1\nname = "notes"\n'),
             "a text file, not an HDF5 file (it begins 'schema_version = 1')"),
    "empty": (lambda path: path.write_bytes(b""), "an empty file"),
}


@pytest.fixture(params=[*DAMAGED, *FOREIGN])
def bad(request, sources, tmp_path):
    """(path of a damaged or foreign file, what the message says, found on opening)."""
    path = tmp_path / f"{request.param}.h5"
    if request.param in DAMAGED:
        kind, damage, says, at_open = DAMAGED[request.param]
        shutil.copy(sources[kind], path)
        damage(path)
    else:
        make, says = FOREIGN[request.param]
        make(path)
        at_open = True
    return path, says, at_open


# --------------------------------------------------------------------------- the package

def test_the_package_answers_with_format_error(bad):
    path, says, at_open = bad
    if at_open:
        with pytest.raises(caseload.FormatError) as raised:
            caseload.open(path)
    else:
        with caseload.open(path) as results, pytest.raises(caseload.FormatError) as raised:
            read_everything(results)
        assert isinstance(raised.value.__cause__, OSError)  # h5py's, kept as the cause
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and says in message, message
    assert "\n" not in message


def test_a_flipped_bit_names_what_was_being_read(sources, tmp_path):
    path = tmp_path / "flipped.h5"
    shutil.copy(sources["comparison"], path)
    flip("variant/replications/0000/tasks/hours")(path)
    with caseload.open(path) as c:
        c.base.tasks  # undamaged
        with pytest.raises(caseload.FormatError, match=r"damaged caseload file: cannot read tasks of the "
                           r"run /variant: Can't read data \(data error detected by Fletcher32 checksum\)"):
            c.variant.tasks
        # A per-replication read meets the damage only in the damaged replication.
        assert len(c.variant.read_officer_snapshots(replications=1)) > 0


def test_the_errors_a_caller_makes_are_not_format_errors(files):
    with caseload.open(files["run"]) as run:
        with pytest.raises(KeyError, match="no per-officer series 'nonsense'"):
            run.read_officer_snapshots(columns=["nonsense"])
        with pytest.raises(ValueError) as raised:
            run.read_officer_snapshots(days="soon")
        assert not isinstance(raised.value, caseload.FormatError)
    with pytest.raises(ValueError, match="the file is closed: read tasks before closing it") as raised:
        run.tasks
    assert not isinstance(raised.value, caseload.FormatError)


# --------------------------------------------------------------------------- the command line

def test_report_exits_2_with_one_line(bad, tmp_path, capsys):
    path, says, _ = bad
    out = tmp_path / "report.html"
    assert cli.main(["report", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"caseload: error: {path}: ") and says in err, err
    assert not out.exists() and list(tmp_path.glob("report.html*")) == []


def test_export_exits_2_with_one_line(bad, tmp_path, capsys):
    path, says, _ = bad
    out = tmp_path / "tables"
    assert cli.main(["export", str(path), "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"caseload: error: {path}: ") and says in err, err
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("case", ["run-flipped-officers", "staffing-truncated", "sweep-no-run"])
def test_the_commands_exit_2_with_one_line(case, sources, tmp_path):
    kind, damage, says, _ = DAMAGED[case]
    path = tmp_path / "damaged.h5"
    shutil.copy(sources[kind], path)
    damage(path)
    env = {**os.environ, "PYTHONPATH": str(ANALYSIS)}
    for command in (["-m", "caseload", "report", path], ["-m", "caseload", "export", path, "--csv", tmp_path],
                    ["-c", "import sys, caseload.cli; sys.exit(caseload.cli.report_main())", path]):
        proc = subprocess.run([sys.executable, *map(str, command)], capture_output=True, text=True,
                              env=env, timeout=120)
        assert proc.returncode == 2, (command, proc.stderr)
        assert proc.stderr.count("\n") == 1 and says in proc.stderr, (command, proc.stderr)


def test_a_file_that_crashes_the_hdf5_library_is_a_format_error(tmp_path):
    # Read in a forked child first: the crash ends the child, not this interpreter.
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "cli"))
    from test_file_integrity import heap_damaged_file
    crafted = tmp_path / "crafted.h5"
    heap_damaged_file(crafted)
    with pytest.raises(caseload.FormatError, match="the HDF5 library crashed reading it"):
        caseload.open(crafted)
