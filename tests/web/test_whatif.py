"""The what-if form's reading and writing, without a server: the scenario file it writes (the one a
planner could write by hand), the line each control writes, and the loader's messages put back
beside the control of their line."""

from __future__ import annotations

import datetime

import pytest
from werkzeug.datastructures import MultiDict

from caseload.web import whatif as wi
from caseload.web.engine import Engine, parse_messages
from caseload.web.folders import NotAllowed, inside, plain_name, slug
from conftest import DATA


@pytest.fixture(scope="module")
def base(caseload_bin):
    return wi.Base.from_resolved("two-ldu.toml", Engine(caseload_bin).resolved(DATA / "two-ldu.toml"))


def test_the_base_is_read_from_the_resolved_scenario(base):
    assert base.name == "two-ldu" and base.start_date == datetime.date(2020, 1, 1)
    assert [ldu["name"] for ldu in base.ldus] == ["North", "South"]
    assert base.ldus[0]["staff"]["PO"] == {"establishment": 8, "in_post": 7}
    assert base.ldus[1]["staff"]["PO"] == {"establishment": 6, "in_post": 6}  # in_post defaults to establishment
    assert base.grades == ["PO", "PSO", "VLO"] and base.policy == "capped"


def test_the_form_becomes_a_small_file_that_extends_the_base(base):
    form = MultiDict({"name": "North  cut", "replications": "3", "ldu-0-PO-in_post": "5", "ldu-0-PO-establishment": "8",
                      "vacancy-PSO": "25", "policy": "least_loaded", "demand": "110",
                      "timeline-count": "2", "timeline-0-date": "2020-03-01", "timeline-0-what": "staff_percent",
                      "timeline-0-ldu": "South", "timeline-0-grade": "PO", "timeline-0-value": "-30",
                      "timeline-0-keep_posts": "on"})
    what_if, errors = wi.read_form(form, base)
    assert not errors
    assert what_if.name == "North cut" and what_if.replications == 3
    lines = what_if.text.splitlines()
    assert lines[0] == wi.HEADER
    assert 'extends = "two-ldu.toml"' in lines and 'name = "North cut"' in lines
    assert "# Run against its base, in this folder: caseload compare two-ldu.toml north-cut.toml -r 3" in lines
    assert '"allocation.policy" = "least_loaded"' in lines
    assert '"vacancy_rate.PSO" = 0.25' in lines
    assert '"ldu[0].staff.PO.in_post" = 5  # North' in lines
    assert not any("establishment" in line for line in lines)  # unchanged from the base: not written
    # Demand at 110% from the start: every rate of every LDU scaled, the LDU and base rate in a comment.
    assert '"ldu[0].arrivals_per_week.community" = 6.6  # North: 110% of 6.0' in lines
    assert '"ldu[1].court_reports_per_week" = 2.2  # South: 110% of 2.0' in lines
    assert not any("demand_factor" in line for line in lines)
    assert "at_day = 60  # 2020-03-01" in lines and 'ldu = "South"' in lines
    assert "add_staff_percent.PO = -30" in lines and "keep_posts = true" in lines
    where = {field: n for n, field in what_if.lines.items()}
    assert lines[where["ldu-0-PO-in_post"] - 1].startswith('"ldu[0].staff.PO.in_post"')
    assert lines[where["timeline-0-date"] - 1].startswith("at_day = 60")
    assert lines[where["timeline-0-value"] - 1].startswith("add_staff_percent.PO")


def test_the_loaders_messages_go_beside_the_control_of_their_line(base):
    form = MultiDict({"name": "x", "ldu-1-PO-establishment": "-1", "cap_percent": "1.1"})
    what_if, _ = wi.read_form(form, base)
    line = {field: n for n, field in what_if.lines.items()}
    stderr = (f"/s/.caseload-web-1.toml:{line['ldu-1-PO-establishment']}:36: error: 'ldu[1].staff.PO.establishment' "
              "= -1 is out of range\n"
              f"caseload: warning: /s/.caseload-web-1.toml:{line['cap_percent']}:28: a warning\n"
              "/s/two-ldu.toml:3:1: error: in the base\n"
              "/s/.caseload-web-1.toml: error: no position\n")
    errors, warnings = wi.FormErrors(), wi.FormErrors()
    wi.place_messages(parse_messages(stderr), what_if, "/s/.caseload-web-1.toml", errors, warnings)
    assert errors["ldu-1-PO-establishment"] == ["'ldu[1].staff.PO.establishment' = -1 is out of range"]
    assert warnings["cap_percent"] == ["a warning"]
    assert errors["form"] == ["two-ldu.toml: line 3, column 1: in the base", "this what-if: no position"]
    assert "/s/" not in " ".join(errors["form"])  # no folder shown


@pytest.mark.parametrize("name", ["../x.toml", "..", ".hidden.toml", "/etc/passwd", "a/b.toml", "a\\b.toml",
                                  "x.toml\x00", "", "a" * 81, "x..toml", "x;y.toml", "$(x).toml", "x .toml"])
def test_names_that_are_not_plain_are_not_allowed(name, tmp_path):
    with pytest.raises(NotAllowed):
        plain_name(name)
    with pytest.raises(NotAllowed):
        inside(tmp_path, name)


def test_slugs_are_plain_names():
    for text in ("Cut POs (Birmingham) -30%", "../../etc", "$(rm -rf /)", "", "Ünïcödé"):
        plain_name(slug(text) + ".toml")
    assert slug("Cut POs (Birmingham) -30%") == "cut-pos-birmingham-30"


def test_the_loader_reads_the_what_if_as_the_form_meant_it(base, caseload_bin, tmp_path):
    form = MultiDict({"name": "all of it", "ldu-0-PO-in_post": "5", "ldu-1-PSO-establishment": "4", "vacancy-VLO": "0",
                      "demand": "110", "ldu-1-demand": "50", "policy": "least_loaded",
                      "timeline-count": "3", "timeline-0-date": "2020-03-01", "timeline-0-what": "staff_count",
                      "timeline-0-ldu": "South", "timeline-0-grade": "PSO", "timeline-0-value": "2",
                      "timeline-1-date": "2020-04-01", "timeline-1-what": "cap", "timeline-1-value": "120",
                      "timeline-2-date": "2020-05-01", "timeline-2-what": "demand", "timeline-2-value": "90"})
    what_if, errors = wi.read_form(form, base)
    assert not errors
    (tmp_path / "two-ldu.toml").write_bytes((DATA / "two-ldu.toml").read_bytes())
    (tmp_path / "w.toml").write_text(what_if.text)
    engine = Engine(caseload_bin)
    assert engine.validate(tmp_path / "w.toml") == (True, [])
    doc = engine.resolved(tmp_path / "w.toml")
    north, south = doc["ldu"]
    assert north["staff"]["PO"]["in_post"] == 5 and south["staff"]["PSO"]["establishment"] == 4
    assert north["arrivals_per_week"]["community"] == pytest.approx(6.6)
    assert north["court_reports_per_week"] == pytest.approx(4.4)
    assert south["arrivals_per_week"]["community"] == pytest.approx(2.0)  # its own 50% replaces the 110%
    assert doc["allocation"]["policy"] == "least_loaded"
    assert [(iv["at_day"], iv.get("ldu")) for iv in doc["intervention"]] == [(60, "South"), (91, None), (121, None)]
    assert doc["intervention"][0]["add_staff"]["PSO"] == 2
    assert doc["intervention"][1]["cap_percent"] == 120 and doc["intervention"][2]["demand_factor"] == 0.9


def test_a_vacancy_rate_for_one_ldu_and_grade_sets_staff_in_post_from_the_posts(base, caseload_bin, tmp_path):
    form = MultiDict({"name": "vacant", "ldu-0-PO-vacancy": "25", "ldu-1-PO-establishment": "10",
                      "ldu-1-PO-vacancy": "15"})
    what_if, errors = wi.read_form(form, base)
    assert not errors
    lines = what_if.text.splitlines()
    assert '"ldu[0].staff.PO.in_post" = 6  # North: 25% of 8 posts vacant' in lines
    assert '"ldu[0].staff.PO.target_vacancy_rate" = 0.25  # North' in lines
    assert '"ldu[1].staff.PO.in_post" = 9  # South: 15% of 10 posts vacant' in lines  # 8.5, halves up
    fields = {what_if.lines[n + 1] for n, line in enumerate(lines) if "target_vacancy_rate" in line}
    assert fields == {"ldu-0-PO-vacancy", "ldu-1-PO-vacancy"}
    (tmp_path / "two-ldu.toml").write_bytes((DATA / "two-ldu.toml").read_bytes())
    (tmp_path / "w.toml").write_text(what_if.text)
    doc = Engine(caseload_bin).resolved(tmp_path / "w.toml")
    assert doc["ldu"][0]["staff"]["PO"]["in_post"] == 6 and doc["ldu"][1]["staff"]["PO"]["in_post"] == 9
    assert doc["ldu"][0]["staff"]["PO"]["target_vacancy_rate"] == 0.25

    both = MultiDict({"name": "both", "ldu-0-PO-vacancy": "25", "ldu-0-PO-in_post": "5"})
    what_if, errors = wi.read_form(both, base)
    assert what_if is None and errors["ldu-0-PO-vacancy"] == ["give staff in post or a vacancy rate, not both"]
