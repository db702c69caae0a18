"""End-to-end tests of `caseload staff`: the plan file it writes, its terminal
table, exit 1 when no plan within --max-added meets the targets, exit 2 for
every malformed target, grade, LDU or cost, and `info` on the file."""

import h5py
import numpy as np
import pytest

from test_experiments import SHORT_BASE

# The short two-LDU scenario of the experiment tests: POs at about 63% of
# capacity in the division and 53% in South, so targets below those need posts.
TARGETS = ["--target", "capacity_mean_PO<=55", "--target", "South:capacity_mean_PO<=50"]
PLAN_COLUMNS = ["ldu", "grade", "establishment_before", "establishment_after", "added", "unit_cost", "cost"]
TARGET_COLUMNS = ["ldu", "figure", "op", "text", "value", "base_mean", "base_bound", "base_met",
                  "achieved_mean", "achieved_bound", "met"]
SEARCH_COLUMNS = ["step", "change", "plan", "total_added", "cost", "shortfall", "accepted", "target_mean",
                  "target_bound"]


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(SHORT_BASE)
    return path


def strings(dataset):
    return [s.decode() for s in dataset[()]]


def statistic(run, ldu, figure):
    s = run["statistics"]
    rows = [i for i, (l, f) in enumerate(zip(strings(s["ldu"]), strings(s["figure"]))) if l == ldu and f == figure]
    assert len(rows) == 1
    return s["mean"][rows[0]], s["ci_high"][rows[0]]


def test_writes_a_plan_that_meets_the_targets(caseload, tmp_path, scenario):
    out = tmp_path / "plan.h5"
    proc = caseload("staff", scenario, *TARGETS, "--cost", "PO=48000", "-r", 4, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "Every target is met." in proc.stdout and "total cost" in proc.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["kind"] == "staffing"
        assert list(f.attrs["schema_version"]) == [1, 8]
        assert f.attrs["all_met"] == 1 and f.attrs["replications"] == 4 and f.attrs["seed"] == 5
        plan = f["staffing_plan"]
        assert sorted(plan.keys()) == sorted(PLAN_COLUMNS)
        assert strings(plan["ldu"]) == ["North", "South"] and strings(plan["grade"]) == ["PO", "PO"]
        np.testing.assert_array_equal(plan["establishment_before"][()], [8, 6])
        added = plan["added"][()]
        assert added.sum() > 0 and (added >= 0).all()
        np.testing.assert_array_equal(plan["establishment_after"][()], plan["establishment_before"][()] + added)
        np.testing.assert_array_equal(plan["cost"][()], 48000.0 * added)
        assert f.attrs["total_cost"] == 48000.0 * added.sum()

        t = f["targets"]
        assert sorted(t.keys()) == sorted(TARGET_COLUMNS)
        assert strings(t["ldu"]) == ["division", "South"]
        assert strings(t["figure"]) == ["capacity_mean_PO"] * 2 and strings(t["op"]) == ["<="] * 2
        np.testing.assert_array_equal(t["value"][()], [55, 50])
        assert (t["met"][()] == 1).all() and (t["base_met"][()] == 0).all()
        assert (t["achieved_bound"][()] <= t["value"][()]).all()
        # The base and solution runs are the runs the search saw (the same streams).
        for i, ldu in enumerate(["division", "South"]):
            assert statistic(f["base"], ldu, "capacity_mean_PO") == pytest.approx(
                (t["base_mean"][i], t["base_bound"][i]))
            assert statistic(f["solution"], ldu, "capacity_mean_PO") == pytest.approx(
                (t["achieved_mean"][i], t["achieved_bound"][i]))
        assert f["solution"]["replications"]["0000"]["officers"]["grade"].shape[0] > \
            f["base"]["replications"]["0000"]["officers"]["grade"].shape[0]

        s = f["search"]
        assert sorted(s.keys()) == sorted(SEARCH_COLUMNS)
        steps = len(s["step"])
        np.testing.assert_array_equal(s["step"][()], np.arange(steps))
        change = strings(s["change"])
        assert change[0] == "base" and s["accepted"][0] == 1 and s["total_added"][0] == 0
        plans = s["plan"][()]
        assert plans.shape == (steps, 2) and (plans[0] == 0).all()
        np.testing.assert_array_equal(plans.sum(axis=1), s["total_added"][()])
        # Every candidate is a distinct plan, run once (common random numbers make a rerun redundant).
        assert len({tuple(p) for p in plans}) == steps
        assert s["target_bound"].shape == (steps, 2)
        np.testing.assert_allclose(s["target_bound"][0], t["base_bound"][()])
        assert s["shortfall"][0] > 0
        # The plan is the last accepted candidate, and it has no shortfall.
        last = np.flatnonzero(s["accepted"][()])[-1]
        np.testing.assert_array_equal(plans[last], added)
        assert s["total_added"][last] == added.sum() and s["shortfall"][last] == 0


def test_one_post_less_in_any_group_fails_a_target(caseload, tmp_path, scenario):
    """1-minimal: the search's own rows for each removal from the plan fail."""
    out = tmp_path / "plan.h5"
    assert caseload("staff", scenario, *TARGETS, "-r", 4, "-o", out, "-q").returncode == 0
    with h5py.File(out, "r") as f:
        added = f["staffing_plan/added"][()]
        total = added.sum()
        s = f["search"]
        plans, accepted = s["plan"][()], s["accepted"][()]
        assert total > 0
        for group, n in enumerate(added):
            if n == 0:
                continue
            less = added.copy()
            less[group] -= 1
            tried = [i for i, p in enumerate(plans) if (p == less).all()]
            assert len(tried) == 1 and accepted[tried[0]] == 0 and s["shortfall"][tried[0]] > 0


def test_no_plan_within_the_limit_exits_1_and_writes_the_best(caseload, tmp_path, scenario):
    out = tmp_path / "plan.h5"
    proc = caseload("staff", scenario, "--target", "capacity_mean_PO<=1", "--max-added", 2, "-r", 3, "-o", out)
    assert proc.returncode == 1, proc.stderr
    assert "at most 2 added posts" in proc.stderr and "capacity_mean_PO<=1 still fails" in proc.stderr
    assert "No plan within the limits" in proc.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["all_met"] == 0
        assert f["staffing_plan/added"][()].sum() == 2
        assert f["targets/met"][()].tolist() == [0]


@pytest.mark.parametrize("args, offending", [
    (["--target", "capacity_mean_PO<55"], "capacity_mean_PO<55"),
    (["--target", "capacity_mean_PO<=lots"], "lots"),
    (["--target", "no_such_figure<=3"], "no_such_figure"),
    (["--target", "Nowhere:capacity_mean_PO<=3"], "Nowhere"),
    (["--target", "capacity_mean_PO<=55", "--grades", "PO,XYZ"], "XYZ"),
    (["--target", "capacity_mean_PO<=55", "--ldu", "Atlantis"], "Atlantis"),
    (["--target", "capacity_mean_PO<=55", "--cost", "PO=abc"], "PO=abc"),
    (["--target", "capacity_mean_PO<=55", "--cost", "PO=-5"], "PO=-5"),
    (["--target", "capacity_mean_PO<=55", "--cost", "XX=3"], "XX"),
    (["--target", "capacity_mean_PO<=55", "--cost", "48000"], "48000"),
])
def test_bad_input_exits_2_naming_it(caseload, tmp_path, scenario, args, offending):
    out = tmp_path / "plan.h5"
    proc = caseload("staff", scenario, *args, "-r", 2, "-o", out)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert offending in proc.stderr
    assert not out.exists()


def test_a_target_is_required(caseload, scenario):
    proc = caseload("staff", scenario)
    assert proc.returncode == 2
    assert "--target" in proc.stderr


def test_info_describes_the_plan(caseload, tmp_path, scenario):
    out = tmp_path / "plan.h5"
    assert caseload("staff", scenario, *TARGETS, "-r", 4, "-o", out, "-q").returncode == 0
    proc = caseload("info", out)
    assert proc.returncode == 0, proc.stderr
    assert "caseload staffing file, schema 1.8" in proc.stdout
    assert "every target met" in proc.stdout and "posts added:" in proc.stdout
    assert "South:capacity_mean_PO<=50" in proc.stdout
    assert "base:" in proc.stdout and "solution:" in proc.stdout


RECRUITMENT_COLUMNS = ["ldu", "grade", "quarter_start_day", "experienced_hires", "trainee_starts"]


def test_by_day_writes_a_recruitment_plan_checked_from_the_day(caseload, tmp_path):
    # The short scenario over 500 days, without leavers: the added posts are
    # filled by experienced hires (a trainee could not qualify by day 300) in
    # the last quarter starting before day 300 (3 × 365.25 / 4 = 273.9375),
    # exactly as many as the plan adds, and the check run measures from day 300.
    scenario = tmp_path / "long.toml"
    scenario.write_text(SHORT_BASE.replace("horizon_days = 200", "horizon_days = 500"))
    out = tmp_path / "plan.h5"
    proc = caseload("staff", scenario, *TARGETS, "-r", 4, "--by-day", 300, "-o", out)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Recruitment to reach the plan's staff in post by day 300" in proc.stdout
    assert "Checked by simulation, with these starts, from day 300 on" in proc.stdout
    with h5py.File(out, "r") as f:
        assert f.attrs["all_met"] == 1
        r = f["recruitment_plan"]
        assert sorted(r.keys()) == sorted(RECRUITMENT_COLUMNS)
        assert r.attrs["by_day"] == 300 and r.attrs["reachable"] == 1
        np.testing.assert_allclose(r["quarter_start_day"][()], 273.9375)
        assert (r["trainee_starts"][()] == 0).all()
        plan = f["staffing_plan"]
        added = dict(zip(strings(plan["ldu"]), plan["added"][()]))
        hires = {}
        for ldu, n in zip(strings(r["ldu"]), r["experienced_hires"][()]):
            hires[ldu] = hires.get(ldu, 0) + n
        assert hires == {ldu: n for ldu, n in added.items() if n > 0}
        assert f["recruitment"].attrs["by_day"] == 300
        assert "statistics" in f["recruitment"]
        t = f["targets"]
        met = t["recruitment_met"][()]
        assert len(met) == 2 and len(t["recruitment_mean"][()]) == 2
        # The exit code says whether the recruitment plan meets every target.
        assert proc.returncode == (0 if met.all() else 1)
        assert (t["base_met"][()] == 0).all()
    info = caseload("info", out)
    assert info.returncode == 0, info.stderr
    assert "recruitment by day 300:" in info.stdout


@pytest.mark.parametrize("day", ["0", "200", "-5"])
def test_by_day_outside_the_run_exits_2(caseload, tmp_path, scenario, day):
    out = tmp_path / "plan.h5"
    proc = caseload("staff", scenario, *TARGETS, "-r", 2, "--by-day", day, "-o", out)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--by-day" in proc.stderr
    assert not out.exists()
