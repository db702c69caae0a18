"""The Python package on a sensitivity file (kind "sensitivity", schema 1.4):
its class and frames against the file read with h5py, the tornado plot and
the report's tornado section."""
import os
import pathlib
import re
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

ROOT = pathlib.Path(__file__).resolve().parents[2]
ANALYSIS = ROOT / "analysis"
sys.path.insert(0, str(ANALYSIS))

import caseload  # noqa: E402
from caseload import labels, plots  # noqa: E402


KEYS = ["ldu[*].arrivals_per_week.community", "tasks.review_hours", "vacancy_rate.PO"]


@pytest.fixture(scope="module")
def path(sensitivity_file):
    return sensitivity_file


@pytest.fixture(scope="module")
def sens(path):
    with caseload.open(path) as results:
        yield results


def test_open_dispatches_on_kind(sens, path):
    assert isinstance(sens, caseload.Sensitivity) and sens.kind == "sensitivity"
    assert sens.schema_version == (1, 8) and caseload.KNOWN_MINOR == 8
    assert sens.scenario_name == "pytest-screened" and sens.seed == 4 and sens.replications == 3
    assert sens.scenario["name"] == "pytest-screened"
    assert sens.runs == []
    text = repr(sens)
    assert text.startswith("<caseload.Sensitivity") and str(path) in text
    assert "3 parameters" in text and "vacancy_rate.PO" in text


def test_frames_match_the_file(sens, path):
    s = sens.sensitivity
    assert list(s.columns) == ["parameter", "low", "high", "figure", "units", "effect", "ci_low",
                               "ci_high", "n", "rank"]
    assert isinstance(s["parameter"].dtype, pd.CategoricalDtype)
    assert isinstance(s["figure"].dtype, pd.CategoricalDtype)
    assert list(s["parameter"].cat.categories) == KEYS
    assert s.attrs["confidence"] == 0.95
    with h5py.File(path, "r") as f:
        g = f["sensitivity"]
        assert len(s) == len(g["effect"]) == 3 * len(s["figure"].cat.categories)
        assert list(s["parameter"].astype(str)) == list(g["parameter"].asstr()[()])
        assert list(s["figure"].astype(str)) == list(g["figure"].asstr()[()])
        for column in ("low", "high", "effect", "ci_low", "ci_high", "n", "rank"):
            np.testing.assert_array_equal(s[column].to_numpy(), g[column][()])
    assert list(sens.parameters["parameter"]) == KEYS
    np.testing.assert_array_equal(sens.parameters["low"], [3, 1, 0])
    np.testing.assert_array_equal(sens.parameters["high"], [7, 3, 0.3])


def test_ranked_puts_the_largest_effect_first(sens):
    held = sens.ranked("mean_held")
    assert list(held["rank"]) == [1, 2, 3]
    assert held["parameter"].iloc[0] == "ldu[*].arrivals_per_week.community"
    magnitude = held["effect"].abs().to_numpy()
    assert (np.diff(magnitude) <= 0).all()
    with pytest.raises(KeyError):
        sens.ranked("no_such_figure")


def test_tornado_draws_a_bar_and_whisker_per_parameter(sens):
    fig = plots.tornado(sens, "capacity_mean_PO")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    rows = sens.ranked("capacity_mean_PO")
    bars = [p for p in ax.patches]
    assert len(bars) == rows["effect"].notna().sum() == 3
    # Top to bottom in rank order, each bar as long as its effect.
    widths = [b.get_width() for b in sorted(bars, key=lambda b: b.get_y())]
    np.testing.assert_allclose(widths, rows["effect"].to_numpy())
    labels_shown = [t.get_text() for t in ax.get_yticklabels()]
    assert labels_shown[0].startswith(rows["parameter"].iloc[0])
    with pytest.raises(TypeError):
        plots.tornado(object(), "mean_held")


def test_report_has_the_tornado_section(path, tmp_path):
    out = tmp_path / "sens.html"
    env = {**os.environ, "PYTHONPATH": str(ANALYSIS)}
    result = subprocess.run([sys.executable, "-m", "caseload", "report", str(path), "-o", str(out)],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "<script" not in text and "http://" not in text and "https://" not in text
    assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', text))
    assert "Caseload sensitivity: pytest-screened" in text
    assert "Tornado plots" in text
    assert 'alt="Tornado plot of ' + labels.label("mean_held") + '"' in text
    assert text.count('alt="Tornado plot of ') >= 3
    for key in KEYS:
        assert key in text
