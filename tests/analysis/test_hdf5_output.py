"""The HDF5 results file as an analyst meets it: h5py, pandas, h5dump."""
import pathlib
import subprocess
import tomllib

import h5py
import numpy as np
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MIDLANDS = ROOT / "scenarios" / "midlands-2018.toml"


@pytest.fixture(scope="module")
def midlands(tmp_path_factory, run_caseload):
    out = tmp_path_factory.mktemp("out") / "midlands.h5"
    result = run_caseload("run", MIDLANDS, "-o", out, "-r", 2, "-j", 1)
    return out, result.stdout


def summary_frame(group):
    return pd.DataFrame({name: group[name][()] for name in group})


def test_root_attributes_identify_and_version_the_file(midlands):
    path, _ = midlands
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "caseload"
        assert list(f.attrs["schema_version"]) == [1, 8]
        assert f.attrs["kind"] == "run"
        assert f.attrs["engine_version"]
        assert f.attrs["seed"] == 1
        assert f.attrs["replications"] == 2
        assert f.attrs["created"].endswith("Z")
        assert "[[ldu]]" in f.attrs["scenario_source"]
        resolved = tomllib.loads(f.attrs["scenario"])
        assert resolved["schema_version"] == 1
        assert len(resolved["ldu"]) == len(f["ldu_names"])


def test_resolved_scenario_is_a_valid_scenario(midlands, run_caseload, tmp_path):
    path, _ = midlands
    with h5py.File(path, "r") as f:
        text = f.attrs["scenario"]
    resolved = tmp_path / "resolved.toml"
    resolved.write_text(text)
    run_caseload("validate", resolved)
    # Running the resolved text gives the same results as the original.
    again = tmp_path / "again.h5"
    run_caseload("run", resolved, "-o", again, "-r", 2, "-j", 1)
    with h5py.File(path, "r") as a, h5py.File(again, "r") as b:
        np.testing.assert_array_equal(a["summary/mean_held"][()], b["summary/mean_held"][()])


def test_shapes_units_and_compression(midlands):
    path, _ = midlands
    with h5py.File(path, "r") as f:
        n_ldu = len(f["ldu_names"])
        n_grade = len(f["grade_names"])
        assert [g.decode() if isinstance(g, bytes) else g for g in f["grade_names"][()]] == \
            ["PO", "PQiP", "PSO", "SPO", "VLO"]
        rep = f["replications/0000"]
        n_off = len(rep["officers/ldu"])
        snaps = rep["snapshots"]
        n_snap = len(snaps["time_days"])
        assert n_snap == 1095 // 7 + 1
        assert snaps["officer_capacity_percent"].shape == (n_snap, n_off)
        assert snaps["officer_cases"].shape == (n_snap, n_off)
        assert snaps["unallocated"].shape == (n_snap, n_ldu)
        assert snaps["ldu_grade/p90"].shape == (n_snap, n_ldu, n_grade)
        assert rep["imbalance/division/gini"].shape == (n_snap,)
        assert rep["imbalance/ldu/gini"].shape == (n_snap, n_ldu)
        assert snaps["time_days"].attrs["units"] == "days"
        assert snaps["officer_capacity_percent"].attrs["units"] == "percent"
        assert "32004" in map(str, snaps["officer_capacity_percent"]._filters)  # LZ4, the default codec
        assert snaps["officer_capacity_percent"].chunks is not None


def test_snapshot_figures_agree_with_each_other(midlands):
    path, _ = midlands
    with h5py.File(path, "r") as f:
        rep = f["replications/0001"]
        grade = rep["officers/grade"][()]
        ldu = rep["officers/ldu"][()]
        available = rep["snapshots/officer_available_points"][()]
        points = rep["snapshots/officer_points"][()]
        cases = rep["snapshots/officer_cases"][()]
        capacity = rep["snapshots/officer_capacity_percent"][()]
        holds = available > 0
        np.testing.assert_allclose(capacity[holds], 100.0 * points[holds] / available[holds])
        assert np.isnan(capacity[~holds]).all()  # absent, gone, not yet joined, or no caseload
        assert (cases[:, grade == 3] <= 0).all()  # SPOs hold no cases (-1: not yet joined)
        # Per LDU × grade cells sum and summarise the officers' own figures.
        cell_cases = rep["snapshots/ldu_grade/cases"][()]
        cell_mean = rep["snapshots/ldu_grade/mean"][()]
        grade_then = rep["snapshots/officer_grade"][()]
        state = rep["snapshots/officer_state"][()]
        in_roster = (state == 0) | (state == 1)  # in post or absent
        for l in range(cell_cases.shape[1]):
            po = (ldu[None, :] == l) & (grade_then == 0) & in_roster
            np.testing.assert_array_equal(cell_cases[:, l, 0], np.where(po, cases, 0).sum(axis=1))
            po_capacity = np.where(po & holds, capacity, np.nan)
            np.testing.assert_allclose(cell_mean[:, l, 0], np.nanmean(po_capacity, axis=1))
        # Division Gini recomputed from the officers' capacity % (numpy, not C++).
        last = np.sort(capacity[-1, holds[-1]])
        n = len(last)
        gini = np.sum((2 * np.arange(1, n + 1) - n - 1) * last) / (n * n * last.mean())
        assert rep["imbalance/division/gini"][-1] == pytest.approx(gini, rel=1e-12)


def test_summary_table_reads_into_pandas_and_conserves_cases(midlands):
    path, _ = midlands
    with h5py.File(path, "r") as f:
        table = summary_frame(f["summary"])
        n_ldu = len(f["ldu_names"])
    table["ldu"] = table["ldu"].str.decode("utf-8")
    assert len(table) == 2 * (n_ldu + 1)
    assert set(table["replication"]) == {0, 1}
    assert (table[table.ldu == "division"].shape[0]) == 2
    lhs = table.initial_cases + table.total_arrivals
    rhs = table.held_at_end + table.waiting_at_end + table.total_closures
    assert (lhs == rhs).all()
    for rep, rows in table.groupby("replication"):
        ldus, division = rows[rows.ldu != "division"], rows[rows.ldu == "division"].iloc[0]
        for column in ["arrivals", "closures", "initial_cases", "held_at_end"]:
            assert ldus[column].sum() == division[column]
        assert ldus.mean_held.sum() == pytest.approx(division.mean_held)
    assert table.mean_held[table.ldu == "division"].between(15000, 19000).all()


def test_terminal_summary_shows_capacity_by_ldu_and_grade(midlands):
    _, stdout = midlands
    assert "Birmingham" in stdout and "Northamptonshire" in stdout
    assert "mean / 90th centile" in stdout and "Gini" in stdout and "Theil" in stdout
    assert "court reports" in stdout and "first victim contact" in stdout


def test_h5dump_reads_the_header(midlands):
    path, _ = midlands
    result = subprocess.run(["h5dump", "-H", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'DATASET "officer_capacity_percent"' in result.stdout


def all_items(f):
    """Every attribute and dataset value in the file, keyed by path."""
    items = {}

    def visit(name, obj):
        for key, value in obj.attrs.items():
            items[f"{name}@{key}"] = value
        if isinstance(obj, h5py.Dataset):
            items[name] = obj[()]

    for key, value in f.attrs.items():
        items[f"/@{key}"] = value
    f.visititems(visit)
    return items


def assert_same_results(a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        ia, ib = all_items(fa), all_items(fb)
    assert ia.keys() == ib.keys()
    for key in ia:
        if key == "/@created":
            continue
        np.testing.assert_array_equal(ia[key], ib[key], err_msg=key)


def test_same_seed_same_results_whatever_the_thread_count(run_caseload, tmp_path):
    scenario = ROOT / "scenarios" / "validation" / "infinite-server.toml"
    one, two, three = tmp_path / "1.h5", tmp_path / "2.h5", tmp_path / "3.h5"
    run_caseload("run", scenario, "-o", one, "-r", 4, "-j", 1)
    run_caseload("run", scenario, "-o", two, "-r", 4, "-j", 2)
    run_caseload("run", scenario, "-o", three, "-r", 4, "-j", 4)
    assert_same_results(one, two)
    assert_same_results(one, three)
    # The bytes differ only where the creation time is stored.
    b1, b2 = one.read_bytes(), two.read_bytes()
    assert len(b1) == len(b2)
    assert sum(x != y for x, y in zip(b1, b2)) <= 20


def test_another_seed_gives_other_results(run_caseload, tmp_path):
    scenario = ROOT / "scenarios" / "validation" / "infinite-server.toml"
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    run_caseload("run", scenario, "-o", a, "-r", 2, "-s", 1)
    run_caseload("run", scenario, "-o", b, "-r", 2, "-s", 2)
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        assert fa.attrs["seed"] == 1 and fb.attrs["seed"] == 2
        assert not np.array_equal(fa["summary/mean_held"][()], fb["summary/mean_held"][()])
