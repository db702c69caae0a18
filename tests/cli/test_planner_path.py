"""The planner's path at the command line (issue 11, part 5): warnings about
likely slips, LDUs named in --vary, paired differences in a sweep, compare's
checks and order, and a terminal a planner reads without the docs."""

import re

import h5py
import numpy as np
import pytest

from test_experiments import SHORT_BASE

# Two LDUs with planners' names, one with a space and an ampersand.
BASE = SHORT_BASE.replace('"North"', '"Nottinghamshire"').replace('"South"', '"Black Country & Dudley"')


@pytest.fixture
def base(tmp_path):
    path = tmp_path / "base.toml"
    path.write_text(BASE)
    return path


def position(text, anchor):
    i = text.index(anchor)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def warnings_of(proc):
    return [l for l in proc.stderr.splitlines() if l.startswith("caseload: warning: ")]


# --------------------------------------------------------------------------- slips

def test_a_likely_slip_is_warned_about_with_its_place_by_every_command(caseload, tmp_path, base):
    text = BASE.replace("staff.PSO = { establishment = 3 }",
                        "staff.PSO = { establishment = 3, reduction_percent = 0.3 }")
    path = tmp_path / "slip.toml"
    path.write_text(text)
    line, column = position(text, "0.3 }")
    expected = f"caseload: warning: {path}:{line}:{column}: 'ldu[0].staff.PSO.reduction_percent' = 0.3"
    for args in (["validate", path], ["run", path, "-q"], ["compare", base, path, "-r", 5, "-q"],
                 ["run", path, "-r", 5, "-q", "--vary", "seed=1,2"]):
        proc = caseload(*args)
        assert proc.returncode == 0, proc.stderr
        got = warnings_of(proc)
        assert len(got) == 1, f"{args}: {proc.stderr}"  # once, even when the file is loaded twice
        assert got[0].startswith(expected), got[0]
        assert "write 30" in got[0]


@pytest.mark.parametrize("text,words", [
    (BASE.replace("cap_percent = 100", "cap_percent = 1.1"), ["cap_percent", "fraction", "write 110"]),
    (BASE + "[[intervention]]\nat_day = 60\ndemand_factor = 15\n", ["demand_factor", "15", "write 1.15"]),
], ids=["cap-as-fraction", "demand-factor-15"])
def test_a_slip_that_cannot_be_meant_is_refused(caseload, tmp_path, text, words):
    path = tmp_path / "s.toml"
    path.write_text(text)
    proc = caseload("validate", path)
    assert proc.returncode == 2, proc.stderr
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: error: ", proc.stderr), proc.stderr
    for w in words:
        assert w in proc.stderr, proc.stderr


def test_removing_more_staff_than_are_in_post_is_warned(caseload, tmp_path):
    text = BASE + '[[intervention]]\nat_day = 60\nldu = "Nottinghamshire"\nadd_staff.PO = -9\n'
    path = tmp_path / "s.toml"
    path.write_text(text)
    proc = caseload("validate", path)
    assert proc.returncode == 0, proc.stderr
    (warning,) = warnings_of(proc)
    assert f"{path}:{position(text, '-9')[0]}:" in warning
    assert "Nottinghamshire (7)" in warning and "-9" in warning


# --------------------------------------------------------------------------- errors in a variant

def test_an_error_in_a_variants_intervention_names_the_variant_line_and_column(caseload, tmp_path, base):
    text = 'schema_version = 1\nextends = "base.toml"\n[[intervention]]\nat_days = 60\nadd_staff.PO = 1\n'
    variant = tmp_path / "v.toml"
    variant.write_text(text)
    proc = caseload("validate", variant)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{variant}:4:1: error: unknown key 'intervention[0].at_days'"), proc.stderr
    assert "did you mean 'at_day'?" in proc.stderr
    variant.write_text(text.replace("at_days = 60", "at_day = 2000"))
    proc = caseload("validate", variant)
    assert proc.stderr.startswith(f"{variant}:4:10: error: "), proc.stderr
    assert "2000" in proc.stderr and "the horizon, 200" in proc.stderr


# --------------------------------------------------------------------------- LDUs by name

@pytest.mark.parametrize("key", ["ldu.Nottinghamshire.staff.PO.in_post",
                                 'ldu."Black Country & Dudley".staff.PO.in_post',
                                 "ldu[Black Country & Dudley].staff.PO.in_post"])
def test_vary_names_an_ldu(caseload, tmp_path, base, key):
    out = tmp_path / "sweep.h5"
    proc = caseload("run", base, "-r", 1, "-q", "--vary", f"{key}=2,3", "-o", out)
    assert proc.returncode == 0, proc.stderr
    ldu = 0 if "Nottinghamshire" in key else 1
    with h5py.File(out, "r") as f:
        for run, staff in (("0000", 2), ("0001", 3)):
            in_post = f[f"runs/{run}/replications/0000/snapshots/ldu_grade/in_post"][0, :, 0]
            assert in_post[ldu] == staff and in_post[1 - ldu] == [7, 6][1 - ldu]


def test_vary_with_an_unknown_ldu_lists_the_names(caseload, base):
    proc = caseload("run", base, "--vary", "ldu.Notts.staff.PO.in_post=3")
    assert proc.returncode == 2
    assert proc.stderr.startswith("--vary: error: ")
    assert '"Nottinghamshire"' in proc.stderr and '"Black Country & Dudley"' in proc.stderr
    proc = caseload("run", base, "--vary", "ldu.Nottinghamshir.staff.PO.in_post=3")
    assert 'did you mean "Nottinghamshire"?' in proc.stderr
