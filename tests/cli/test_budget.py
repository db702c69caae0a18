"""A budget before the run (issue 12): scenarios that are valid but would
exhaust memory or never end are refused at once with exit 2 and the
estimate; distributions whose derived parameters overflow are refused; and
the estimate is close to what runs measure."""

import pathlib
import re

import pytest

from test_experiments import SHORT_BASE

REPO = pathlib.Path(__file__).resolve().parents[2]
MIDLANDS = REPO / "scenarios" / "midlands-2018.toml"
NATIONAL = REPO / "scenarios" / "national-2019.toml"

STAFFING = """
[staffing]
short_sickness_per_year = 1e300
short_sickness_days = { dist = "lognormal", mean = 1e-300, sd = 1e-300 }
"""

# Each: (text in SHORT_BASE, its replacement), and what the refusal says.
# Slips of the exponent are refused by the key's bound; what stays within
# the bounds but adds up to too much, by the budget.
HOSTILE = {
    "arrivals": (("community = 6 }", "community = 1e9 }"), "a number per week from 0 to 1000000"),
    "court-reports": (("court_reports_per_week = 4", "court_reports_per_week = 1e300"),
                      "a number per week from 0 to 1000000"),
    "escalations": (("victim_probability = 0.3", "victim_probability = 0.3\nescalations_per_year = { C = 1e6 }"),
                    "a rate per year from 0 to 1000"),
    "demand-factor": (("court_reports_per_week = 2\n", "court_reports_per_week = 2\n"
                       "[[intervention]]\nat_day = 10\ndemand_factor = 1e6\n"), "expected a factor from 0 to 10"),
    "sickness-loop": (("[tasks]", STAFFING + "[tasks]"), "a rate per year from 0 to 1000"),
    "duration": (("mean = 120, sd = 80", "mean = 1e9, sd = 80"), "of memory at its peak, over the limit"),
    "lognormal-overflow": (("mean = 120, sd = 80", "mean = 1e300, sd = 1e300"), "events per replication, over the limit"),
    "many-arrivals": (("community = 6 }", "community = 9e5 }\n[case_types.community2]"), None),
    "weibull-shape": (('{ dist = "lognormal", mean = 120, sd = 80 }', '{ dist = "weibull", shape = 1e-300, scale = 100 }'),
                      "infinite or undefined mean"),
}
HOSTILE.pop("many-arrivals")  # below, on the Midlands scenario, where the rates add up

@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_valid_looking_scenarios_that_would_not_end_are_refused_at_once(caseload, tmp_path, case):
    (old, new), message = HOSTILE[case]
    assert old in SHORT_BASE
    path = tmp_path / f"{case}.toml"
    path.write_text(SHORT_BASE.replace(old, new, 1))
    for command in (["validate", path], ["run", path, "-r", 1, "-o", tmp_path / "out.h5"]):
        proc = caseload(*command)  # the fixture fails the test after 30 s
        assert proc.returncode == 2, (case, proc.returncode, proc.stderr)
        assert message in proc.stderr, proc.stderr
    assert not (tmp_path / "out.h5").exists()


def test_rates_within_their_bounds_that_add_up_to_too_much_are_refused_by_the_budget(caseload):
    # 900,000 community cases a week in each of nine LDUs, each held for
    # months: about 4e8 cases at once, hundreds of GB.
    proc = caseload("run", MIDLANDS, "-r", 1, "--vary", "ldu[*].arrivals_per_week.community=9e5")
    assert proc.returncode == 2 and "over the limit" in proc.stderr, proc.stderr
    proc = caseload("run", MIDLANDS, "-r", 1, "--vary", "ldu[*].arrivals_per_week.community=9e5", "--max-events", 1e12)
    assert proc.returncode == 2 and "of memory at its peak, over the limit" in proc.stderr, proc.stderr


def test_quarter_hourly_snapshots_of_the_national_scenario_are_refused_by_memory(caseload, tmp_path):
    # A replication holds its cell and imbalance series (the officer series go
    # as they are taken): about 7 GB estimated at a snapshot every 0.01 days
    # (3 GB measured), so four at once are over 16 GB, and one is not.
    proc = caseload("run", NATIONAL, "-r", 4, "-j", 4, "--vary", "snapshot_every_days=0.01", "--max-memory", 16)
    assert proc.returncode == 2 and "of memory at its peak, over the limit of 16 GB" in proc.stderr
    # (The output is checked after the memory: refused by it, one passed the memory.)
    proc = caseload("run", NATIONAL, "-r", 1, "--vary", "snapshot_every_days=0.01", "--max-memory", 16,
                    "-o", tmp_path / "n.h5", "--max-output", 0.001)
    assert proc.returncode == 2 and "an output file of about" in proc.stderr, proc.stderr


def test_limits_can_be_raised_or_lowered(caseload, tmp_path):
    assert caseload("validate", MIDLANDS).returncode == 0
    proc = caseload("run", MIDLANDS, "-r", 2, "--max-memory", 0.01, "-o", tmp_path / "m.h5")
    assert proc.returncode == 2 and "--max-memory" in proc.stderr
    proc = caseload("run", MIDLANDS, "-r", 1, "--max-events", 1000, "-o", tmp_path / "m.h5")
    assert proc.returncode == 2 and "--max-events" in proc.stderr
    proc = caseload("run", MIDLANDS, "-r", 1, "--max-output", 0.001, "-o", tmp_path / "m.h5")
    assert proc.returncode == 2 and "--max-output" in proc.stderr


@pytest.mark.parametrize("scenario", [MIDLANDS, NATIONAL], ids=["midlands", "national"])
def test_the_estimate_is_within_a_factor_of_two_of_the_events_a_run_takes(caseload, tmp_path, scenario):
    # The estimate is for refusing runs orders of magnitude too large, so a
    # factor of two either way is what it must hold to (measured: 1.4x high).
    proc = caseload("validate", scenario)
    assert proc.returncode == 0, proc.stderr
    estimated = float(re.search(r"([0-9.e+]+) events per replication", proc.stdout).group(1))
    run = caseload("run", scenario, "-r", 1, "-j", 1, "--stats", "-o", tmp_path / "out.h5")
    assert run.returncode == 0, run.stderr
    events = int(re.search(r"(\d+) events in", run.stdout).group(1))
    assert events / 2 <= estimated <= events * 2, (estimated, events)


def test_a_sweeps_file_is_checked_as_a_whole(caseload, tmp_path):
    # Each value's run fits under the limit (one run: about 31 MB estimated, a third of that
    # compressed, for 3 replications); the sweep's file holds all four.
    args = ["run", MIDLANDS, "-r", 3, "--max-output", 0.05, "-o", tmp_path / "v.h5"]
    assert caseload(*args[:-2], "-o", tmp_path / "one.h5", "-q").returncode == 0
    proc = caseload(*args, "--vary", "seed=1,2,3,4")
    assert proc.returncode == 2 and "the 4 runs' file would take" in proc.stderr, proc.stderr
    assert not (tmp_path / "v.h5").exists()
