"""End-to-end tests of how `caseload` handles bad input (docs/scenario-format.md, "Errors").

Every bad input must give exit code 2, exactly one clear message on stderr of
the form `FILE:LINE:COL: error: WHAT` (or `FILE: error: WHAT` when the input
has no position), no crash or traceback, and no output file.

Expected positions are computed from the text of each scenario, never typed in.
"""

import re
from typing import NamedTuple, Optional

import pytest

# A valid minimal scenario; every bad scenario below is an edit of it.
BASE = """\
schema_version = 1
name = "tiny"
horizon_days = 365
[case_types.community]
duration_days = { dist = "lognormal", mean = 300, sd = 150 }
tier_mix = { A3 = 0.5, B2 = 0.5 }
[case_types.custody]
duration_days = { dist = "gamma", mean = 300, sd = 150 }
tier_mix = { A3 = 0.5, B2 = 0.5 }
becomes = "licence"
[case_types.licence]
duration_days = { dist = "weibull", mean = 300, sd = 150 }
tier_mix = { A3 = 0.5, B2 = 0.5 }
[[ldu]]
name = "One"
staff.PO = { establishment = 12, in_post = 10 }
staff.PSO = { establishment = 5 }
arrivals_per_week = { community = 2, custody = 1 }
"""

COMMUNITY = "[case_types.community]\n"
CUSTODY = "[case_types.custody]\n"
LICENCE = "[case_types.licence]\n"

CRASH_MARKERS = ("Traceback", "terminate called", "what():", "Segmentation fault", "Aborted",
                 "core dumped", "AddressSanitizer", "LeakSanitizer", "runtime error:",
                 "std::bad_alloc", "std::")


# --------------------------------------------------------------------------- helpers

def edit(old: str, new: str, text: str = BASE, after: Optional[str] = None) -> str:
    """Replaces the one occurrence of `old` (the first one after `after`, if given)."""
    start = 0
    if after is not None:
        assert text.count(after) == 1, f"marker {after!r} is not unique"
        start = text.index(after) + len(after)
    else:
        assert text.count(old) == 1, f"{old!r} is not unique in the scenario"
    i = text.index(old, start)
    return text[:i] + new + text[i + len(old):]


def insert_after(line: str, new_lines: str, text: str = BASE) -> str:
    """Inserts `new_lines` after the (unique) line `line`."""
    return edit(line + "\n", line + "\n" + new_lines, text)


def locate(text: str, anchor: str, token: Optional[str] = None) -> tuple:
    """1-based (line, column) of `token` inside the unique occurrence of `anchor`."""
    assert text.count(anchor) == 1, f"anchor {anchor!r} is not unique in the scenario"
    i = text.index(anchor)
    if token is not None:
        assert token in anchor
        i += anchor.index(token)
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, column


def line_of(text: str, anchor: str) -> int:
    return locate(text, anchor)[0]


def assert_no_crash(proc):
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}; stderr:\n{proc.stderr}"
    for marker in CRASH_MARKERS:
        assert marker not in proc.stderr, f"crash/traceback marker {marker!r} on stderr:\n{proc.stderr}"


def error_line(proc, allow_hint=False) -> str:
    """The one error message on stderr (plus, for usage errors, an optional help hint)."""
    assert_no_crash(proc)
    assert proc.returncode == 2, (f"exit code {proc.returncode}, expected 2\n"
                                  f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    assert proc.stdout == "", f"nothing should be printed on stdout on failure, got:\n{proc.stdout}"
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    errors = [l for l in lines if "error" in l]
    assert len(errors) == 1, f"expected exactly one error message, got:\n{proc.stderr}"
    if allow_hint:
        others = [l for l in lines if l not in errors]
        assert all("--help" in l for l in others), f"unexpected extra output:\n{proc.stderr}"
    else:
        assert len(lines) == 1, f"expected a single line on stderr, got:\n{proc.stderr}"
    return errors[0]


def assert_input_error(proc, file, position=None, mentions=(), position_optional=False):
    """Exit 2 and one message `FILE:LINE:COL: error: ...` naming every word in `mentions`.

    position: (line, column), or (line, None) when only the line is checked (the column
    must then lie within that line). position_optional: the message may carry a
    position or not (e.g. a key missing from the whole file).
    """
    msg = error_line(proc)
    file = re.escape(str(file))
    if position is None:
        pattern = rf"{file}(:\d+:\d+)?: error: \S" if position_optional else rf"{file}: error: \S"
        assert re.match(pattern, msg), f"message does not start with the file name:\n{msg}"
    else:
        m = re.match(rf"{file}:(\d+):(\d+): error: \S", msg)
        assert m, f"message does not start with FILE:LINE:COL: error:\n{msg}"
        line, column = int(m.group(1)), int(m.group(2))
        want_line, want_column = position
        if want_column is None:
            assert line == want_line, f"reported line {line}, expected line {want_line}:\n{msg}"
        else:
            assert (line, column) == (want_line, want_column), (
                f"reported {line}:{column}, expected {want_line}:{want_column}:\n{msg}")
    for word in mentions:
        assert word in msg, f"message does not mention {word!r}:\n{msg}"
    return msg


class Bad(NamedTuple):
    id: str
    text: str
    position: Optional[tuple]     # (line, column), (line, None), or None
    mentions: tuple = ()
    position_optional: bool = False


def at(text, anchor, token=None):
    return locate(text, anchor, token)


def bad(id, text, anchor=None, token=None, mentions=(), line_only=False, position_optional=False):
    if anchor is None:
        position = None
    elif line_only:
        position = (line_of(text, anchor), None)
    else:
        position = at(text, anchor, token)
    return Bad(id, text, position, tuple(mentions), position_optional)


def write_scenario(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    # surrogateescape lets a test put raw (invalid UTF-8) bytes in the file.
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return path


def check_bad_scenario(caseload, tmp_path, case: Bad, subcommand: str):
    path = write_scenario(tmp_path, case.text)
    out = tmp_path / "out.h5"
    args = ["validate", path] if subcommand == "validate" else ["run", path, "-o", out, "-q"]
    proc = caseload(*args)
    if case.position is not None and case.position[1] is None:
        # Only the line is pinned down (a parse error): the column must lie within it.
        line_text = case.text.split("\n")[case.position[0] - 1]
        msg = assert_input_error(proc, path, case.position, case.mentions)
        column = int(re.match(rf"{re.escape(str(path))}:\d+:(\d+)", msg).group(1))
        assert 1 <= column <= len(line_text) + 1, (
            f"column {column} lies outside line {case.position[0]} ({len(line_text)} characters):\n{msg}")
    else:
        assert_input_error(proc, path, case.position, case.mentions, case.position_optional)
    assert not out.exists(), "a failed run wrote its output file"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], (
        f"a failed {subcommand} left files behind: {sorted(p.name for p in tmp_path.iterdir())}")


SUBCOMMANDS = ["validate", "run"]


def cases_param(cases):
    return pytest.mark.parametrize("case", cases, ids=[c.id for c in cases])


# --------------------------------------------------------------------------- malformed TOML

def _malformed():
    t = []
    s = edit(COMMUNITY, '[allocation\npolicy = "capped"\n' + COMMUNITY)
    t.append(bad("unclosed-table-header", s, "[allocation\n", line_only=True))
    s = edit("[[ldu]]", "[[ldu]")
    t.append(bad("unclosed-array-of-tables-header", s, "[[ldu]\n", line_only=True))
    s = edit('name = "tiny"', 'name = "tiny')
    t.append(bad("unterminated-string", s, 'name = "tiny\n', line_only=True))
    s = edit('name = "One"', 'name = "On\\qe"')
    t.append(bad("bad-escape-in-string", s, 'name = "On\\qe"', line_only=True))
    s = edit("staff.PSO = { establishment = 5 }", "staff.PSO = { establishment = 5")
    t.append(bad("unclosed-inline-table", s, "staff.PSO = { establishment = 5\n", line_only=True))
    s = insert_after("horizon_days = 365", "horizon_days = 730\n")
    t.append(bad("duplicate-key", s, "horizon_days = 730", line_only=True))
    s = edit("horizon_days = 365", "horizon_days = 365 days")
    t.append(bad("garbage-after-value", s, "horizon_days = 365 days", line_only=True))
    s = edit("horizon_days = 365", "horizon_days =")
    t.append(bad("missing-value", s, "horizon_days =\n", line_only=True))
    s = insert_after("horizon_days = 365", "start_date = 2018-13-01\n")
    t.append(bad("invalid-date", s, "start_date", line_only=True))
    s = edit('name = "tiny"', 'name = "ti\udcffny"')
    t.append(bad("invalid-utf8", s, 'name = "ti', line_only=True))
    s = insert_after("horizon_days = 365", "x = " + "[" * 100000 + "]" * 100000 + "\n")
    t.append(bad("nesting-too-deep", s, "x = [[[", line_only=True))
    return t


MALFORMED = _malformed()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(MALFORMED)
def test_malformed_toml(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- unknown keys

def _unknown_keys():
    t = []
    s = insert_after("horizon_days = 365", "horizon_dayz = 730\n")
    t.append(bad("top-level", s, "horizon_dayz", mentions=["horizon_dayz"]))
    s = insert_after("horizon_days = 365", "snapshot_every_day = 7\n")
    t.append(bad("top-level-near-miss", s, "snapshot_every_day ", mentions=["snapshot_every_day"]))
    s = edit(COMMUNITY, '[allocation]\npolicy = "capped"\ncap_percnt = 110\n' + COMMUNITY)
    t.append(bad("allocation", s, "cap_percnt", mentions=["cap_percnt"]))
    s = edit(COMMUNITY, "[workload]\nnominal_target_point = 100\n" + COMMUNITY)
    t.append(bad("workload", s, "nominal_target_point", mentions=["nominal_target_point"]))
    s = insert_after('name = "One"', "neighbors = []\n")
    t.append(bad("ldu", s, "neighbors", mentions=["neighbors"]))
    s = insert_after('name = "One"', "arrivals_per_wk = { community = 1 }\n")
    t.append(bad("ldu-2", s, "arrivals_per_wk", mentions=["arrivals_per_wk"]))
    s = edit("in_post = 10 }", "in_post = 10, contracted_hour = 37 }")
    t.append(bad("staff-PO", s, "contracted_hour", mentions=["contracted_hour"]))
    s = edit("in_post = 10 }", "inpost = 10 }")
    t.append(bad("staff-PO-2", s, "inpost", mentions=["inpost"]))
    s = edit("sd = 150 }", "sd = 150, sigma = 0.5 }", after=COMMUNITY)
    t.append(bad("duration-table", s, "sigma", mentions=["sigma"]))
    s = edit("mean = 300, sd = 150 }", "mean = 300, sd = 150, shape_ = 2 }", after=CUSTODY)
    t.append(bad("duration-table-gamma", s, "shape_", mentions=["shape_"]))
    s = insert_after('duration_days = { dist = "weibull", mean = 300, sd = 150 }', "victim_prob = 0.2\n")
    t.append(bad("case-type", s, "victim_prob", mentions=["victim_prob"]))
    return t


UNKNOWN_KEYS = _unknown_keys()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(UNKNOWN_KEYS)
def test_unknown_key(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- wrong types

def _wrong_types():
    t = []
    s = edit("horizon_days = 365", 'horizon_days = "365"')
    t.append(bad("string-for-number", s, '"365"', mentions=["horizon_days"]))
    s = edit("horizon_days = 365", "horizon_days = true")
    t.append(bad("boolean-for-number", s, "true", mentions=["horizon_days"]))
    s = edit("custody = 1 }", 'custody = "1" }')
    t.append(bad("string-for-arrivals", s, '"1"', mentions=["custody"]))
    s = edit('name = "tiny"', 'name = { text = "tiny" }')
    t.append(bad("table-for-string", s, "{ text", mentions=["name"]))
    s = edit('becomes = "licence"', 'becomes = { to = "licence" }')
    t.append(bad("table-for-case-type-name", s, "{ to", mentions=["becomes"]))
    s = edit('dist = "lognormal"', "dist = 3")
    t.append(bad("number-for-distribution-name", s, "dist = 3", "3", mentions=["dist"]))
    s = edit('name = "One"', "name = 1")
    t.append(bad("number-for-ldu-name", s, "name = 1\n", "1", mentions=["name"]))
    s = insert_after("horizon_days = 365", 'start_date = "2018-08-01"\n')
    t.append(bad("string-for-date", s, '"2018-08-01"', mentions=["start_date"]))
    s = edit("staff.PSO = { establishment = 5 }", 'staff.PSO = "five"')
    t.append(bad("string-for-staff-table", s, '"five"', mentions=["PSO"]))
    s = edit("tier_mix = { A3 = 0.5, B2 = 0.5 }", "tier_mix = [0.5, 0.5]", after=COMMUNITY)
    t.append(bad("array-for-table", s, "[0.5", mentions=["tier_mix"]))
    s = edit("establishment = 12", "establishment = 12.5")
    t.append(bad("float-for-integer-establishment", s, "12.5", mentions=["establishment"]))
    s = edit("in_post = 10", "in_post = 2.5")
    t.append(bad("float-for-integer-in-post", s, "2.5", mentions=["in_post"]))
    s = insert_after("horizon_days = 365", "replications = 2.5\n")
    t.append(bad("float-for-integer-replications", s, "2.5", mentions=["replications"]))
    s = insert_after("horizon_days = 365", "seed = 7.5\n")
    t.append(bad("float-for-integer-seed", s, "7.5", mentions=["seed"]))
    s = edit("schema_version = 1", "schema_version = 1.0")
    t.append(bad("float-for-integer-schema-version", s, "1.0", mentions=["schema_version"]))
    return t


WRONG_TYPES = _wrong_types()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(WRONG_TYPES)
def test_wrong_type(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- out of range

def _set_horizon(v):
    return edit("horizon_days = 365", f"horizon_days = {v}"), f"horizon_days = {v}"


def _set_snapshot(v):
    return insert_after("horizon_days = 365", f"snapshot_every_days = {v}\n"), f"snapshot_every_days = {v}"


def _set_mean(v):
    return edit("mean = 300, sd", f"mean = {v}, sd", after=COMMUNITY), f"mean = {v},"


def _set_sd(v):
    return edit("sd = 150 }", f"sd = {v} }}", after=COMMUNITY), f"sd = {v} }}"


def _set_gamma_sd(v):
    return edit("sd = 150 }", f"sd = {v} }}", after=CUSTODY), f"sd = {v} }}"


def _set_weibull_mean(v):
    return edit("mean = 300, sd", f"mean = {v}, sd", after=LICENCE), f"mean = {v},"


def _set_contracted_hours(v):
    return (edit("in_post = 10 }", f"in_post = 10, contracted_hours = {v} }}"),
            f"contracted_hours = {v} }}")


def _set_default_contracted_hours(v):
    return (edit(COMMUNITY, f"[workload]\ndefault_contracted_hours = {v}\n" + COMMUNITY),
            f"default_contracted_hours = {v}\n")


POSITIVE_FIELDS = {
    "horizon_days": _set_horizon,
    "snapshot_every_days": _set_snapshot,
    "mean": _set_mean,
    "sd": _set_sd,
    "gamma-sd": _set_gamma_sd,
    "weibull-mean": _set_weibull_mean,
    "contracted_hours": _set_contracted_hours,
    "default_contracted_hours": _set_default_contracted_hours,
}
NOT_POSITIVE = ["0", "0.0", "-0.0", "-1", "-2.5", "inf", "+inf", "-inf", "nan", "-nan"]


def _out_of_range():
    t = []
    for field, setter in POSITIVE_FIELDS.items():
        key = field.split("-")[-1]
        for v in NOT_POSITIVE:
            text, anchor = setter(v)
            t.append(bad(f"{field}={v}", text, anchor, v, mentions=[key]))
    return t


OUT_OF_RANGE = _out_of_range()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(OUT_OF_RANGE)
def test_not_positive(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


def _other_ranges():
    t = []
    s = insert_after("horizon_days = 365", "replications = 0\n")
    t.append(bad("replications=0", s, "replications = 0", "0", mentions=["replications"]))
    s = insert_after("horizon_days = 365", "warmup_days = 365\n")
    t.append(bad("warmup-not-below-horizon", s, "warmup_days = 365", "365", mentions=["warmup_days"]))
    s = edit("establishment = 12", "establishment = -12")
    t.append(bad("establishment=-12", s, "-12", mentions=["establishment"]))
    s = edit("community = 2,", "community = -2,")
    t.append(bad("arrivals=-2", s, "-2", mentions=["community"]))
    s = edit("community = 2,", "community = nan,")
    t.append(bad("arrivals=nan", s, "nan", mentions=["community"]))
    return t


OTHER_RANGES = _other_ranges()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(OTHER_RANGES)
def test_other_out_of_range(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# Values that are positive and finite but absurd: a run would hang or exhaust memory
# (checked by hand: horizon_days = 1e300 runs forever, growing by ~100 MB/s;
# snapshot_every_days = 1e-9 grows to GBs and ends in std::bad_alloc, exit 1).
# Validation must refuse them; only `validate` is run here so the test cannot hog the machine.
def _absurd():
    t = []
    text, anchor = _set_horizon("1e300")
    t.append(bad("horizon_days=1e300", text, anchor, "1e300", mentions=["horizon_days"]))
    text, anchor = _set_snapshot("1e-9")
    t.append(bad("snapshot_every_days=1e-9", text, anchor, "1e-9", mentions=["snapshot_every_days"]))
    return t


ABSURD = _absurd()


@cases_param(ABSURD)
def test_absurd_value_rejected_by_validate(caseload, tmp_path, case):
    check_bad_scenario(caseload, tmp_path, case, "validate")


# --------------------------------------------------------------------------- tier mix

def _tier_mix():
    t = []
    for shares in ["A3 = 0.5, B2 = 0.4", "A3 = 0.6, B2 = 0.6", "A3 = 0.3"]:
        line = f"tier_mix = {{ {shares} }}"
        s = edit("tier_mix = { A3 = 0.5, B2 = 0.5 }", line, after=COMMUNITY)
        t.append(bad(f"sum[{shares}]", s, line, "{", mentions=["tier_mix"]))
    s = edit("tier_mix = { A3 = 0.5, B2 = 0.5 }", "tier_mix = { A3 = 1.5, B2 = -0.5 }", after=COMMUNITY)
    t.append(bad("share-above-1", s, "1.5", mentions=["A3"]))
    s = edit("tier_mix = { A3 = 0.5, B2 = 0.5 }", "tier_mix = {}", after=COMMUNITY)
    t.append(bad("empty", s, "tier_mix = {}", "{", mentions=["tier_mix"]))
    return t


TIER_MIX = _tier_mix()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(TIER_MIX)
def test_tier_mix_not_summing_to_one(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- unknown names

def _unknown_names():
    t = []
    s = edit("staff.PSO =", "staff.P50 =")
    t.append(bad("grade", s, "P50", mentions=["P50"]))
    s = edit(COMMUNITY, '[allocation]\neligibility = { A = ["PO", "SP0"] }\n' + COMMUNITY)
    t.append(bad("grade-in-eligibility", s, '"SP0"', mentions=["SP0"]))
    s = edit("tier_mix = { A3 = 0.5, B2 = 0.5 }", "tier_mix = { A3 = 0.5, E2 = 0.5 }", after=CUSTODY)
    t.append(bad("tier", s, "E2", mentions=["E2"]))
    s = edit("[case_types.licence]", "[case_types.lisence]")
    t.append(bad("case-type-table", s, "lisence", mentions=["lisence"]))
    s = edit("custody = 1 }", "custdy = 1 }")
    t.append(bad("case-type-in-arrivals", s, "custdy", mentions=["custdy"]))
    s = edit('becomes = "licence"', 'becomes = "license"')
    t.append(bad("case-type-in-becomes", s, '"license"', mentions=["license"]))
    s = edit(COMMUNITY, '[allocation]\npolicy = "least-loaded"\n' + COMMUNITY)
    t.append(bad("allocation-policy", s, '"least-loaded"', mentions=["least-loaded"]))
    s = edit('dist = "lognormal"', 'dist = "log-normal"')
    t.append(bad("distribution", s, '"log-normal"', mentions=["log-normal"]))
    s = edit('dist = "gamma"', 'dist = "normal"')
    t.append(bad("distribution-2", s, '"normal"', mentions=["normal"]))
    s = insert_after("horizon_days = 365", 'initial_state = "steady"\n')
    t.append(bad("initial-state", s, '"steady"', mentions=["steady"]))
    return t


UNKNOWN_NAMES = _unknown_names()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(UNKNOWN_NAMES)
def test_unknown_name(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- neighbours

def _neighbours():
    t = []
    s = insert_after('name = "One"', 'neighbours = ["Two"]\n')
    t.append(bad("only-ldu", s, '"Two"', mentions=["Two"]))
    s = BASE + '[[ldu]]\nname = "Two"\nneighbours = ["Oen"]\nstaff.PO = { establishment = 3 }\n'
    t.append(bad("misspelt", s, '"Oen"', mentions=["Oen"]))
    s = insert_after('name = "One"', 'neighbours = ["One"]\n')
    t.append(bad("itself", s, '["One"]', '"One"', mentions=["One"]))
    return t


NEIGHBOURS = _neighbours()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(NEIGHBOURS)
def test_bad_neighbour(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- missing keys

def _missing():
    t = []
    s = edit("schema_version = 1\n", "")
    t.append(bad("schema_version", s, mentions=["schema_version"], position_optional=True))
    s = BASE[:BASE.index("[[ldu]]")]
    t.append(bad("ldu", s, mentions=["ldu"], position_optional=True))
    s = insert_after("horizon_days = 365", "ldu = []\n")
    s = s[:s.index("[[ldu]]")]
    t.append(bad("ldu-empty", s, "ldu = []", "[", mentions=["ldu"]))
    # A key missing from a table is reported at the table's header or opening brace.
    s = edit('duration_days = { dist = "lognormal", mean = 300, sd = 150 }\n', "")
    t.append(bad("duration_days", s, COMMUNITY, mentions=["duration_days"]))
    s = edit("tier_mix = { A3 = 0.5, B2 = 0.5 }\n", "", after=CUSTODY)
    t.append(bad("tier_mix", s, CUSTODY, mentions=["tier_mix"]))
    s = edit('{ dist = "lognormal", mean', "{ mean")
    t.append(bad("dist", s, "{ mean = 300, sd = 150 }", "{", mentions=["dist"]))
    s = edit("mean = 300, sd = 150 }", "sd = 150 }", after=COMMUNITY)
    t.append(bad("mean", s, '{ dist = "lognormal", sd', "{", mentions=["mean"]))
    s = edit('name = "One"\n', "")
    t.append(bad("ldu-name", s, "[[ldu]]", mentions=["name"]))
    s = edit("staff.PSO = { establishment = 5 }", "staff.PSO = { in_post = 5 }")
    t.append(bad("establishment", s, "{ in_post = 5 }", "{", mentions=["establishment"]))
    return t


MISSING = _missing()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(MISSING)
def test_missing_required_key(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- schema_version

def _schema():
    t = []
    for v in ["2", "0", "-1", "999"]:
        s = edit("schema_version = 1", f"schema_version = {v}")
        t.append(bad(f"schema_version={v}", s, f"schema_version = {v}", v, mentions=["schema_version"]))
    s = edit("schema_version = 1", 'schema_version = "1"')
    t.append(bad('schema_version="1"', s, '"1"', mentions=["schema_version"]))
    return t


SCHEMA = _schema()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(SCHEMA)
def test_wrong_schema_version(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


# --------------------------------------------------------------------------- scenario path

@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_missing_scenario_file(caseload, tmp_path, subcommand):
    path = tmp_path / "no-such-scenario.toml"
    out = tmp_path / "out.h5"
    args = ["validate", path] if subcommand == "validate" else ["run", path, "-o", out]
    assert_input_error(caseload(*args), path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_scenario_path_is_a_directory(caseload, tmp_path, subcommand):
    path = tmp_path / "scenario.toml"
    path.mkdir()
    out = tmp_path / "out.h5"
    args = ["validate", path] if subcommand == "validate" else ["run", path, "-o", out]
    assert_input_error(caseload(*args), path)
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.toml"]
    assert list(path.iterdir()) == []


def test_missing_scenario_file_relative_path(caseload, tmp_path):
    assert_input_error(caseload("validate", "nope.toml"), "nope.toml")


# --------------------------------------------------------------------------- output path

@pytest.mark.parametrize("out_rel", ["no-such-dir/out.h5", "a/b/c/out.h5"])
def test_run_output_in_missing_directory(caseload, tmp_path, out_rel):
    path = write_scenario(tmp_path, BASE)
    out = tmp_path / out_rel
    proc = caseload("run", path, "-o", out, "-q")
    msg = error_line(proc)
    assert msg.startswith(f"{out}: error: ") or msg.startswith(f"{out.parent}: error: "), (
        f"message should name the output path:\n{msg}")
    assert "exist" in msg, f"message should say the directory does not exist:\n{msg}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.toml"], "directories were created"


def test_run_output_path_is_a_directory(caseload, tmp_path):
    path = write_scenario(tmp_path, BASE)
    out = tmp_path / "out.h5"
    out.mkdir()
    proc = caseload("run", path, "-o", out, "-q")
    msg = error_line(proc)
    assert msg.startswith(f"{out}: error: "), f"message should name the output path:\n{msg}"
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- no clobbering

KNOWN_BYTES = b"precious results \x00\x01\x02 do not touch\n" * 100

CLOBBER_CASES = [MALFORMED[0], UNKNOWN_KEYS[0], WRONG_TYPES[0],
                 next(c for c in OUT_OF_RANGE if c.id == "horizon_days=nan"), TIER_MIX[0],
                 UNKNOWN_NAMES[0], NEIGHBOURS[0], MISSING[0], SCHEMA[0]]


@cases_param(CLOBBER_CASES)
def test_failed_run_does_not_clobber_existing_output(caseload, tmp_path, case):
    path = write_scenario(tmp_path, case.text)
    out = tmp_path / "out.h5"
    out.write_bytes(KNOWN_BYTES)
    proc = caseload("run", path, "-o", out, "-q")
    error_line(proc)
    assert out.read_bytes() == KNOWN_BYTES, "the existing output file was changed by a failed run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.h5", "scenario.toml"], (
        f"a temporary file was left behind: {sorted(p.name for p in tmp_path.iterdir())}")


def test_missing_scenario_does_not_clobber_existing_output(caseload, tmp_path):
    out = tmp_path / "out.h5"
    out.write_bytes(KNOWN_BYTES)
    proc = caseload("run", tmp_path / "nope.toml", "-o", out, "-q")
    error_line(proc)
    assert out.read_bytes() == KNOWN_BYTES
    assert [p.name for p in tmp_path.iterdir()] == ["out.h5"]


# --------------------------------------------------------------------------- usage errors

SCENARIO = "scenario.toml"   # written into the working directory by the test

USAGE = [
    ("no-arguments", [], None),
    ("unknown-subcommand", ["frobnicate"], "frobnicate"),
    ("misspelt-subcommand", ["rnu", SCENARIO], "rnu"),
    ("unknown-option", ["run", SCENARIO, "-o", "out.h5", "--frobnicate"], "--frobnicate"),
    ("unknown-short-option", ["run", SCENARIO, "-o", "out.h5", "-x"], "-x"),
    ("unknown-option-validate", ["validate", SCENARIO, "--frobnicate"], "--frobnicate"),
    ("replications-0", ["run", SCENARIO, "-o", "out.h5", "-r", "0"], "replications"),
    ("replications-negative", ["run", SCENARIO, "-o", "out.h5", "-r", "-3"], "replications"),
    ("replications-not-a-number", ["run", SCENARIO, "-o", "out.h5", "-r", "many"], "replications"),
    ("replications-fraction", ["run", SCENARIO, "-o", "out.h5", "-r", "2.5"], "replications"),
    ("seed-not-a-number", ["run", SCENARIO, "-o", "out.h5", "-s", "abc"], "seed"),
    ("threads-negative", ["run", SCENARIO, "-o", "out.h5", "-j", "-1"], "threads"),
    ("output-option-without-value", ["run", SCENARIO, "-o"], "output"),
    ("run-without-scenario", ["run"], "scenario"),
    ("validate-without-scenario", ["validate"], "scenario"),
    ("validate-extra-argument", ["validate", SCENARIO, "extra.toml"], "extra.toml"),
]


@pytest.mark.parametrize("argv,mention", [u[1:] for u in USAGE], ids=[u[0] for u in USAGE])
def test_usage_error(caseload, tmp_path, argv, mention):
    write_scenario(tmp_path, BASE)
    proc = caseload(*argv)
    msg = error_line(proc, allow_hint=True)
    if mention is not None:
        assert mention in msg, f"usage error should name {mention!r}:\n{msg}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.toml"], "output was written"


# --------------------------------------------------------------------------- valid input

def test_validate_valid_scenario(caseload, tmp_path):
    path = write_scenario(tmp_path, BASE)
    proc = caseload("validate", path)
    assert_no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert str(path) in proc.stdout and "valid" in proc.stdout


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "replaces-existing"])
def test_run_valid_scenario_writes_output(caseload, tmp_path, existing):
    path = write_scenario(tmp_path, BASE)
    out = tmp_path / "out.h5"
    if existing:
        # An earlier results file (any HDF5 file) is replaced; a file that is
        # not HDF5 is refused (tests/cli/test_output_safety.py).
        out.write_bytes(b"\x89HDF\r\n\x1a\n" + KNOWN_BYTES)
    proc = caseload("run", path, "-o", out, "-q")
    assert_no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert out.is_file()
    assert out.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n", "output is not an HDF5 file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.h5", "scenario.toml"], (
        f"a temporary file was left behind: {sorted(p.name for p in tmp_path.iterdir())}")


def test_base_scenario_edits_are_sound():
    """The helpers themselves: positions are 1-based and computed from the text."""
    assert locate(BASE, "schema_version") == (1, 1)
    assert locate(BASE, "horizon_days") == (3, 1)
    assert locate(BASE, 'name = "One"', '"One"') == (15, 8)


# --------------------------------------------------------------------------- the full model's keys

END = BASE  # new sections are appended after the [[ldu]] table


def _full_model():
    t = []
    s = END + "[[intervention]]\nat_day = 10\nldu = \"Nowhere\"\nadd_staff.PO = 2\n"
    t.append(bad("intervention-unknown-ldu", s, '"Nowhere"', mentions=["Nowhere"]))
    s = END + "[[intervention]]\nat_day = 400\nadd_staff.PO = 2\n"
    t.append(bad("intervention-after-horizon", s, "at_day = 400", "400", mentions=["at_day"]))
    s = END + "[[intervention]]\nat_day = -1\nadd_staff.PO = 2\n"
    t.append(bad("intervention-negative-day", s, "at_day = -1", "-1", mentions=["at_day"]))
    s = END + "[[intervention]]\nat_day = 10\nadd_staff.PX = 2\n"
    t.append(bad("intervention-unknown-grade", s, "PX", mentions=["PX"]))
    s = END + "[[intervention]]\nat_day = 10\nrecruits = \"apprentice\"\n"
    t.append(bad("intervention-unknown-recruits", s, '"apprentice"', mentions=["apprentice"]))
    s = END + "[[intervention]]\nat_day = 10\ndemand_factor = -0.5\n"
    t.append(bad("intervention-negative-demand", s, "-0.5", mentions=["demand_factor"]))
    s = edit("staff.PSO = { establishment = 5 }", "staff.PSO = { establishment = 5, reduction_percent = 120 }")
    t.append(bad("reduction-over-100", s, "120", mentions=["reduction_percent"]))
    s = END + "[staffing]\ntrainee_reductions = [{ months = 6, percent = 180 }]\n"
    t.append(bad("trainee-reduction-over-100", s, "180", mentions=["percent"]))
    s = END + "[staffing]\nleavers_per_year = { PO = -0.1 }\n"
    t.append(bad("negative-leaver-rate", s, "-0.1", mentions=["PO"]))
    s = END + "[staffing]\nleavers_per_year = { Officer = 0.1 }\n"
    t.append(bad("leavers-unknown-grade", s, "Officer", mentions=["Officer"]))
    s = insert_after('becomes = "licence"', "victim_probability = 1.5\n")
    t.append(bad("victim-probability-over-1", s, "victim_probability = 1.5", "1.5",
                 mentions=["victim_probability"]))
    s = END + "[tasks]\nsdr_share = -0.2\n"
    t.append(bad("sdr-share-negative", s, "-0.2", mentions=["sdr_share"]))
    s = END + "[tasks]\nreview_deadline_working_days = 0\n"
    t.append(bad("review-deadline-zero", s, "review_deadline_working_days = 0", "0",
                 mentions=["review_deadline_working_days"]))
    s = END + "[victims]\nfirst_contact_working_days = -40\n"
    t.append(bad("first-contact-deadline-negative", s, "-40", mentions=["first_contact_working_days"]))
    s = END + "[tasks]\nsdr_deadline_working_days = inf\n"
    t.append(bad("sdr-deadline-infinite", s, "inf", mentions=["sdr_deadline_working_days"]))
    s = END + '[tasks]\ncourt_grades = ["PO", "SPO"]\n'
    t.append(bad("court-grades-spo", s, '"SPO"', mentions=["SPO"]))
    s = insert_after('becomes = "licence"', "escalations_per_year = { A = 0.1, E = 0.2 }\n")
    t.append(bad("escalation-unknown-level", s, "E = 0.2", "E", mentions=["E"]))
    s = END + "[victims]\nfirst_contact_days = 40\n"
    t.append(bad("victims-unknown-key", s, "first_contact_days", mentions=["first_contact_days"]))
    s = edit(COMMUNITY, "[allocation]\noverflow = \"yes\"\n" + COMMUNITY)
    t.append(bad("overflow-not-boolean", s, '"yes"', mentions=["overflow"]))
    return t


FULL_MODEL = _full_model()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
@cases_param(FULL_MODEL)
def test_bad_full_model_key(caseload, tmp_path, case, subcommand):
    check_bad_scenario(caseload, tmp_path, case, subcommand)


def test_full_model_keys_are_accepted(caseload, tmp_path):
    text = insert_after('becomes = "licence"', "victim_probability = 0.6\n"
                        "escalations_per_year = { B = 0.2, C = 0.1 }\n") + """\
[tasks]
sdr_share = 0.1
[victims]
opt_out_per_year = 0.2
[staffing]
leavers_per_year = { PO = 0.1 }
time_to_hire_days = { dist = "fixed", value = 90 }
[[intervention]]
at_day = 100
ldu = "One"
add_staff.PO = 2
recruits = "trainee"
demand_factor = 1.2
"""
    path = write_scenario(tmp_path, text)
    proc = caseload("run", path, "-o", tmp_path / "out.h5", "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (tmp_path / "out.h5").exists()
