"""The Python package on a staffing file (kind "staffing", schema 1.5): its
class and frames against the file read with h5py, the two plots and the
report's page."""
import pathlib
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
        assert s.schema_version == (1, 5)
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
