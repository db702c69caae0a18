"""End-to-end tests of `caseload sensitivity`: the file it writes, its terminal
table, `info` on the file, and exit 2 for every malformed parameter."""

import h5py
import numpy as np
import pytest

from test_experiments import SHORT_BASE

# The short two-LDU scenario of the experiment tests, under its own name and seed.
SCENARIO = SHORT_BASE.replace('name = "base"\nseed = 5', 'name = "screened"\nseed = 9')
assert 'name = "screened"' in SCENARIO

TABLE = """\
[sensitivity]
parameters = { "tasks.task_share_at_capacity" = [0.05, 0.2], "ldu[*].arrivals_per_week.community" = [3, 6] }
"""

COLUMNS = ["parameter", "low", "high", "figure", "units", "effect", "ci_low", "ci_high", "n", "rank"]


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "screened.toml"
    path.write_text(SCENARIO + TABLE)
    return path


@pytest.fixture
def bare(tmp_path):
    """The scenario without a [sensitivity] table."""
    path = tmp_path / "bare.toml"
    path.write_text(SCENARIO)
    return path


def strings(dataset):
    return [s.decode() for s in dataset[()]]


def test_writes_one_row_per_parameter_and_figure(caseload, tmp_path, scenario):
    out, run = tmp_path / "sens.h5", tmp_path / "run.h5"
    proc = caseload("sensitivity", scenario, "-r", 4, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert caseload("run", scenario, "-r", 2, "-o", run, "-q").returncode == 0
    with h5py.File(run, "r") as f:
        stats = f["statistics"]
        figures = [g for g, l in zip(strings(stats["figure"]), strings(stats["ldu"])) if l == "division"]
    with h5py.File(out, "r") as f:
        assert f.attrs["kind"] == "sensitivity"
        assert list(f.attrs["schema_version"]) == [1, 8]
        assert f.attrs["scenario_name"] == "screened" and f.attrs["seed"] == 9
        assert f.attrs["replications"] == 4
        assert "replications" not in f and "runs" not in f   # no run's records: a small file
        # The scenario's own table, in key order.
        keys = ["ldu[*].arrivals_per_week.community", "tasks.task_share_at_capacity"]
        assert strings(f["parameters/parameter"]) == keys
        np.testing.assert_array_equal(f["parameters/low"][()], [3, 0.05])
        np.testing.assert_array_equal(f["parameters/high"][()], [6, 0.2])
        s = f["sensitivity"]
        assert sorted(s.keys()) == sorted(COLUMNS)
        assert s.attrs["confidence"] == 0.95
        n_rows = len(keys) * len(figures)
        assert all(len(s[c]) == n_rows for c in COLUMNS)
        pairs = list(zip(strings(s["parameter"]), strings(s["figure"])))
        assert len(set(pairs)) == n_rows
        assert pairs == [(k, g) for k in keys for g in figures]   # parameter by parameter
        assert (s["n"][()] <= 4).all() and (s["n"][()] == 4).any()
        np.testing.assert_array_equal(s["ci_low"][()] <= s["effect"][()],
                                      np.isfinite(s["effect"][()]) & np.isfinite(s["ci_low"][()]))
        # Each figure's ranks are 1 and 2; more arrivals hold more cases, clearly.
        rank = s["rank"][()].reshape(len(keys), len(figures))
        assert (np.sort(rank, axis=0) == [[1], [2]]).all()
        held = figures.index("mean_held")
        effect = s["effect"][()].reshape(len(keys), len(figures))
        low = s["ci_low"][()].reshape(len(keys), len(figures))
        assert effect[0, held] > 0 and low[0, held] > 0 and rank[0, held] == 1
    assert "mean_held (cases)" in proc.stdout
    lines = proc.stdout.splitlines()
    first = lines.index("mean_held (cases)")
    assert "ldu[*].arrivals_per_week.community" in lines[first + 1] and lines[first + 1].split()[0] == "1"
    assert "*" in lines[first + 1]
    assert f"Results in {out}" in proc.stdout


def test_param_replaces_the_scenarios_table(caseload, tmp_path, scenario):
    out = tmp_path / "one.h5"
    proc = caseload("sensitivity", "--param", "vacancy_rate.PO=0:0.25", scenario, "-r", 2, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    with h5py.File(out, "r") as f:
        assert strings(f["parameters/parameter"]) == ["vacancy_rate.PO"]
        assert set(strings(f["sensitivity/parameter"])) == {"vacancy_rate.PO"}
        assert (f["sensitivity/rank"][()] == 1).all()


def test_info_describes_a_sensitivity_file(caseload, tmp_path, scenario):
    out = tmp_path / "sens.h5"
    assert caseload("sensitivity", scenario, "-r", 2, "-o", out, "-q").returncode == 0
    proc = caseload("info", out)
    assert proc.returncode == 0, proc.stderr
    assert "caseload sensitivity file, schema 1.8" in proc.stdout
    assert "sensitivity of scenario screened (seed 9, 2 replications" in proc.stdout
    assert "tasks.task_share_at_capacity" in proc.stdout and "0.05 -> 0.2" in proc.stdout
    lines = proc.stdout.splitlines()
    first = lines.index("  mean_held")
    assert lines[first + 1].strip().startswith("1. ldu[*].arrivals_per_week.community")


def one_error(proc) -> str:
    """Exit 2, nothing on stdout, and one line on stderr: the message."""
    assert proc.returncode == 2, f"exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout == ""
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "error" in lines[0], proc.stderr
    return lines[0]


@pytest.mark.parametrize("spec, words", [
    ("tasks.review_hours", ["--param", "'tasks.review_hours'", "KEY=LOW:HIGH"]),
    ("tasks.review_hours=1", ["--param", "'tasks.review_hours=1'", "':'"]),
    ("tasks.review_hours=one:2", ["--param", "'tasks.review_hours=one:2'", "LOW 'one'"]),
    ("tasks.review_hours=1:two", ["--param", "HIGH 'two'"]),
    ("tasks.review_hours=2:2", ["--param", "equal"]),
    ("tasks.review_hourz=1:2", ["--param 'tasks.review_hourz=1:2'", "unknown key 'tasks.review_hourz'"]),
    ("tasks.task_share_at_capacity=0.1:1.5", ["--param 'tasks.task_share_at_capacity=0.1:1.5'",
                                               "= 1.5", "out of range"]),
    ("ldu[*].staff.PO.in_post=4.5:6", ["--param 'ldu[*].staff.PO.in_post=4.5:6'", "expected an integer"]),
    ("ldu[5].staff.PO.in_post=3:4", ["--param 'ldu[5].staff.PO.in_post=3:4'", "past the end"]),
    ("vacancy_rate.XO=0:0.2", ["--param 'vacancy_rate.XO=0:0.2'", "unknown grade"]),
    ("seed=1:2", ["--param 'seed=1:2'", "cannot be screened"]),
])
def test_a_malformed_param_exits_2_naming_it(caseload, tmp_path, scenario, spec, words):
    out = tmp_path / "never.h5"
    message = one_error(caseload("sensitivity", scenario, "-r", 2, "-o", out, "--param", spec))
    for word in words:
        assert word in message, message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["screened.toml"]


def test_nothing_to_screen_exits_2(caseload, bare):
    message = one_error(caseload("sensitivity", bare, "-r", 2))
    assert message.startswith(f"{bare}: error: nothing to screen")
    assert "--param" in message and "[sensitivity]" in message


@pytest.mark.parametrize("table, token, words", [
    ('parameters = { "tasks.review_hours" = [1] }', "[1]", ["expected two"]),
    ('parameters = { "tasks.review_hours" = [1, "2"] }', '"2"', ["expected a number"]),
    ('parameters = { "tasks.review_hours" = [2, 2] }', "[2, 2]", ["equal"]),
    ('parameters = { tasks.review_hours = [1, 2] }', "review_hours", ["quote a dotted key"]),
])
def test_a_malformed_table_is_placed_in_the_file(caseload, tmp_path, bare, table, token, words):
    text = SCENARIO + "[sensitivity]\n" + table + "\n"
    path = tmp_path / "bad.toml"
    path.write_text(text)
    line = text.count("\n", 0, text.index(table)) + 1
    column = table.index(token) + 1
    for args in (["validate", path], ["sensitivity", path, "-r", 2]):
        message = one_error(caseload(*args))
        assert message.startswith(f"{path}:{line}:")
        assert int(message.split(":")[2]) <= column   # at the range, or the key holding it
        for word in words:
            assert word in message, message


def test_a_table_key_the_scenario_refuses_is_named(caseload, tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text(SCENARIO + '[sensitivity]\nparameters = { "tasks.review_hourz" = [1, 2] }\n')
    message = one_error(caseload("sensitivity", path, "-r", 2))
    assert message.startswith(f'{path} [sensitivity] "tasks.review_hourz": error:')
    assert "unknown key 'tasks.review_hourz'" in message
