"""Fixtures of the analysis suite: the engine run on small scenarios (well under a
second each), one file of each kind, made once per session and shared by the
test modules (the package's readers, its report and plots, the export)."""
import pathlib
import subprocess
import sys

import pytest

ANALYSIS = pathlib.Path(__file__).resolve().parents[2] / "analysis"
sys.path.insert(0, str(ANALYSIS))

import caseload  # noqa: E402

# A small two-LDU scenario with tasks, victims and staffing.
SMALL = """\
schema_version = 1
name = "pytest-small"
seed = 11
start_date = 2020-01-06
horizon_days = 280
warmup_days = 56
snapshot_every_days = 7
replications = 3
initial_state = "steady_state"

[case_types.community]
duration_days = { dist = "lognormal", mean = 300, sd = 150 }
tier_mix = { A2 = 0.3, B1 = 0.4, C1 = 0.2, D1 = 0.1 }
escalations_per_year = { B = 0.4, C = 0.4, D = 0.4 }
deescalations_per_year = { A = 0.4, B = 0.3 }

[case_types.custody]
duration_days = { dist = "lognormal", mean = 500, sd = 300 }
tier_mix = { A1 = 0.3, B2 = 0.5, C2 = 0.2 }
becomes = "licence"
victim_probability = 0.6

[case_types.licence]
duration_days = { dist = "lognormal", mean = 360, sd = 200 }
tier_mix = { A1 = 0.3, B2 = 0.5, C2 = 0.2 }
escalations_per_year = { B = 0.5, C = 0.5 }

[tasks]
parole_reports = true
parole_min_custody_days = 300
parole_lead_days = 60
parole_due_before_release_days = 14

[staffing]
leavers_per_year = { PO = 0.3, PSO = 0.3, VLO = 0.3 }
time_to_hire_days = { dist = "lognormal", mean = 60, sd = 20 }
refill_vacancies = true
short_sickness_per_year = 3
short_sickness_days = { dist = "lognormal", mean = 5, sd = 3 }

[[ldu]]
name = "North & East"
neighbours = ["South"]
staff.PO = { establishment = 9, in_post = 7 }
staff.PQiP = { establishment = 2 }
staff.PSO = { establishment = 5 }
staff.SPO = { establishment = 2 }
staff.VLO = { establishment = 1 }
arrivals_per_week = { community = 2.0, custody = 1.2, licence = 0.3 }
court_reports_per_week = 4

[[ldu]]
name = "South"
neighbours = ["North & East"]
staff.PO = { establishment = 6 }
staff.PSO = { establishment = 4 }
staff.VLO = { establishment = 1 }
arrivals_per_week = { community = 1.5, custody = 0.8 }
court_reports_per_week = 3
"""

VARIANT = """\
schema_version = 1
extends = "small.toml"
name = "pytest-small-vacancies"

[overrides]
"vacancy_rate.PO" = 0.4
"""

# SMALL with interventions: one in the warm-up (day 20 < 56), two on day 140 (trainee POs
# in one LDU, more demand everywhere) and staff removed on day 200.
INTERVENED = """\
schema_version = 1
extends = "small.toml"
name = "pytest-small-interventions"

[[intervention]]
at_day = 20
ldu = "South"
add_staff.PSO = 1

[[intervention]]
at_day = 140
ldu = "North & East"
add_staff.PO = 3
recruits = "trainee"

[[intervention]]
at_day = 140
demand_factor = 1.2

[[intervention]]
at_day = 200
ldu = "South"
add_staff.PO = -2
"""

# One LDU and three parameters to screen.
SENSITIVITY = """\
schema_version = 1
name = "pytest-screened"
seed = 4
horizon_days = 200
warmup_days = 50
replications = 3
[tasks]
sdr_share = 0.2
[case_types.community]
duration_days = { dist = "lognormal", mean = 150, sd = 90 }
tier_mix = { A3 = 0.4, B1 = 0.3, C1 = 0.3 }
[[ldu]]
name = "North"
staff.PO = { establishment = 8, in_post = 6 }
staff.PSO = { establishment = 3 }
arrivals_per_week = { community = 5 }
court_reports_per_week = 3
[sensitivity]
parameters = { "ldu[*].arrivals_per_week.community" = [3, 7], "vacancy_rate.PO" = [0, 0.3], "tasks.review_hours" = [1, 3] }
"""

# Two LDUs short of POs, for a staffing search.
STAFFED = """\
schema_version = 1
name = "pytest-staffed"
seed = 6
horizon_days = 200
warmup_days = 50
replications = 4
[case_types.community]
duration_days = { dist = "lognormal", mean = 150, sd = 90 }
tier_mix = { A3 = 0.4, B1 = 0.3, C1 = 0.3 }
[[ldu]]
name = "North"
staff.PO = { establishment = 8, in_post = 6 }
staff.PSO = { establishment = 3 }
arrivals_per_week = { community = 5 }
[[ldu]]
name = "South"
staff.PO = { establishment = 6 }
staff.PSO = { establishment = 2 }
arrivals_per_week = { community = 4 }
"""

# STAFFED with staff flows (leavers, a time to hire, a short training), a start
# date and a longer horizon, for a staffing plan with a recruitment plan
# (--by-day): PO posts are filled by trainees, PSO posts by experienced hires.
RECRUITED = STAFFED.replace('name = "pytest-staffed"', 'name = "pytest-recruited"\nstart_date = 2024-04-01') \
    .replace("horizon_days = 200", "horizon_days = 330") + """\
[staffing]
leavers_per_year = { PO = 0.3, PQiP = 0.1, PSO = 0.3 }
time_to_hire_days = { dist = "lognormal", mean = 40, sd = 10 }
refill_vacancies = true
trainee_reductions = [{ months = 2, percent = 50 }]
"""
RECRUITMENT_BY_DAY = 240


@pytest.fixture(scope="session")
def run_caseload(caseload_bin):
    def run(*args, check=True):
        result = subprocess.run([caseload_bin, *map(str, args)], capture_output=True, text=True,
                                timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"caseload {' '.join(map(str, args))} failed "
                                 f"({result.returncode}):\n{result.stderr}")
        return result
    return run


@pytest.fixture(scope="session")
def files(tmp_path_factory, run_caseload):
    """The small scenario run three ways: a run, a comparison and a sweep."""
    d = tmp_path_factory.mktemp("package")
    (d / "small.toml").write_text(SMALL)
    (d / "variant.toml").write_text(VARIANT)
    out = {"run": d / "run.h5", "comparison": d / "cmp.h5", "sweep": d / "sweep.h5", "dir": d}
    run_caseload("run", d / "small.toml", "-o", out["run"], "-q")
    run_caseload("compare", d / "small.toml", d / "variant.toml", "-o", out["comparison"], "-q")
    run_caseload("run", d / "small.toml", "-r", 2, "--vary", "vacancy_rate.PO=0.1,0.3",
                 "-o", out["sweep"], "-q")
    return out


@pytest.fixture(scope="session")
def intervened(tmp_path_factory, run_caseload):
    """SMALL with the interventions of INTERVENED: a run, and a comparison with SMALL."""
    d = tmp_path_factory.mktemp("intervened")
    (d / "small.toml").write_text(SMALL)
    (d / "intervened.toml").write_text(INTERVENED)
    out = {"run": d / "run.h5", "comparison": d / "cmp.h5", "dir": d}
    run_caseload("run", d / "intervened.toml", "-o", out["run"], "-q")
    run_caseload("compare", d / "small.toml", d / "intervened.toml", "-o", out["comparison"], "-q")
    return out


@pytest.fixture(scope="session")
def sensitivity_file(tmp_path_factory, run_caseload):
    """A sensitivity screening of SENSITIVITY."""
    d = tmp_path_factory.mktemp("sensitivity")
    (d / "screened.toml").write_text(SENSITIVITY)
    out = d / "sens.h5"
    run_caseload("sensitivity", d / "screened.toml", "-o", out, "-q")
    return out


@pytest.fixture(scope="session")
def plan_file(tmp_path_factory, run_caseload):
    """A staffing plan for STAFFED: a target 10 points below the base's mean PO capacity."""
    d = tmp_path_factory.mktemp("staffing")
    (d / "s.toml").write_text(STAFFED)
    base = d / "base.h5"
    run_caseload("run", d / "s.toml", "-o", base, "-q")
    with caseload.open(base) as run:
        stats = run.statistics
        mean = stats[(stats.ldu == "division") & (stats.figure == "capacity_mean_PO")]["mean"].iloc[0]
    out = d / "plan.h5"
    # A target 10 points below the base's mean needs posts.
    run_caseload("staff", d / "s.toml", "--target", f"capacity_mean_PO<={mean - 10:.3f}", "--grades", "PO,PSO",
                 "--cost", "PO=48000", "--cost", "PSO=30000", "-o", out, "-q")
    return out


@pytest.fixture(scope="session")
def recruitment_file(tmp_path_factory, run_caseload):
    """A staffing plan for RECRUITED with a recruitment plan by day RECRUITMENT_BY_DAY: targets on
    PO capacity and South's PSO capacity, so that the plan adds POs (trainee starts) and PSOs
    (experienced hires)."""
    d = tmp_path_factory.mktemp("recruitment")
    (d / "r.toml").write_text(RECRUITED)
    out = d / "recruit.h5"
    result = run_caseload("staff", d / "r.toml", "--target", "capacity_mean_PO<=70",
                          "--target", "South:capacity_mean_PSO<=18", "--grades", "PO,PSO",
                          "--cost", "PO=48000", "--cost", "PSO=30000",
                          "--by-day", RECRUITMENT_BY_DAY, "-o", out, "-q", check=False)
    # Exit 1 with the file written: the recruitment does not meet every target from the day on
    # (a finding the file records, in /targets/recruitment_met), not a failure to run.
    assert result.returncode == 0 or (result.returncode == 1 and "recruitment plan" in result.stderr
                                      and out.exists()), result.stderr
    return out
