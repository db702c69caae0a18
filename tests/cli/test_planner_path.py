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


# --------------------------------------------------------------------------- a sweep's paired differences

def rows_of(group):
    """A table group as a list of dicts, strings decoded."""
    columns = {k: group[k][()] for k in group.keys()}
    n = len(next(iter(columns.values())))
    return [{k: (v[i].decode() if isinstance(v[i], bytes) else v[i]) for k, v in columns.items()} for i in range(n)]


def test_a_sweep_reports_paired_differences_from_its_first_value(caseload, tmp_path, base):
    out = tmp_path / "sweep.h5"
    proc = caseload("run", base, "-r", 5, "--vary", "ldu.Nottinghamshire.staff.PO.in_post=7,5,4", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "Paired differences from in_post=7" in proc.stdout
    assert proc.stdout.rstrip().endswith(f"Results in {out}")
    with h5py.File(out, "r") as f:
        assert list(f.attrs["schema_version"]) == [1, 8]
        g = f["sweep_differences"]
        assert g.attrs["reference_value"] == "7"
        rows = rows_of(g)
        assert {(r["run"], r["value"]) for r in rows} == {(1, "5"), (2, "4")}
        first = f["runs/0000/summary"]
        division = np.array([l.decode() for l in first["ldu"][()]]) == "division"
        for run, value in ((1, "5"), (2, "4")):
            other = f[f"runs/{run:04d}/summary"]
            paired = other["mean_waiting"][()][division] - first["mean_waiting"][()][division]
            (row,) = [r for r in rows if r["run"] == run and r["ldu"] == "division" and r["figure"] == "mean_waiting"]
            assert row["difference"] == pytest.approx(paired.mean())
            assert row["n"] == 5
    # The terminal shows the same difference, with its interval.
    block = proc.stdout.split("Paired differences")[1]
    line = next(l for l in block.splitlines() if l.startswith("cases waiting "))
    assert re.match(r"cases waiting +[+-]\d+\.\d+ \[\S+, \S+\]", line), line


# --------------------------------------------------------------------------- compare

def compare_rows(stdout):
    """The table rows of `compare`: (label, base, variant, difference, interval, starred, key)."""
    rows = []
    body = stdout.split("\nfigure")[1].splitlines()[1:]
    for line in body:
        if not line.strip():
            break
        m = re.match(r"(.+?)\s{2,}(\S+)\s+(\S+)\s+(\S+(?: pts)?)\s+(\[[^\]]*\])?( \*)?\s+(\S+)$", line)
        assert m, line
        rows.append((m.group(1).strip(), m.group(2), m.group(3), m.group(4), m.group(5), bool(m.group(6)),
                     m.group(7)))
    return rows


@pytest.fixture
def short(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text('schema_version = 1\nextends = "base.toml"\nname = "short"\n'
                    '[overrides]\n"ldu.Nottinghamshire.staff.PO.in_post" = 4\n')
    return path


def test_compare_lists_the_most_significant_differences_first(caseload, tmp_path, base, short):
    out = tmp_path / "cmp.h5"
    proc = caseload("compare", base, short, "-r", 6, "-o", out)
    assert proc.returncode == 0, proc.stderr
    rows = compare_rows(proc.stdout)
    with h5py.File(out, "r") as f:
        table = [r for r in rows_of(f["comparison"]) if r["ldu"] == "division"]
    shown = [r for r in table if np.isfinite(r["base_mean"]) and np.isfinite(r["variant_mean"])]
    assert [r[6] for r in rows] == [r["figure"] for r in sorted(shown, key=lambda r: (
        not r["significant"],
        -(np.inf if r["difference_half_width"] == 0 and r["difference"] != 0 else
          0.0 if r["difference"] == 0 else
          abs(r["difference"]) / r["difference_half_width"] if np.isfinite(r["difference_half_width"]) else -1)))]
    starred = [r[5] for r in rows]
    assert any(starred) and starred == sorted(starred, reverse=True)  # every * before any row without
    assert {r[6] for r in rows if r[5]} == {r["figure"] for r in shown if r["significant"]}


def test_compare_shows_fractions_as_percentages_and_their_differences_in_points(caseload, tmp_path, base, short):
    out = tmp_path / "cmp.h5"
    proc = caseload("compare", base, short, "-r", 6, "-o", out)
    (waited,) = [r for r in compare_rows(proc.stdout) if r[6] == "share_waited"]
    with h5py.File(out, "r") as f:
        (row,) = [r for r in rows_of(f["comparison"]) if r["ldu"] == "division" and r["figure"] == "share_waited"]
    assert waited[0] == "share of cases that waited"
    assert waited[1] == f"{100 * row['base_mean']:.1f}%" and waited[2] == f"{100 * row['variant_mean']:.1f}%"
    assert waited[3] == f"{100 * row['difference']:+.1f} pts"
    assert waited[4] == f"[{100 * row['difference_low']:.1f}, {100 * row['difference_high']:.1f}]"


def test_compare_shows_one_ldu(caseload, tmp_path, base, short):
    out = tmp_path / "cmp.h5"
    proc = caseload("compare", base, short, "-r", 6, "--ldu", "Black Country & Dudley", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "LDU Black Country & Dudley:" in proc.stdout
    rows = {r[6]: r for r in compare_rows(proc.stdout)}
    with h5py.File(out, "r") as f:
        table = {r["figure"]: r for r in rows_of(f["comparison"]) if r["ldu"] == "Black Country & Dudley"}
    assert rows["mean_held"][1] == f"{table['mean_held']['base_mean']:.1f}"  # 10 to 100 cases: 1 decimal
    assert set(rows) <= set(table)
    proc = caseload("compare", base, short, "-r", 6, "--ldu", "Black Country")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("--ldu: error: unknown LDU \"Black Country\"")
    assert '"Nottinghamshire"' in proc.stderr


@pytest.mark.parametrize("ldus,words", [
    ('[[ldu]]\nname = "Nottinghamshire"\nstaff.PO = { establishment = 3 }\n'
     '[[ldu]]\nname = "Derbyshire"\nstaff.PO = { establishment = 3 }\n',
     ['only the base has "Black Country & Dudley"', 'only the variant has "Derbyshire"']),
    ('[[ldu]]\nname = "Black Country & Dudley"\nstaff.PO = { establishment = 3 }\n'
     '[[ldu]]\nname = "Nottinghamshire"\nstaff.PO = { establishment = 3 }\n',
     ['another order', 'LDU 1 is "Nottinghamshire" in the base, "Black Country & Dudley" in the variant']),
], ids=["other-names", "other-order"])
def test_compare_refuses_scenarios_with_different_ldus_unless_told(caseload, tmp_path, base, ldus, words):
    variant = tmp_path / "other.toml"
    variant.write_text('schema_version = 1\nextends = "base.toml"\nname = "other"\n' + ldus)
    out = tmp_path / "cmp.h5"
    proc = caseload("compare", base, variant, "-r", 2, "-o", out)
    assert proc.returncode == 2 and proc.stdout == "" and not out.exists()
    assert proc.stderr.startswith(f"{variant}: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    for w in words + ["--allow-different-ldus"]:
        assert w in proc.stderr, proc.stderr
    proc = caseload("compare", base, variant, "-r", 2, "-o", out, "-q", "--allow-different-ldus")
    assert proc.returncode == 0, proc.stderr
    with h5py.File(out, "r") as f:
        assert "Nottinghamshire" in {r["ldu"] for r in rows_of(f["comparison"])}


# --------------------------------------------------------------------------- the terminal

def test_fewer_than_five_replications_are_warned_about(caseload, base):
    for args, warned in ((["run", base, "-r", 1], False), (["run", base, "-r", 2], True),
                         (["compare", base, base, "-r", 1], True), (["compare", base, base, "-r", 4], True),
                         (["compare", base, base, "-r", 5], False), (["run", base, "-r", 3, "--vary", "seed=1,2"], True)):
        proc = caseload(*args, "-q")
        assert proc.returncode == 0, proc.stderr
        got = warnings_of(proc)
        assert len(got) == (1 if warned else 0), f"{args}: {proc.stderr}"
        if warned:
            assert "fewer than 5" in got[0] or "no interval" in got[0]
            assert "-r 5" in got[0]


def test_run_info_and_compare_show_a_figure_alike_with_headers_in_words(caseload, tmp_path, base):
    run = tmp_path / "run.h5"
    proc = caseload("run", base, "-r", 5, "-o", run)
    assert proc.returncode == 0, proc.stderr
    header = next(l for l in proc.stdout.splitlines() if l.startswith("Cases"))
    for words in ("held", "waiting", "wait (days)", "waited", "reallocated", "VLO caseload"):
        assert words in header, header
    assert "wait d " not in proc.stdout and "VLO cl " not in proc.stdout and "n 4wk" not in proc.stdout
    assert "over 110% for 4 wks" in proc.stdout and "first victim contact" in proc.stdout
    # The division's waited share, as a percentage, in the cases table.
    division = next(l for l in proc.stdout.splitlines() if l.startswith("Division "))
    assert re.search(r"\d+\.\d%", division), division
    # A key figure's line is the same in run and info.
    info = caseload("info", run)
    assert info.returncode == 0
    for key in ("capacity_mean_PO", "share_over_110", "mean_wait_days", "gini"):
        in_run = next(l for l in proc.stdout.splitlines() if l.endswith(" " + key))
        in_info = next(l for l in info.stdout.splitlines() if l.endswith(" " + key))
        assert in_run.split() == in_info.split(), (in_run, in_info)
    po = next(l for l in info.stdout.splitlines() if l.endswith(" capacity_mean_PO"))
    assert po.strip().startswith("PO capacity, mean") and re.search(r"\d\.\d% +\[", po), po
