"""The Python package on a staffing file (kind "staffing", schema 1.5): its
class and frames against the file read with h5py, the two plots and the
report's page."""
import os
import pathlib
import subprocess
import sys

import h5py
import numpy as np
import pytest
from matplotlib.figure import Figure

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "analysis"))

import caseload  # noqa: E402
from caseload import staffing_plots  # noqa: E402



def test_frames_match_the_file(plan_file):
    with caseload.open(plan_file) as s, h5py.File(plan_file, "r") as f:
        assert isinstance(s, caseload.Staffing) and s.kind == "staffing"
        assert s.schema_version == (1, 8)
        assert s.all_met and s.scenario_name == "pytest-staffed" and s.replications == 4
        assert list(s.plan.columns) == ["ldu", "grade", "establishment_before", "establishment_after", "added",
                                        "unit_cost", "cost"]
        assert len(s.plan) == 4  # two LDUs x PO, PSO
        np.testing.assert_array_equal(s.plan["added"], f["staffing_plan/added"][()])
        assert s.total_cost == pytest.approx(s.plan["cost"].sum()) and s.total_cost > 0
        assert s.targets["met"].tolist() == [True] and s.targets["base_met"].tolist() == [False]
        assert s.targets.attrs["confidence"] == 0.95
        assert len(s.search) == len(f["search/step"]) and s.search["change"].iloc[0] == "base"
        np.testing.assert_allclose(s.search["bound_0"], f["search/target_bound"][:, 0])
        assert s.search["accepted"].dtype == bool
        assert [r.label for r in s.runs] == ["base", "with the plan"]
        assert s.solution.replications == s.base.replications == 4
        assert "posts added" in repr(s)


def test_plots_and_report(plan_file, tmp_path):
    with caseload.open(plan_file) as s:
        assert isinstance(staffing_plots.posts_added(s), Figure)
        assert isinstance(staffing_plots.search_path(s), Figure)
        with pytest.raises(TypeError):
            staffing_plots.posts_added(object())
        out = caseload.report.write_report(s, tmp_path / "plan.html")
    html = out.read_text()
    assert "Caseload staffing plan: pytest-staffed" in html
    for heading in ("The plan", "Targets before and after", "The search"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("data:image/png;base64,") == 2


# --------------------------------------------------------------------------- recruitment plan (--by-day)

BY_DAY = 240  # conftest.RECRUITMENT_BY_DAY


def test_recruitment_plan_matches_the_file(recruitment_file):
    with caseload.open(recruitment_file) as s, h5py.File(recruitment_file, "r") as f:
        g = f["recruitment_plan"]
        assert s.recruitment_by_day == g.attrs["by_day"] == BY_DAY
        assert s.recruitment_reachable is bool(g.attrs["reachable"])
        plan = s.recruitment_plan
        assert list(plan.columns) == ["ldu", "grade", "quarter_start_day", "quarter_start_date",
                                      "experienced_hires", "trainee_starts"]
        assert len(plan) == len(g["ldu"]) > 0
        assert list(plan["ldu"]) == list(g["ldu"].asstr()[()])
        assert list(plan["grade"]) == list(g["grade"].asstr()[()])
        for name in ("quarter_start_day", "experienced_hires", "trainee_starts"):
            np.testing.assert_array_equal(plan[name], g[name][()])
            assert plan[name].dtype == g[name].dtype
        assert plan.attrs["units"]["quarter_start_day"] == "days"
        assert plan.attrs["by_day"] == BY_DAY and plan.attrs["reachable"] == s.recruitment_reachable
        start = np.datetime64(f["base"].attrs["start_date"], "D")
        assert start == np.datetime64("2024-04-01")
        np.testing.assert_array_equal(plan["quarter_start_date"].to_numpy().astype("datetime64[D]"),
                                      start + np.floor(g["quarter_start_day"][()]).astype("timedelta64[D]"))
        # The scenario makes PO posts by training and PSO posts by hiring.
        assert (plan["trainee_starts"] > 0).any() and (plan["experienced_hires"] > 0).any()
        assert (plan[plan["grade"] == "PSO"]["trainee_starts"] == 0).all()

        t = s.targets
        assert list(t.columns[-3:]) == ["recruitment_mean", "recruitment_bound", "recruitment_met"]
        np.testing.assert_array_equal(t["recruitment_mean"], f["targets/recruitment_mean"][()])
        np.testing.assert_array_equal(t["recruitment_bound"], f["targets/recruitment_bound"][()])
        assert t["recruitment_met"].dtype == bool
        assert t["recruitment_met"].tolist() == [bool(x) for x in f["targets/recruitment_met"][()]]

        r = s.recruitment
        assert isinstance(r, caseload.Run) and r.label == "with the recruitment"
        assert [run.label for run in s.runs] == ["base", "with the plan", "with the recruitment"]
        assert r.warmup_days == f["recruitment"].attrs["by_day"] == BY_DAY  # measured from the day on
        assert r.replications == s.solution.replications == 4
        np.testing.assert_array_equal(r.statistics["mean"], f["recruitment/statistics/mean"][()])
        division = r.statistics[(r.statistics["ldu"] == "division")
                                & (r.statistics["figure"] == "capacity_mean_PO")]["mean"].iloc[0]
        assert division == pytest.approx(t.iloc[0]["recruitment_mean"])
        assert f"recruitment plan by day {BY_DAY}" in repr(s)


def test_without_by_day_there_is_no_recruitment(plan_file):
    with caseload.open(plan_file) as s:
        assert s.recruitment_plan is None and s.recruitment is None
        assert s.recruitment_by_day is None and s.recruitment_reachable is None
        assert not [c for c in s.targets.columns if c.startswith("recruitment")]
        assert len(s.runs) == 2 and "recruitment" not in repr(s)
        with pytest.raises(ValueError, match="no recruitment plan"):
            staffing_plots.recruitment_starts(s)


def _drop_attr(f, path, name):
    del f[path].attrs[name]


def _shorten(f, path):
    values = f[path][()]
    del f[path]
    f[path] = values[:-1]


@pytest.mark.parametrize("damage, message", [
    (lambda f: f.__delitem__("recruitment"), "/recruitment_plan is there but its run /recruitment is not"),
    (lambda f: f.__delitem__("recruitment_plan"), "/recruitment is there but /recruitment_plan is not"),
    (lambda f: f.__delitem__("recruitment_plan/trainee_starts"), "no trainee_starts"),
    (lambda f: _drop_attr(f, "recruitment_plan", "by_day"), "no attribute by_day"),
    (lambda f: f.__delitem__("targets/recruitment_met"), "no /targets/recruitment_met"),
    (lambda f: _shorten(f, "recruitment_plan/ldu"), "not 1-D of one length"),
    (lambda f: _shorten(f, "targets/recruitment_bound"),
     r"/targets/recruitment_bound has shape \(1,\), expected \(2,\)"),
    (lambda f: f.__delitem__("recruitment/ldu_names"), "/recruitment has no dataset ldu_names"),
    (lambda f: f.__delitem__("solution"), "without its run group /solution"),
    (lambda f: f.__delitem__("search"), "without its /search group"),
], ids=["no-run", "no-plan", "no-column", "no-by-day", "no-target-column", "short-column",
        "short-target-column", "damaged-run", "no-solution", "no-search"])
def test_a_damaged_recruitment_plan_is_a_format_error(recruitment_file, tmp_path, damage, message):
    path = tmp_path / "damaged.h5"
    path.write_bytes(recruitment_file.read_bytes())
    with h5py.File(path, "r+") as f:
        damage(f)
    with pytest.raises(caseload.FormatError, match=message):
        caseload.open(path)
    with h5py.File(path, "r+"):  # open() closed the file again
        pass


def test_recruitment_plot_and_report(recruitment_file, tmp_path):
    with caseload.open(recruitment_file) as s:
        assert isinstance(staffing_plots.recruitment_starts(s), Figure)
        out = caseload.report.write_report(s, tmp_path / "recruit.html")
        plan, targets = s.recruitment_plan, s.targets
    html = out.read_text()
    section = html[html.index(f"<h2>Recruitment to reach the plan by day {BY_DAY}</h2>"):
                   html.index("<h2>The search</h2>")]
    assert 'alt="Stacked bar chart of experienced hires and trainee starts per quarter"' in section
    assert section.count("data:image/png;base64,") == 1
    assert html.count("data:image/png;base64,") == 3
    assert "1 July 2024" in section  # day 91 of a scenario that starts on 1 April 2024
    for _, r in plan.iterrows():
        assert (f'<td>{r["ldu"]}</td><td>{r["grade"]}</td><td class="num">{r["quarter_start_day"]:,.0f}</td>'
                in section)
    assert (f'<td class="num">{int(plan["experienced_hires"].sum())}</td>'
            f'<td class="num">{int(plan["trainee_starts"].sum())}</td></tr>') in section  # the total row
    assert f"<h3>Targets from day {BY_DAY} on</h3>" in section
    for _, r in targets.iterrows():
        assert f"{r['recruitment_mean']:.4g} <span" in section and f"({r['recruitment_bound']:.4g})" in section
    held = "With these starts every target holds" if targets["recruitment_met"].all() else \
        "With these starts not every target holds"
    assert held in section


def test_report_without_by_day_has_no_recruitment_section(plan_file, tmp_path):
    with caseload.open(plan_file) as s:
        html = caseload.report.write_report(s, tmp_path / "plan.html").read_text()
    assert "Recruitment to reach" not in html and "trainee starts" not in html
    assert html.count("data:image/png;base64,") == 2


def test_report_of_a_damaged_recruitment_plan_exits_2(recruitment_file, tmp_path):
    path = tmp_path / "damaged.h5"
    path.write_bytes(recruitment_file.read_bytes())
    with h5py.File(path, "r+") as f:
        del f["recruitment"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "analysis")}
    result = subprocess.run([sys.executable, "-m", "caseload", "report", str(path)], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 2 and not (tmp_path / "damaged.html").exists()
    assert "damaged recruitment plan" in result.stderr


def test_a_plan_that_adds_no_posts_has_an_empty_recruitment_plan(recruitment_file, run_caseload, tmp_path):
    out = tmp_path / "nothing.h5"
    run_caseload("staff", recruitment_file.parent / "r.toml", "--target", "capacity_mean_PO<=1000",
                 "--by-day", 100, "-o", out, "-q")
    with caseload.open(out) as s:
        assert s.plan["added"].sum() == 0 and s.recruitment_by_day == 100
        plan = s.recruitment_plan
        assert plan is not None and plan.empty
        assert list(plan.columns) == ["ldu", "grade", "quarter_start_day", "quarter_start_date",
                                      "experienced_hires", "trainee_starts"]
        assert s.targets["recruitment_met"].tolist() == [True]
        html = caseload.report.write_report(s, tmp_path / "nothing.html").read_text()
        names = [t.name for t in caseload.export.tables(s)]
    assert "<h2>Recruitment to reach the plan by day 100</h2>" in html
    assert "No starts: the plan adds no posts." in html and "Stacked bar chart" not in html
    assert "Recruitment plan" not in names and "Targets" in names  # a table without rows is left out
