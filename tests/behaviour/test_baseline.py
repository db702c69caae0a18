"""Behavioural tests on the Midlands baseline: does the output move the way the
domain says when the input moves, smoothly and for the right reason?

Each test runs the real scenario through the command line (release build, a
few seconds each) at a fixed seed. Tolerances come from the replications'
own spread or from the size of the effect, as said at each assertion.
"""

import pathlib
import subprocess

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "midlands-2018.toml"


def run(caseload_bin, tmp_path, *args):
    out = tmp_path / "out.h5"
    subprocess.run([str(caseload_bin), "run", str(BASELINE), "-q", "-j", "2", "-o", str(out), *map(str, args)],
                   check=True, stdin=subprocess.DEVNULL, timeout=600)
    return h5py.File(out, "r")


def division(stats_group, figure):
    """(mean, half width) of a division figure in a statistics table."""
    ldu = [v.decode() for v in stats_group["ldu"][()]]
    names = [v.decode() for v in stats_group["figure"][()]]
    i = next(k for k, (l, f) in enumerate(zip(ldu, names)) if l == "division" and f == figure)
    return stats_group["mean"][i], stats_group["half_width"][i]


@pytest.fixture(scope="module")
def vacancy_sweep(caseload_bin, tmp_path_factory):
    rates = [0.15, 0.20, 0.25, 0.30, 0.35]
    f = run(caseload_bin, tmp_path_factory.mktemp("sweep"), "-r", 4,
            "--vary", "vacancy_rate.PO=" + ",".join(map(str, rates)))
    runs = [f["runs"][name]["statistics"] for name in sorted(f["runs"])]
    return rates, runs


def series(vacancy_sweep, figure):
    rates, runs = vacancy_sweep
    return np.array([division(r, figure)[0] for r in runs])


def test_a_held_po_vacancy_rate_is_the_rate_measured(vacancy_sweep):
    # vacancy_rate.PO holds the rate through the window (time-averaged figure).
    # Tolerance 0.03: in post varies with a Poisson recruitment pipeline of
    # about 100 POs (sd about 10 posts, 1.6% of 640), averaged over 4 replications.
    rates, _ = vacancy_sweep
    np.testing.assert_allclose(series(vacancy_sweep, "vacancy_rate_PO"), rates, atol=0.03)


def test_po_load_and_lateness_rise_monotonically_along_the_vacancy_sweep(vacancy_sweep):
    # Common random numbers: every value of the sweep shares the streams, so the
    # differences are the shortage's, and each step must move the same way.
    assert np.all(np.diff(series(vacancy_sweep, "capacity_mean_PO")) > 0)
    assert np.all(np.diff(series(vacancy_sweep, "plan_review_share_on_time")) < 0)
    assert np.all(np.diff(series(vacancy_sweep, "plan_review_mean_days")) > 0)
    assert np.all(np.diff(series(vacancy_sweep, "parole_report_share_on_time")) < 0)
    # PSOs take the B work POs cannot: their load rises too.
    assert np.all(np.diff(series(vacancy_sweep, "capacity_mean_PSO")) > 0)


def test_lateness_bends_rather_than_breaks(vacancy_sweep):
    # No cliff: along equal steps of the vacancy rate, no single step carries
    # most of the fall in reviews on time (a floor or threshold would put it
    # all in one step).
    on_time = series(vacancy_sweep, "plan_review_share_on_time")
    steps = -np.diff(on_time)
    assert steps.max() < 0.6 * steps.sum()


def test_a_po_shortage_leaves_victim_work_alone(vacancy_sweep):
    # Victim contact is the VLOs' work: the PO sweep must not move it.
    vlo = series(vacancy_sweep, "vlo_caseload")
    np.testing.assert_allclose(vlo, vlo[0], rtol=0, atol=1e-9)


def test_a_pso_shortage_shows_in_court_reports(caseload_bin, tmp_path):
    # Court reports are the court team's work, and the team is a share of the
    # PSOs (and POs) in post: fewer PSOs, a smaller team, later reports. Each
    # step of the sweep must lower the share on time and raise the days taken.
    f = run(caseload_bin, tmp_path, "-r", 4, "--vary", "vacancy_rate.PSO=0.1,0.3,0.45")
    runs = [f["runs"][name]["statistics"] for name in sorted(f["runs"])]
    on_time = np.array([division(r, "court_reports_share_on_time")[0] for r in runs])
    days = np.array([division(r, "court_reports_mean_days")[0] for r in runs])
    assert np.all(np.diff(on_time) < 0), on_time
    assert np.all(np.diff(days) > 0), days


def test_the_grade_mix_of_cases_is_stationary_over_ten_years(caseload_bin, tmp_path):
    # With no interventions, escalations up and step-downs after de-escalation
    # balance: each grade's share of cases held in the last year is within 1
    # percentage point of the first year's (issue #9). 4 replications.
    f = run(caseload_bin, tmp_path, "-r", 4, "--vary", "horizon_days=3832")
    group = f["runs/0000"]
    first, last = [], []
    for name in group["replications"]:
        snaps = group["replications"][name]["snapshots"]
        days = snaps["time_days"][()]
        cases = snaps["division_grade/cases"][()]
        a = cases[days < days[0] + 365].sum(0)
        b = cases[days > days[-1] - 365].sum(0)
        first.append(a / a.sum())
        last.append(b / b.sum())
    drift = np.mean(last, axis=0) - np.mean(first, axis=0)
    assert np.abs(drift).max() < 0.01, drift
