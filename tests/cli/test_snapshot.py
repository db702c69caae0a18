"""`[initial_state]` from a snapshot of staff and cases (docs/scenario-format.md,
"Starting from a snapshot"): the example scenario runs, its results file records
the files' digests and row counts, day 0 is what the files say, and a broken
file stops the run with one message naming the file, the line and the column,
before anything is written."""

import csv
import hashlib
import pathlib
import shutil

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "midlands-2018-snapshot.toml"
STAFF = ROOT / "scenarios" / "data" / "midlands-2018-staff.csv"
CASES = ROOT / "scenarios" / "data" / "midlands-2018-cases.csv"


def rows(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_snapshot_scenario_runs_and_records_its_files(caseload, tmp_path):
    out = tmp_path / "out.h5"
    proc = caseload("run", SCENARIO, "-r", "1", "-q", "-o", out)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out) as f:
        attrs = f.attrs
        assert attrs["initial_state"] == "snapshot"
        assert attrs["snapshot_date"] == "2018-08-01"
        assert attrs["start_date"] == "2018-08-01"   # day 0 is the snapshot date
        for name, path in (("staff", STAFF), ("cases", CASES)):
            assert attrs[f"snapshot_{name}_file"] == str(path)
            assert attrs[f"snapshot_{name}_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
            assert attrs[f"snapshot_{name}_rows"] == len(rows(path))


def test_a_synthetic_start_records_no_snapshot(caseload, tmp_path):
    out = tmp_path / "out.h5"
    proc = caseload("run", ROOT / "scenarios" / "validation" / "mmc-1.toml", "-r", "1", "-q", "-o", out)
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out) as f:
        assert f.attrs["initial_state"] in ("steady_state", "empty")
        assert "snapshot_cases_sha256" not in f.attrs


def test_day_zero_is_what_the_files_say(caseload, tmp_path):
    # A variant of the example, in another folder, measured from day 0: its
    # snapshot's paths stay relative to the example, where they are written.
    variant = tmp_path / "day0.toml"
    variant.write_text(f'schema_version = 1\nextends = "{SCENARIO}"\nwarmup_days = 0\nhorizon_days = 7\n')
    out = tmp_path / "out.h5"
    proc = caseload("run", variant, "-r", "1", "-q", "-o", out)
    assert proc.returncode == 0, proc.stderr
    staff, cases = rows(STAFF), rows(CASES)
    with h5py.File(out) as f:
        snaps = f["replications/0000/snapshots"]
        assert snaps["time_days"][0] == 0.0
        held = snaps["officer_cases"][0]
        state = snaps["officer_state"][0]
        grade = snaps["officer_grade"][0]
        names = [g.decode() if isinstance(g, bytes) else g for g in f["grade_names"][()]]
        ldus = [n.decode() if isinstance(n, bytes) else n for n in f["ldu_names"][()]]
        cells = f["replications/0000/snapshots/ldu_grade"]
        in_post = cells["in_post"][0] if cells["in_post"].ndim == 2 else cells["in_post"][0]
    # Officers 0 … n-1 are the file's staff, in its order: their grade and absence.
    assert len(held) >= len(staff)
    for i, s in enumerate(staff):
        assert names[grade[i]] == s["grade"]
        assert state[i] == (1 if s["status"] == "absent" else 0), s["staff_id"]
    # Cases held per officer: the file's, and the unallocated placed at day 0 on top.
    per_officer = {s["staff_id"]: 0 for s in staff}
    for c in cases:
        if c["staff_id"]:
            per_officer[c["staff_id"]] += 1
    unallocated = sum(1 for c in cases if not c["staff_id"])
    assert unallocated > 0
    extra = 0
    for i, s in enumerate(staff):
        assert held[i] >= per_officer[s["staff_id"]], s["staff_id"]
        extra += int(held[i]) - per_officer[s["staff_id"]]
    assert extra == unallocated   # every unallocated case found an officer at day 0
    # Staff in post per LDU and grade (in post or absent) as the file counts them.
    counts = np.zeros((len(ldus), len(names)), dtype=int)
    for s in staff:
        counts[ldus.index(s["ldu"]), names.index(s["grade"])] += 1
    assert np.array_equal(np.asarray(in_post).reshape(len(ldus), len(names)), counts)


def broken_copy(tmp_path, file, old, new):
    """The example's files in tmp_path with `old` replaced by `new` (once) in one of them,
    and a scenario there that starts from them; returns the scenario and the broken file."""
    for path in (STAFF, CASES):
        shutil.copy(path, tmp_path / path.name)
    broken = tmp_path / file
    data = broken.read_bytes()
    assert old in data
    broken.write_bytes(data.replace(old, new, 1))
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'schema_version = 1\nextends = "{SCENARIO}"\n'
                        f'[initial_state]\nsnapshot_date = 2018-08-01\n'
                        f'staff = "{STAFF.name}"\ncases = "{CASES.name}"\n')
    return scenario, broken


CASES_HEADER = b"case_id,ldu,staff_id,case_type,tier,start_date,expected_end_date,victim_case\n"


@pytest.mark.parametrize("file, old, new, line, column, message", [
    ("midlands-2018-cases.csv", b"C000003,Birmingham,", b"C000003,Brum,", 4, 9, "unknown LDU \"Brum\""),
    ("midlands-2018-cases.csv", b"C000002,", b"C000001,", 3, 1, "\"C000001\" is used twice (first on line 2)"),
    ("midlands-2018-cases.csv", CASES_HEADER, CASES_HEADER.replace(b",tier", b",Tier"), 1, 1, "missing column 'tier'"),
    ("midlands-2018-staff.csv", b"S0003,Birmingham,PO", b"S0003,Birmingham,Probation Officer", 4, 18,
     "unknown grade \"Probation Officer\""),
    ("midlands-2018-staff.csv", b"S0002,Birmingham", b"S0002,Birmingham\xe9", 3, 17, "is not UTF-8"),
])
def test_a_broken_snapshot_stops_the_run_naming_file_line_and_column(caseload, tmp_path, file, old, new, line,
                                                                     column, message):
    scenario, broken = broken_copy(tmp_path, file, old, new)
    out = tmp_path / "out.h5"
    proc = caseload("run", scenario, "-r", "1", "-o", out)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"{broken}:{line}:{column}: error: "), lines[0]
    assert message in lines[0]
    assert not out.exists()
    assert proc.stdout == ""


def test_a_case_held_by_an_absent_officer_is_refused(caseload, tmp_path):
    staff = rows(STAFF)
    absent = next(s["staff_id"] for s in staff if s["status"] == "absent")
    holder = next(c for c in rows(CASES) if c["staff_id"])
    scenario, broken = broken_copy(tmp_path, CASES.name,
                                   f"{holder['case_id']},{holder['ldu']},{holder['staff_id']},".encode(),
                                   f"{holder['case_id']},{holder['ldu']},{absent},".encode())
    proc = caseload("validate", scenario)
    assert proc.returncode == 2
    assert f"{broken}:2:" in proc.stderr and f'"{absent}" is absent at the snapshot date' in proc.stderr
