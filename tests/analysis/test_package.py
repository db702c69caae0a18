"""The Python analysis package (analysis/caseload) against the HDF5 files the engine writes.

The small two-LDU scenario of conftest.py (tasks, victims and staffing) is run
for real (run, compare and a sweep, well under a second each: the `files`
fixture); every DataFrame is then checked against the file read directly with
h5py.
"""
import math
import os
import pathlib
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ANALYSIS = ROOT / "analysis"
sys.path.insert(0, str(ANALYSIS))

import caseload  # noqa: E402
from caseload import labels, plots  # noqa: E402

T_975 = {1: 12.706204736174698, 2: 4.302652729749464, 3: 3.182446305284263,
         4: 2.7764451051977934, 9: 2.2621571628540993}
"""Student t 0.975 quantiles by degrees of freedom."""


@pytest.fixture(scope="module")
def run(files):
    with caseload.open(files["run"]) as results:
        yield results


@pytest.fixture(scope="module")
def h5(files):
    with h5py.File(files["run"], "r") as f:
        yield f


def reps(h5):
    return [h5["replications"][name] for name in sorted(h5["replications"])]


# --------------------------------------------------------------------------- opening

def test_open_gives_a_run_with_its_metadata(run, h5):
    assert isinstance(run, caseload.RunResults) and isinstance(run, caseload.Run)
    assert run.kind == "run"
    assert run.schema_version == (1, 8)
    assert run.name == "pytest-small"
    assert run.ldu_names == ["North & East", "South"]
    assert run.grade_names == ["PO", "PQiP", "PSO", "SPO", "VLO"]
    assert run.task_kind_names == list(h5["task_kind_names"].asstr()[()])
    assert run.replications == 3 and run.seed == 11
    assert run.start_date.isoformat() == "2020-01-06"
    assert (run.horizon_days, run.warmup_days, run.snapshot_every_days) == (280, 56, 7)
    assert run.scenario["name"] == "pytest-small"
    assert [l["name"] for l in run.scenario["ldu"]] == run.ldu_names
    assert run.attrs["scenario_name"] == "pytest-small"
    assert run.engine_version == h5.attrs["engine_version"]
    assert run.runs == [run]


def test_frames_are_read_once_and_kept(run):
    assert run.tasks is run.tasks
    assert run.officer_snapshots is run.officer_snapshots


# --------------------------------------------------------------------------- frames against h5py

def test_officers_match_the_file(run, h5):
    o = run.officers
    assert list(o.columns) == ["replication", "officer", "ldu", "grade", "first_grade",
                               "contracted_hours", "available_points", "joined_day", "left_day"]
    for i, rep in enumerate(reps(h5)):
        mine = o[o.replication == i]
        f = rep["officers"]
        assert len(mine) == len(f["ldu"])
        assert list(mine.officer) == list(range(len(mine)))
        assert list(mine.ldu.astype(str)) == [run.ldu_names[c] for c in f["ldu"][()]]
        assert list(mine.grade.astype(str)) == [run.grade_names[c] for c in f["grade"][()]]
        left = f["left_day"][()]
        np.testing.assert_array_equal(mine.left_day.isna(), left < 0)
        np.testing.assert_array_equal(mine.left_day.dropna(), left[left >= 0])


def test_officer_snapshots_hold_every_joined_cell_and_its_values(run, h5):
    s = run.officer_snapshots
    assert list(s.columns) == ["replication", "day", "date", "week", "officer", "ldu", "grade_then",
                               "state", "cases", "points", "capacity_percent", "available_points",
                               "hours_demanded", "backlog_hours", "victim_cases", "task_hours"]
    total = 0
    for i, rep in enumerate(reps(h5)):
        snaps = rep["snapshots"]
        state = snaps["officer_state"][()]
        joined = state >= 0
        mine = s[s.replication == i]
        assert len(mine) == joined.sum()  # rows = cells not padded for officers yet to join
        total += joined.sum()
        np.testing.assert_array_equal(mine.capacity_percent,
                                      snaps["officer_capacity_percent"][()][joined])
        np.testing.assert_array_equal(mine.cases, snaps["officer_cases"][()][joined])
        np.testing.assert_array_equal(mine.backlog_hours, snaps["officer_backlog_hours"][()][joined])
        np.testing.assert_array_equal(mine.grade_then.cat.codes, snaps["officer_grade"][()][joined])
        np.testing.assert_array_equal(mine.day, snaps["time_days"][()][np.nonzero(joined)[0]])
    assert len(s) == total
    assert set(s.state.cat.categories) == {"in post", "absent", "left"}
    assert s.state.notna().all() and (s.cases >= 0).all()
    first = s.day.min()
    assert first == run.warmup_days and (s[s.day == first].week == 0).all()
    assert (s.date.min() - pd.Timestamp("2020-01-06")).days == 56
    # No capacity % without a caseload: SPOs and VLOs have none.
    assert s[s.grade_then.isin(["SPO", "VLO"])].capacity_percent.isna().all()


def test_a_per_officer_series_the_reader_does_not_name_is_read_all_the_same(files, tmp_path):
    # The reader iterates over the series the file holds (declared once in the
    # engine), so a new one needs no change here: add one to a copy of the file.
    copy = tmp_path / "extra.h5"
    shutil.copy(files["run"], copy)
    with h5py.File(copy, "r+") as f:
        for rep in reps(f):
            snaps = rep["snapshots"]
            snaps["officer_extra"] = snaps["officer_cases"][()] * 2
    with caseload.open(copy) as extra:
        s = extra.officer_snapshots
        assert list(s.columns)[-1] == "extra"
        np.testing.assert_array_equal(s.extra, 2 * s.cases)


def test_read_officer_snapshots_for_one_replication(run):
    one = run.read_officer_snapshots(replications=1)
    assert set(one.replication) == {1}
    pd.testing.assert_frame_equal(one.reset_index(drop=True),
                                  run.officer_snapshots[run.officer_snapshots.replication == 1]
                                  .reset_index(drop=True))


def test_ldu_grade_cells_match_the_file(run, h5):
    cells = run.ldu_grade
    n_snap = len(h5["replications/0000/snapshots/time_days"])
    assert len(cells) == 3 * n_snap * 2 * 5
    for i, rep in enumerate(reps(h5)):
        mine = cells[cells.replication == i]
        for field in ["officers", "in_post", "establishment", "mean", "p90", "share_over_110",
                      "excessive", "hours_demanded", "backlog_hours"]:
            np.testing.assert_array_equal(mine[field], rep["snapshots/ldu_grade"][field][()].ravel())
    first = cells.iloc[0]
    assert (first.ldu, first.grade) == ("North & East", "PO")
    assert (cells.vacancies == cells.establishment - cells.in_post).all()
    division = run.division_grade
    assert len(division) == 3 * n_snap * 5 and "ldu" not in division
    np.testing.assert_array_equal(division[division.replication == 0]["mean"],
                                  h5["replications/0000/snapshots/division_grade/mean"][()].ravel())


def test_imbalance_and_unallocated_match_the_file(run, h5):
    im = run.imbalance
    assert list(im.scope.cat.categories) == ["North & East", "South", "division"]
    for i, rep in enumerate(reps(h5)):
        mine = im[im.replication == i]
        for field in ["gini", "cv", "theil", "theil_between_grade", "excessive"]:
            np.testing.assert_array_equal(mine[mine.scope == "division"][field],
                                          rep["imbalance/division"][field][()])
            np.testing.assert_array_equal(mine[mine.scope == "South"][field],
                                          rep["imbalance/ldu"][field][()][:, 1])
    un = run.unallocated
    np.testing.assert_array_equal(un[un.replication == 2].unallocated,
                                  h5["replications/0002/snapshots/unallocated"][()].ravel())


def test_tasks_turn_codes_and_markers_into_names_and_missing_values(run, h5):
    t = run.tasks
    assert len(t) == sum(len(rep["tasks/kind"]) for rep in reps(h5))
    assert set(t.kind.cat.categories) == set(run.task_kind_names)
    f = h5["replications/0001/tasks"]
    mine = t[t.replication == 1]
    on_time = f["on_time"][()]
    np.testing.assert_array_equal(mine.on_time.isna(), on_time < 0)
    np.testing.assert_array_equal(mine.on_time.dropna().astype(bool), on_time[on_time >= 0] == 1)
    np.testing.assert_array_equal(mine.completed.isna(), f["completed"][()] < 0)
    np.testing.assert_array_equal(mine.officer.isna(), f["officer"][()] < 0)
    np.testing.assert_array_equal(mine.kind.cat.codes, f["kind"][()])
    np.testing.assert_array_equal(mine.in_window, f["created"][()] >= run.warmup_days)
    done = mine.completed.notna()
    np.testing.assert_allclose(mine.days_to_complete[done], (mine.completed - mine.created)[done])
    assert mine.days_to_complete[~done].isna().all()
    assert (t.kind == "victim_first_contact").any() and (t.kind == "plan_review").any()


def test_timeliness_from_tasks_equals_the_summary_columns(run):
    tl = run.timeliness
    summary = run.summary.set_index(["replication", "ldu"])
    assert len(tl) == 3 * 3 * len(run.task_kind_names)  # replications x (2 LDUs + division) x kinds
    for kind in run.task_kind_names:
        mine = tl[tl.kind == kind].set_index(["replication", "ldu"]).reindex(summary.index)
        for column in ["created", "due", "on_time", "share_on_time", "mean_days", "open_at_end"]:
            np.testing.assert_allclose(mine[column].to_numpy(float),
                                       summary[f"{kind}_{column}"].to_numpy(float),
                                       rtol=1e-12, equal_nan=True, err_msg=f"{kind}_{column}")
    assert tl.created.sum() > 0 and tl.share_on_time.notna().any()


def test_victims_match_the_file(run, h5):
    v = run.victims
    assert len(v) == sum(len(rep["victims/ldu"]) for rep in reps(h5))
    f = h5["replications/0000/victims"]
    mine = v[v.replication == 0]
    np.testing.assert_array_equal(mine.ended.isna(), f["ended"][()] < 0)
    np.testing.assert_array_equal(mine.first_contact_task.isna(), f["first_contact_task"][()] < 0)
    tasks = run.tasks[run.tasks.replication == 0]
    has = mine.first_contact_task.notna()
    rows = mine.first_contact_task[has].astype(int).to_numpy()
    assert (tasks.kind.iloc[rows] == "victim_first_contact").all()
    np.testing.assert_array_equal(mine.first_contact_completed[has], tasks.completed.iloc[rows])


def test_summary_and_statistics(run, h5):
    s = run.summary
    assert list(s.columns[:2]) == ["replication", "ldu"]
    assert len(s) == 3 * 3 and set(s.ldu) == {"North & East", "South", "division"}
    assert isinstance(s.ldu.iloc[0], str)
    np.testing.assert_array_equal(s.mean_held, h5["summary/mean_held"][()])
    assert s.attrs["units"]["capacity_mean_PO"] == "percent"

    st = run.statistics
    assert list(st.columns) == ["ldu", "figure", "units", "n", "mean", "half_width", "ci_low",
                                "ci_high"]
    assert st.attrs["confidence"] == 0.95
    row = run.figure("capacity_mean_PO")
    values = s[s.ldu == "division"].capacity_mean_PO
    assert row["mean"] == pytest.approx(values.mean())
    assert row["half_width"] == pytest.approx(T_975[2] * values.std(ddof=1) / math.sqrt(3))
    with pytest.raises(KeyError):
        run.figure("no_such_figure")


# --------------------------------------------------------------------------- version checks

def copy_with(files, tmp_path, **attrs):
    path = tmp_path / "edited.h5"
    shutil.copy(files["run"], path)
    with h5py.File(path, "r+") as f:
        for key, value in attrs.items():
            f.attrs[key] = value
    return path


def test_a_file_of_another_format_is_refused(files, tmp_path):
    path = copy_with(files, tmp_path, format="openmc")
    with pytest.raises(caseload.FormatError, match=r"not a caseload results file: found "
                       r"format = 'openmc', expected format = 'caseload'"):
        caseload.open(path)


def test_a_newer_schema_major_version_is_refused(files, tmp_path):
    path = copy_with(files, tmp_path, schema_version=np.array([2, 0], dtype=np.int64))
    with pytest.raises(caseload.FormatError, match=r"schema version 2\.0 is not supported: this "
                       r"reader supports schema 1\.x"):
        caseload.open(path)


def test_a_newer_minor_version_is_read(files, tmp_path):
    path = copy_with(files, tmp_path, schema_version=np.array([1, 9], dtype=np.int64))
    with caseload.open(path) as results:
        assert results.schema_version == (1, 9)


def test_not_hdf5_and_missing_files(tmp_path):
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    with pytest.raises(caseload.FormatError, match="not an HDF5 file"):
        caseload.open(text)
    with pytest.raises(FileNotFoundError):
        caseload.open(tmp_path / "missing.h5")


# --------------------------------------------------------------------------- comparison and sweep

def test_comparison(files):
    with caseload.open(files["comparison"]) as c, h5py.File(files["comparison"], "r") as f:
        assert isinstance(c, caseload.Comparison) and c.kind == "comparison"
        assert (c.base.name, c.variant.name) == ("pytest-small", "pytest-small-vacancies")
        assert c.runs == [c.base, c.variant]
        table = c.comparison
        assert len(table) == len(f["comparison/figure"])
        assert table.significant.dtype == bool
        np.testing.assert_array_equal(table.significant, f["comparison/significant"][()] == 1)
        po = table[(table.ldu == "division") & (table.figure == "capacity_mean_PO")].iloc[0]
        assert po.difference == pytest.approx(po.variant_mean - po.base_mean)
        assert po.difference > 0 and po.significant  # 40% PO vacancies load the POs
        assert len(c.variant.officer_snapshots) > 0
        assert c.base.statistics.equals(caseload.open(files["run"]).statistics)  # the same run


def test_sweep(files):
    with caseload.open(files["sweep"]) as s:
        assert isinstance(s, caseload.Sweep) and s.kind == "sweep"
        assert s.vary_key == "vacancy_rate.PO"
        assert s.vary_values == ["0.1", "0.3"]
        assert [r.vary_value for r in s.runs] == ["0.1", "0.3"]
        assert s.runs[1].label == "vacancy_rate.PO=0.3"
        assert all(r.replications == 2 for r in s.runs)
        sweep = s.sweep
        assert list(sweep.columns[:3]) == ["run", "value", "ldu"]
        po = sweep[(sweep.ldu == "division") & (sweep.figure == "capacity_mean_PO")]
        assert list(po.value) == ["0.1", "0.3"]
        for run_index, r in enumerate(s.runs):
            assert po["mean"].iloc[run_index] == pytest.approx(r.figure("capacity_mean_PO")["mean"])
        # Paired differences of the second value from the first, replication by replication.
        d = s.differences
        assert set(d.run) == {1} and set(d.value) == {"0.3"}
        assert d.attrs["reference_value"] == "0.1"
        row = d[(d.ldu == "division") & (d.figure == "capacity_mean_PO")].iloc[0]
        assert row.base_mean == pytest.approx(po["mean"].iloc[0])
        assert row.variant_mean == pytest.approx(po["mean"].iloc[1])
        first, second = (r.summary[r.summary.ldu == "division"]["capacity_mean_PO"].to_numpy() for r in s.runs)
        assert row.difference == pytest.approx((second - first).mean())
        assert row.difference > 0 and row.significant == (row.difference_low > 0)


# --------------------------------------------------------------------------- plots

@pytest.mark.parametrize("plot", [plots.capacity_over_time, plots.lorenz, plots.capacity_heatmap,
                                  plots.timeliness, plots.vlo_caseloads, plots.staffing])
def test_run_plots_return_figures(run, plot):
    fig = plot(run)
    assert isinstance(fig, plots.Figure) and fig.axes


def test_comparison_and_sweep_plots_return_figures(files):
    with caseload.open(files["comparison"]) as c, caseload.open(files["sweep"]) as s:
        for fig in [plots.forest(c), plots.capacity_difference_heatmap(c),
                    plots.timeliness(c.variant, versus=c.base), plots.sweep_figures(s),
                    plots.capacity_heatmap(s.runs[0])]:
            assert isinstance(fig, plots.Figure) and fig.axes
        with pytest.raises(TypeError, match="comparison.base or comparison.variant"):
            plots.lorenz(c)


def test_lorenz_gini_is_the_engines(run, h5):
    last = run.snapshot_days[-1]
    s = run.officer_snapshots
    for i, rep in enumerate(reps(h5)):
        at = s[(s.replication == i) & (s.day == last)]
        _, _, gini = plots.lorenz_points(at.capacity_percent.to_numpy())
        assert gini == pytest.approx(rep["imbalance/division/gini"][-1], rel=1e-9)


def test_capacity_quantiles_agree_with_pandas(run):
    q = plots.capacity_quantiles(run, "PO")
    s = run.officer_snapshots
    po = s[(s.grade_then == "PO") & s.capacity_percent.notna()]
    per_replication = (po.groupby(["replication", "ldu", "date"], observed=True).capacity_percent
                       .quantile([0.1, 0.5, 0.9]).unstack())
    expected = per_replication.groupby(level=["ldu", "date"], observed=True).mean()
    np.testing.assert_allclose(q[[0.1, 0.5, 0.9]].to_numpy(), expected.to_numpy(), rtol=1e-9)


# --------------------------------------------------------------------------- report

EXTERNAL = ["http://", "https://", 'src="//', "<link", "<script src", "@import url("]


def make_report(results: pathlib.Path, out: pathlib.Path):
    env = {**os.environ, "PYTHONPATH": str(ANALYSIS)}
    return subprocess.run([sys.executable, "-m", "caseload", "report", str(results), "-o", str(out)],
                          capture_output=True, text=True, env=env, timeout=120)


def check_self_contained(text: str):
    for pattern in EXTERNAL:
        assert pattern not in text, f"external reference {pattern!r} in the report"
    assert "<script" not in text
    assert "data:image/png;base64," in text
    for src in re.findall(r'src="([^"]*)"', text):
        assert src.startswith("data:image/png;base64,")


def test_report_of_a_run(files):
    out = files["dir"] / "run.html"
    result = make_report(files["run"], out)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    check_self_contained(text)
    assert "pytest-small" in text and "North &amp; East" in text
    for figure in ["capacity_mean_PO", "plan_review_share_on_time", "vlo_caseload", "gini"]:
        assert f'title="{figure}"' in text
        assert labels.label(figure).replace("&", "&amp;") in text
    assert text.count("data:image/png;base64,") >= 6
    assert "<h2>Staffing</h2>" in text and 'alt="Staff in post and vacancies over time by LDU"' in text


def test_staffing_series_are_the_cells_in_post_and_posts(run):
    # The staffing plot's data: in post and establishment of a grade per LDU and
    # date, averaged over replications, and 1 − in post ÷ posts.
    s = plots.staffing_series(run, "PO")
    cells = run.ldu_grade[run.ldu_grade.grade == "PO"]
    expected = cells.groupby(["ldu", "date"], observed=True)["in_post"].mean()
    np.testing.assert_allclose(s.set_index(["ldu", "date"])["in_post"].to_numpy(), expected.to_numpy())
    np.testing.assert_allclose(s.vacancy_rate, 1 - s.in_post / s.establishment)


def test_report_of_a_comparison_and_a_sweep(files):
    out = files["dir"] / "cmp.html"
    assert make_report(files["comparison"], out).returncode == 0
    text = out.read_text()
    check_self_contained(text)
    assert "pytest-small-vacancies" in text and "These differences are real" in text
    assert "PO capacity used, mean</strong>: up from" in text

    out = files["dir"] / "sweep.html"
    assert make_report(files["sweep"], out).returncode == 0
    text = out.read_text()
    check_self_contained(text)
    assert "vacancy_rate.PO = 0.3" in text and 'title="capacity_mean_PO"' in text


def test_report_refuses_a_foreign_file(files, tmp_path):
    path = copy_with(files, tmp_path, format="other")
    result = make_report(path, tmp_path / "x.html")
    assert result.returncode == 2
    assert "not a caseload results file" in result.stderr
    assert not (tmp_path / "x.html").exists()
