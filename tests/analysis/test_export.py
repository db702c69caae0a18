"""`python3 -m caseload export`: a results file's tables as an Excel workbook and as CSV
files, checked against the package's readers (the files are the session fixtures of
conftest.py)."""
import os
import pathlib
import shutil
import subprocess
import sys

import h5py
import numpy as np
import openpyxl
import pandas as pd
import pytest

ANALYSIS = pathlib.Path(__file__).resolve().parents[2] / "analysis"
sys.path.insert(0, str(ANALYSIS))

import caseload  # noqa: E402
from caseload import export  # noqa: E402

STATISTICS_HEADERS = ["LDU", "Figure", "Description", "Units", "Replications", "Mean", "Low (95%)",
                      "High (95%)", "Half-width (95%)"]


def run_export(*args):
    env = {**os.environ, "PYTHONPATH": str(ANALYSIS)}
    return subprocess.run([sys.executable, "-m", "caseload", "export", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def exported(files, plan_file, recruitment_file, sensitivity_file, tmp_path_factory):
    """Each kind of file exported once, to a workbook and to CSV files: {kind: (xlsx, csv folder)};
    "recruitment" is a staffing file made with --by-day."""
    d = tmp_path_factory.mktemp("export")
    sources = {"run": files["run"], "comparison": files["comparison"], "sweep": files["sweep"],
               "staffing": plan_file, "recruitment": recruitment_file, "sensitivity": sensitivity_file}
    out = {}
    for kind, source in sources.items():
        xlsx, folder = d / f"{kind}.xlsx", d / f"{kind}-csv"
        result = run_export(source, "--xlsx", xlsx, "--csv", folder)
        assert result.returncode == 0, result.stderr
        assert f"sheets in {xlsx}" in result.stdout and f"CSV files in {folder}" in result.stdout
        out[kind] = (xlsx, folder)
    return out


def workbook(exported, kind, sheets):
    """The workbook exported from a kind of file, once its sheets are checked to be `sheets`."""
    book = openpyxl.load_workbook(exported[kind][0])
    assert book.sheetnames == sheets
    return book


def rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def same(cells, values) -> bool:
    """A column of the sheet holds the reader's values: NaN as an empty cell, numbers to the
    16 significant digits that openpyxl writes (Excel itself keeps 15)."""
    values = list(values)
    if len(cells) != len(values):
        return False
    for cell, value in zip(cells, values):
        if isinstance(value, (float, np.floating)) and np.isnan(value):
            if cell is not None:
                return False
        elif isinstance(value, (float, np.floating)):
            if cell != pytest.approx(value, rel=1e-15, abs=1e-300):
                return False
        elif cell != value:
            return False
    return True


def read_csv(folder, name):
    return pd.read_csv(folder / name, float_precision="round_trip", keep_default_na=False,
                       na_values=[""])


def assert_numeric(ws, header):
    """Every filled cell of the column is a number (or a bool), never text."""
    column = [c.value for c in ws[1]].index(header) + 1
    cells = [ws.cell(row=r, column=column) for r in range(2, ws.max_row + 1)]
    assert cells and all(c.data_type in ("n", "b") for c in cells), header
    assert any(isinstance(c.value, (int, float)) for c in cells)


# --------------------------------------------------------------------------- workbook

def test_run_workbook(exported, files):
    book = workbook(exported, "run", ["Statistics", "By LDU", "About"])
    with caseload.open(files["run"]) as run:
        stats = run.statistics
        ws = book["Statistics"]
        table = rows(ws)
        assert table[0] == STATISTICS_HEADERS
        assert len(table) == len(stats) + 1
        assert [r[0] for r in table[1:]] == list(stats["ldu"])
        assert [r[1] for r in table[1:]] == list(stats["figure"])
        for header, column in [("Mean", "mean"), ("Low (95%)", "ci_low"), ("High (95%)", "ci_high"),
                               ("Half-width (95%)", "half_width"), ("Replications", "n")]:
            i = STATISTICS_HEADERS.index(header)
            assert same([r[i] for r in table[1:]], stats[column]), header
            assert_numeric(ws, header)
        # The division's mean PO capacity, as the reader gives it.
        division = {r[1]: r for r in table[1:] if r[0] == "division"}
        po = run.figure("capacity_mean_PO")
        assert same(division["capacity_mean_PO"][5:8], [po["mean"], po["ci_low"], po["ci_high"]])
        assert division["capacity_mean_PO"][2] == "PO capacity used, mean"
        assert division["capacity_mean_PO"][3] == "percent"
        assert ws.freeze_panes == "A2" and ws["A1"].font.b
        assert all(ws.column_dimensions[c].width >= 8 for c in "ABCDEFGHI")
        # A share is stored as a fraction and shown as a percentage.
        share = next(r for r in range(2, ws.max_row + 1)
                     if ws.cell(r, 1).value == "division" and ws.cell(r, 2).value == "share_over_110_PO")
        assert ws.cell(share, 6).number_format == "0.0%"
        assert same([ws.cell(share, 6).value], [run.figure("share_over_110_PO")["mean"]])

        ws = book["By LDU"]
        table = rows(ws)
        head = table[0]
        assert head[:4] == ["LDU", "PO capacity used (percent): mean",
                            "PO capacity used (percent): low (95%)", "PO capacity used (percent): high (95%)"]
        assert "Victim cases per VLO: mean" in head
        assert [r[0] for r in table[1:]] == [*run.ldu_names, "division"]
        for r in table[1:]:
            po = run.figure("capacity_mean_PO", r[0])
            assert same(r[1:4], [po["mean"], po["ci_low"], po["ci_high"]])
        for h in head[1:]:
            assert_numeric(ws, h)
        assert ws.freeze_panes == "A2"

        about = dict(rows(book["About"])[1:])
        assert about["Kind"] == "run" and about["Scenario"] == "pytest-small"
        assert about["Seed"] == 11 and about["Replications"] == 3


def test_comparison_workbook(exported, files):
    book = workbook(exported, "comparison", ["Comparison", "By LDU", "About"])
    with caseload.open(files["comparison"]) as c:
        d = c.comparison
        ws = book["Comparison"]
        table = rows(ws)
        head = table[0]
        assert head == ["LDU", "Figure", "Description", "Units", "Replications", "Base mean",
                        "Base half-width (95%)", "Variant mean", "Variant half-width (95%)",
                        "Difference (variant - base)", "Difference low (95%)", "Difference high (95%)",
                        "Clear difference (interval excludes 0)"]
        assert len(table) == len(d) + 1
        for header, column in [("Base mean", "base_mean"), ("Variant mean", "variant_mean"),
                               ("Difference (variant - base)", "difference"),
                               ("Difference low (95%)", "difference_low"),
                               ("Difference high (95%)", "difference_high")]:
            assert same([r[head.index(header)] for r in table[1:]], d[column]), header
            assert_numeric(ws, header)
        clear = head.index("Clear difference (interval excludes 0)")
        assert [r[clear] for r in table[1:]] == list(d["significant"])
        po = next(r for r in table[1:] if r[0] == "division" and r[1] == "capacity_mean_PO")
        assert po[clear] is True and po[head.index("Difference (variant - base)")] > 0

        ws = book["By LDU"]
        table = rows(ws)
        head = table[0]
        assert [r[0] for r in table[1:]] == [*c.base.ldu_names, "division"]
        division = table[-1]
        expected = d[(d.ldu == "division") & (d.figure == "capacity_mean_PO")].iloc[0]
        for suffix, column in [("base", "base_mean"), ("variant", "variant_mean"), ("difference", "difference")]:
            assert same([division[head.index(f"PO capacity used (percent): {suffix}")]], [expected[column]])


def test_sweep_workbook(exported, files):
    book = workbook(exported, "sweep", ["Sweep", "By LDU", "About"])
    with caseload.open(files["sweep"]) as s:
        ws = book["Sweep"]
        table = rows(ws)
        assert table[0] == ["vacancy_rate.PO", *STATISTICS_HEADERS]
        assert len(table) == len(s.sweep) + 1
        assert sorted({r[0] for r in table[1:]}) == [0.1, 0.3]  # the swept values as numbers
        assert_numeric(ws, "vacancy_rate.PO")
        for run, value in zip(s.runs, [0.1, 0.3]):
            po = next(r for r in table[1:] if r[0] == value and r[1] == "division"
                      and r[2] == "capacity_mean_PO")
            assert same([po[6]], [run.figure("capacity_mean_PO")["mean"]])
        ws = book["By LDU"]
        table = rows(ws)
        assert table[0][:3] == ["vacancy_rate.PO", "LDU", "PO capacity used (percent): mean"]
        assert [(r[0], r[1]) for r in table[1:]] == [(v, ldu) for v in (0.1, 0.3)
                                                     for ldu in [*s.runs[0].ldu_names, "division"]]
        assert same([table[-1][2]], [s.runs[1].figure("capacity_mean_PO")["mean"]])


def test_staffing_workbook(exported, plan_file):
    book = workbook(exported, "staffing", ["Staffing plan", "Targets", "Search", "About"])
    with caseload.open(plan_file) as s:
        ws = book["Staffing plan"]
        table = rows(ws)
        assert table[0] == ["LDU", "Grade", "Posts before", "Posts after", "Posts added", "Cost per post", "Cost"]
        assert [r[4] for r in table[1:]] == list(s.plan["added"])
        assert same([r[6] for r in table[1:]], s.plan["cost"])
        for header in table[0][2:]:
            assert_numeric(ws, header)
        assert sum(r[6] for r in table[1:]) == pytest.approx(s.total_cost)

        ws = book["Targets"]
        table = rows(ws)
        head = table[0]
        assert head[:6] == ["Target", "LDU", "Figure", "Description", "Condition", "Value"]
        target = dict(zip(head, table[1]))
        expected = s.targets.iloc[0]
        assert same([target["Mean with the plan"], target["Bound with the plan (95%)"]],
                    [expected["achieved_mean"], expected["achieved_bound"]])
        assert target["Met with the plan"] is True and target["Base meets it"] is False

        ws = book["Search"]
        table = rows(ws)
        text = expected["text"]
        assert table[0] == ["Step", "Change", "Posts added", "Cost", "Shortfall", "Accepted",
                            f"{text}: mean", f"{text}: bound (95%)"]
        assert len(table) == len(s.search) + 1
        assert same([r[7] for r in table[1:]], s.search["bound_0"])
        assert [r[5] for r in table[1:]] == list(s.search["accepted"])

        about = dict(rows(book["About"])[1:])
        assert about["Every target met"] is True and about["Total cost"] == s.total_cost


def test_recruitment_workbook(exported, recruitment_file):
    book = workbook(exported, "recruitment", ["Staffing plan", "Targets", "Recruitment plan", "Search", "About"])
    with caseload.open(recruitment_file) as s:
        plan, day = s.recruitment_plan, s.recruitment_by_day
        ws = book["Recruitment plan"]
        table = rows(ws)
        assert table[0] == ["LDU", "Grade", "Quarter starts (day)", "Quarter starts (date)", "Experienced hires",
                            "Trainee starts", "In post by (day)"]
        assert len(table) == len(plan) + 1
        assert [r[0] for r in table[1:]] == list(plan["ldu"]) and [r[1] for r in table[1:]] == list(plan["grade"])
        assert same([r[2] for r in table[1:]], plan["quarter_start_day"])
        assert [r[3].date() for r in table[1:]] == [d.date() for d in plan["quarter_start_date"]]
        assert ws["D2"].is_date
        assert [r[4] for r in table[1:]] == list(plan["experienced_hires"])
        assert [r[5] for r in table[1:]] == list(plan["trainee_starts"])
        assert {r[6] for r in table[1:]} == {day}
        for header in ("Quarter starts (day)", "Experienced hires", "Trainee starts"):
            assert_numeric(ws, header)

        table = rows(book["Targets"])
        head = table[0]
        after = f"from day {day:g}"
        assert head[-3:] == [f"Mean with the recruitment ({after})", f"Bound with the recruitment ({after}, 95%)",
                             f"Met with the recruitment ({after})"]
        t = s.targets
        assert same([r[-3] for r in table[1:]], t["recruitment_mean"])
        assert same([r[-2] for r in table[1:]], t["recruitment_bound"])
        assert [r[-1] for r in table[1:]] == list(t["recruitment_met"])

        about = dict(rows(book["About"])[1:])
        assert about["Recruitment plan: staff in post by day"] == day
        assert about["Recruitment plan: every group can reach its staff by then"] is s.recruitment_reachable

    # Without --by-day: no sheet, no columns (test_staffing_workbook checks the sheets).
    assert not [h for h in rows(openpyxl.load_workbook(exported["staffing"][0])["Targets"])[0]
                if "recruitment" in h]


def test_sensitivity_workbook(exported, sensitivity_file):
    book = workbook(exported, "sensitivity", ["Sensitivity", "Parameters", "About"])
    with caseload.open(sensitivity_file) as s:
        table = rows(book["Sensitivity"])
        head = table[0]
        assert head[:3] == ["Parameter", "Low value", "High value"]
        assert same([r[head.index("Effect (high - low)")] for r in table[1:]], s.sensitivity["effect"])
        assert [r[0] for r in rows(book["Parameters"])[1:]] == list(s.parameters["parameter"])


# --------------------------------------------------------------------------- CSV

def test_csv_files_read_back_equal_to_the_reader(exported, files, plan_file, recruitment_file):
    _, folder = exported["run"]
    assert sorted(p.name for p in folder.iterdir()) == ["about.csv", "by_ldu.csv", "statistics.csv"]
    with caseload.open(files["run"]) as run:
        stats = run.statistics
        back = read_csv(folder, "statistics.csv")
        assert list(back.columns) == STATISTICS_HEADERS
        assert list(back["LDU"]) == list(stats["ldu"]) and list(back["Figure"]) == list(stats["figure"])
        assert list(back["Units"].fillna("")) == list(stats["units"])
        for header, column in [("Mean", "mean"), ("Low (95%)", "ci_low"), ("High (95%)", "ci_high")]:
            np.testing.assert_array_equal(back[header], stats[column])  # full precision, NaN as NaN
        by_ldu = read_csv(folder, "by_ldu.csv").set_index("LDU")
        assert by_ldu.loc["division", "PO capacity used (percent): mean"] == run.figure("capacity_mean_PO")["mean"]

    _, folder = exported["comparison"]
    assert sorted(p.name for p in folder.iterdir()) == ["about.csv", "by_ldu.csv", "comparison.csv"]
    with caseload.open(files["comparison"]) as c:
        back = read_csv(folder, "comparison.csv")
        np.testing.assert_array_equal(back["Difference (variant - base)"], c.comparison["difference"])
        assert back["Clear difference (interval excludes 0)"].dtype == bool

    _, folder = exported["sweep"]
    assert sorted(p.name for p in folder.iterdir()) == ["about.csv", "by_ldu.csv", "sweep.csv"]
    with caseload.open(files["sweep"]) as s:
        back = read_csv(folder, "sweep.csv")
        np.testing.assert_array_equal(back["Mean"], s.sweep["mean"])
        assert sorted(set(back["vacancy_rate.PO"])) == [0.1, 0.3]

    _, folder = exported["staffing"]
    assert sorted(p.name for p in folder.iterdir()) == ["about.csv", "search.csv", "staffing_plan.csv",
                                                        "targets.csv"]
    with caseload.open(plan_file) as s:
        plan = read_csv(folder, "staffing_plan.csv")
        assert list(plan["Posts added"]) == list(s.plan["added"])
        np.testing.assert_array_equal(plan["Cost"], s.plan["cost"])
        search = read_csv(folder, "search.csv")
        assert list(search["Change"]) == list(s.search["change"])
        assert list(read_csv(folder, "targets.csv")["Met with the plan"]) == [True]

    _, folder = exported["recruitment"]
    assert sorted(p.name for p in folder.iterdir()) == ["about.csv", "recruitment_plan.csv", "search.csv",
                                                        "staffing_plan.csv", "targets.csv"]
    with caseload.open(recruitment_file) as s:
        plan = read_csv(folder, "recruitment_plan.csv")
        np.testing.assert_array_equal(plan["Quarter starts (day)"], s.recruitment_plan["quarter_start_day"])
        assert list(plan["Quarter starts (date)"]) == [f"{d:%Y-%m-%d}" for d in s.recruitment_plan["quarter_start_date"]]
        assert list(plan["Trainee starts"]) == list(s.recruitment_plan["trainee_starts"])
        targets = read_csv(folder, "targets.csv")
        np.testing.assert_array_equal(targets[f"Mean with the recruitment (from day {s.recruitment_by_day:g})"],
                                      s.targets["recruitment_mean"])


def test_csv_keeps_names_readable_by_excel(exported):
    _, folder = exported["run"]
    raw = (folder / "statistics.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel reads "North & East" right
    assert "North & East" in raw.decode("utf-8-sig")


# --------------------------------------------------------------------------- choices and errors

def test_without_outputs_a_workbook_next_to_the_file(files, tmp_path):
    source = tmp_path / "baseline.h5"
    shutil.copy(files["run"], source)
    result = run_export(source)
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(tmp_path / "baseline.xlsx").sheetnames == ["Statistics", "By LDU", "About"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_table_without_rows_or_values_is_left_out(files, tmp_path):
    path = tmp_path / "no-values.h5"
    shutil.copy(files["run"], path)
    with h5py.File(path, "r+") as f:
        f["statistics/mean"][...] = np.nan  # no figure has a value: no By LDU table
    with caseload.open(path) as run:
        assert [t.name for t in export.tables(run)] == ["Statistics", "About"]


@pytest.mark.parametrize("case", ["missing", "not hdf5", "not caseload", "no statistics (schema 1.1)",
                                  "xlsx folder missing", "csv folder is a file"])
def test_bad_input_or_output_exits_2_with_a_message(case, files, tmp_path):
    source, out = files["run"], ["--xlsx", tmp_path / "out.xlsx"]
    if case == "missing":
        source, expected = tmp_path / "nothing.h5", "no such file"
    elif case == "not hdf5":
        source, expected = tmp_path / "notes.h5", "not an HDF5 file"
        source.write_text("not hdf5")
    elif case == "not caseload":
        source, expected = tmp_path / "other.h5", "not a caseload results file"
        with h5py.File(source, "w") as f:
            f.attrs["format"] = "openmc"
    elif case == "no statistics (schema 1.1)":
        source, expected = tmp_path / "old.h5", "schema 1.1 has no statistics table"
        shutil.copy(files["run"], source)
        with h5py.File(source, "r+") as f:
            del f["statistics"]
            f.attrs["schema_version"] = np.array([1, 1], dtype=np.int64)
    elif case == "xlsx folder missing":
        out, expected = ["--xlsx", tmp_path / "no" / "such" / "out.xlsx"], "cannot write the workbook"
    else:
        (tmp_path / "plain").write_text("a file, not a folder")
        out, expected = ["--csv", tmp_path / "plain" / "tables"], "cannot write CSV files in"
    result = run_export(source, *out)
    assert result.returncode == 2
    assert result.stderr.startswith("caseload: error: ") and expected in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "out.xlsx").exists() and not list(tmp_path.rglob("*.tmp"))


def test_sheet_names_are_valid_for_excel():
    names = export.sheet_names(["Statistics", "a/b:c*d?e[f]g\\h", "x" * 40, "x" * 40, "STATISTICS", "''", ""])
    assert names[0] == "Statistics"
    assert names[1] == "a b c d e f g h"
    assert names[2] == "x" * 31 and names[3] == "x" * 27 + " (2)"
    assert names[4] == "STATISTICS (2)"
    assert names[5] == "Sheet" and names[6] == "Sheet (2)"
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
