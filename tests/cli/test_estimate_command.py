"""`caseload estimate HISTORY.csv`: the TOML it writes is accepted by the
scenario loader (as tables of a new scenario, or as a variant of a given one),
and a broken history stops it with one message naming the file, line and
column. The estimates' accuracy against known parameters is tested in
tests/unit/test_estimate.cpp."""

import datetime
import math
import random
import tomllib

import pytest

AS_OF = datetime.date(2018, 10, 1)
START = datetime.date(2016, 10, 1)

BASE = """schema_version = 1
name = "two"
horizon_days = 200
[case_types.community]
duration_days = { dist = "fixed", value = 100 }
tier_mix = { C1 = 1.0 }
[[ldu]]
name = "North"
staff.PO = { establishment = 40 }
arrivals_per_week = { community = 1 }
[[ldu]]
name = "South"
staff.PO = { establishment = 20 }
"""


def write_history(path, seed=3):
    """Two years of arrivals at known rates, lognormal community and exponential custody durations."""
    rng = random.Random(seed)
    rows = ["case_id,ldu,case_type,tier,start_date,end_date"]
    days = (AS_OF - START).days
    for ldu, rates in (("South", {"community": 6.0, "custody": 2.0}), ("North", {"community": 9.0, "custody": 3.0})):
        for case_type, rate in rates.items():
            t = 0.0
            while True:
                t += rng.expovariate(rate / 7)
                if t >= days:
                    break
                length = rng.lognormvariate(5.5, 0.5) if case_type == "community" else rng.expovariate(1 / 250)
                start = START + datetime.timedelta(days=int(t))
                end = START + datetime.timedelta(days=int(t + length))
                tier = rng.choice(["A1", "B2", "C1"] if case_type == "community" else ["A2", "B1"])
                rows.append(f"H{len(rows):05d},{ldu},{case_type},{tier},{start},{end if end <= AS_OF else ''}")
    path.write_text("\n".join(rows) + "\n")


def test_the_fragment_makes_a_scenario_the_loader_accepts(caseload, tmp_path):
    history = tmp_path / "history.csv"
    write_history(history)
    proc = caseload("estimate", history, "-o", tmp_path / "demand.toml")
    assert proc.returncode == 0, proc.stderr
    fragment = (tmp_path / "demand.toml").read_text()
    assert "95% [" in fragment and "Garwood" in fragment
    doc = tomllib.loads(fragment)
    assert [ldu["name"] for ldu in doc["ldu"]] == ["South", "North"]
    north = doc["ldu"][1]["arrivals_per_week"]
    assert north["community"] == pytest.approx(9.0, rel=0.15) and north["custody"] == pytest.approx(3.0, rel=0.25)
    assert doc["case_types"]["community"]["duration_days"]["dist"] in ("lognormal", "weibull")
    assert sum(doc["case_types"]["custody"]["tier_mix"].values()) == pytest.approx(1.0, abs=1e-9)
    scenario = tmp_path / "new.toml"
    scenario.write_text("schema_version = 1\n" + fragment)
    check = caseload("validate", scenario)
    assert check.returncode == 0, check.stderr


def test_with_a_scenario_it_writes_a_variant_of_it(caseload, tmp_path):
    (tmp_path / "base").mkdir()
    base = tmp_path / "base" / "two.toml"
    base.write_text(BASE)
    history = tmp_path / "history.csv"
    write_history(history)
    out = tmp_path / "out" / "estimated.toml"
    out.parent.mkdir()
    proc = caseload("estimate", history, "--scenario", base, "-o", out, "--as-of", "2018-06-30")
    assert proc.returncode == 0, proc.stderr
    doc = tomllib.loads(out.read_text())
    assert doc["extends"] == "../base/two.toml"
    assert "to 2018-06-30" in out.read_text()
    overrides = doc["overrides"]
    assert overrides["ldu[0].arrivals_per_week.community"] == pytest.approx(9.0, rel=0.15)   # North is ldu[0]
    assert overrides["ldu[1].arrivals_per_week.custody"] == pytest.approx(2.0, rel=0.3)
    check = caseload("validate", out)
    assert check.returncode == 0, check.stderr
    run = caseload("run", out, "-r", "1", "-q")
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("old, new, line_of, column_of, message", [
    (",2016-10-0", ",2016-13-0", ",2016-13-0", "2016-13", "is not a date"),
    (",A1,", ",A9,", ",A9,", "A9", "unknown tier \"A9\""),
    (",custody,", ",custodial,", ",custodial,", "custodial", "unknown case type \"custodial\""),
])
def test_a_broken_history_is_named_at_its_line_and_column(caseload, tmp_path, old, new, line_of, column_of, message):
    history = tmp_path / "history.csv"
    write_history(history)
    text = history.read_text().replace(old, new, 1)
    history.write_text(text)
    line_number, line = next((i + 1, l) for i, l in enumerate(text.splitlines()) if line_of in l)
    out = tmp_path / "demand.toml"
    proc = caseload("estimate", history, "-o", out)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"{history}:{line_number}:{line.index(column_of) + 1}: error: "), proc.stderr
    assert message in proc.stderr
    assert not out.exists()


def test_an_end_before_the_start_and_other_refusals(caseload, tmp_path):
    history = tmp_path / "history.csv"
    history.write_text("case_id,ldu,case_type,tier,start_date,end_date\n"
                       "H1,North,community,A1,2018-01-10,2018-01-09\n")
    proc = caseload("estimate", history)
    assert proc.returncode == 2
    assert f"{history}:2:34: error: column 'end_date': 2018-01-09 is before the case's start_date" in proc.stderr
    history.write_text("case_id,ldu,case_type,start_date\nH1,North,community,2018-01-10\n")
    proc = caseload("estimate", history)
    assert proc.returncode == 2 and "missing column 'tier'" in proc.stderr
    write_history(history)
    proc = caseload("estimate", history, "--as-of", "01/10/2018")
    assert proc.returncode == 2 and "--as-of: error:" in proc.stderr
    proc = caseload("estimate", history, "--as-of", "2016-09-01")
    assert proc.returncode == 2 and "is empty" in proc.stderr
    base = tmp_path / "one.toml"
    base.write_text(BASE.split("[[ldu]]\nname = \"South\"")[0])
    proc = caseload("estimate", history, "--scenario", base)
    assert proc.returncode == 2 and "unknown LDU \"South\"" in proc.stderr
