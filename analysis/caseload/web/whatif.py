"""A what-if from the planner's form: read and checked field by field, written as a small scenario
file that `extends` the base (the file a planner could write by hand), with the line of each value
remembered so that the loader's message about a line goes back beside the control that made it.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import re

GRADES = ("PO", "PQiP", "PSO", "SPO", "VLO")
POLICIES = ("least_loaded", "capped", "round_robin", "random")
CHANGES = {  # what a timeline row may change, and how the form names it
    "staff_percent": "Staff in post: change by %",
    "staff_count": "Staff: add (+) or remove (−) officers",
    "demand": "Demand: % of the base",
    "policy": "Allocation policy (division)",
    "cap": "Capacity cap % (division)",
}
MAX_TIMELINE = 20
MIN_REPLICATIONS, MAX_REPLICATIONS = 2, 50
HEADER = "# What-if written by caseload serve (the planner's web app)."

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


@dataclasses.dataclass
class Base:
    """What the form shows of a base scenario (from its resolved TOML)."""
    file: str
    name: str
    start_date: datetime.date
    horizon_days: float
    warmup_days: float
    replications: int
    policy: str
    cap_percent: float
    ldus: list[dict]          # name, staff {grade: {establishment, in_post}}, arrivals {type: rate}, court
    interventions: list[dict]

    @classmethod
    def from_resolved(cls, file: str, doc: dict) -> "Base":
        ldus = []
        for ldu in doc.get("ldu", []):
            staff = {g: {"establishment": int(s.get("establishment", 0)),
                         "in_post": int(s.get("in_post", s.get("establishment", 0)))}
                     for g, s in ldu.get("staff", {}).items() if g in GRADES}
            ldus.append({"name": ldu["name"], "staff": staff,
                         "arrivals": dict(ldu.get("arrivals_per_week", {})),
                         "court": ldu.get("court_reports_per_week", 0)})
        allocation = doc.get("allocation", {})
        start = doc.get("start_date", datetime.date(2018, 8, 1))
        return cls(file, doc.get("name", file), start, float(doc.get("horizon_days", 1095)),
                   float(doc.get("warmup_days", 0)), int(doc.get("replications", 1)),
                   allocation.get("policy", "least_loaded"), float(allocation.get("cap_percent", 100)),
                   ldus, list(doc.get("intervention", [])))

    @property
    def grades(self) -> list[str]:
        present = {g for ldu in self.ldus for g in ldu["staff"]}
        return [g for g in GRADES if g in present]

    @property
    def case_types(self) -> list[str]:
        return sorted({t for ldu in self.ldus for t in ldu["arrivals"]})

    def date_of(self, day: float) -> datetime.date:
        return self.start_date + datetime.timedelta(days=int(day))

    @property
    def end_date(self) -> datetime.date:
        return self.date_of(self.horizon_days)


class FormErrors(dict):
    """Messages by field name (a list each): the app's own checks, then the loader's."""
    def add(self, field: str, text: str) -> None:
        self.setdefault(field, []).append(text)


def _number(form, field: str, errors: FormErrors, *, integer: bool = False):
    """The number in a field: None when blank, an int or a float (as typed), or an error."""
    text = (form.get(field) or "").strip()
    if not text:
        return None
    if integer and not _INTEGER.fullmatch(text):
        errors.add(field, f"“{text[:40]}” is not a whole number")
        return None
    if not _NUMBER.fullmatch(text):
        errors.add(field, f"“{text[:40]}” is not a number")
        return None
    value = int(text) if _INTEGER.fullmatch(text) else float(text)
    if isinstance(value, float) and not math.isfinite(value) or abs(value) > 1e12:
        errors.add(field, f"“{text[:40]}” is too large")
        return None
    return value


def _toml_number(value) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text if any(c in text for c in ".en") else text + ".0"


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _ratio(percent) -> float | int:
    """A percentage as a factor, without float noise: 115 → 1.15, 100 → 1."""
    value = round(percent / 100, 10)
    return int(value) if float(value).is_integer() else value


@dataclasses.dataclass
class WhatIf:
    name: str
    replications: int
    text: str                     # the scenario file
    lines: dict[int, str]         # line number → the field that wrote it
    changes: int                  # values changed from the base


def read_form(form, base: Base) -> tuple[WhatIf | None, FormErrors]:
    """The what-if a form describes, or None with the app's own messages (a field that is not a
    number, a name or option not offered). Values that are numbers go to the loader as typed, so
    that it judges their range and says so in its own words."""
    errors = FormErrors()
    title = " ".join((form.get("name") or "").split())
    if not title:
        errors.add("name", "give the what-if a name")
    elif len(title) > 80:
        errors.add("name", "at most 80 characters")
    replications = _number(form, "replications", errors, integer=True)
    if replications is None and "replications" not in errors:
        replications = 5
    if replications is not None and not MIN_REPLICATIONS <= replications <= MAX_REPLICATIONS:
        errors.add("replications", f"from {MIN_REPLICATIONS} to {MAX_REPLICATIONS} paired replications")

    out = _Writer()
    out.add(HEADER)
    out.add(f"# A variant of {base.file}: it changes only what is below, and `caseload validate` checks it.")
    out.add("schema_version = 1")
    out.add(f"extends = {_toml_string(base.file)}")
    out.add(f"name = {_toml_string(title)}", "name")
    if title and replications is not None:
        from .folders import slug
        out.add(f"# Run against its base, in this folder: caseload compare {base.file} {slug(title)}.toml "
                f"-r {replications}")

    overrides = []
    policy = form.get("policy") or ""
    if policy and policy not in POLICIES:
        errors.add("policy", "not a policy offered")
    elif policy and policy != base.policy:
        overrides.append(('"allocation.policy"', _toml_string(policy), "policy", None))
    cap = _number(form, "cap_percent", errors)
    if cap is not None and cap != base.cap_percent:
        overrides.append(('"allocation.cap_percent"', _toml_number(cap), "cap_percent", None))
    for grade in base.grades:
        field = f"vacancy-{grade}"
        rate = _number(form, field, errors)
        if rate is not None:
            overrides.append((f'"vacancy_rate.{grade}"', _toml_number(_ratio(rate)), field, None))
    for i, ldu in enumerate(base.ldus):
        for grade, staff in ldu["staff"].items():
            values = {}
            for key in ("establishment", "in_post"):
                field = f"ldu-{i}-{grade}-{key}"
                value = _number(form, field, errors)
                values[key] = staff[key] if value is None else value
                if value is not None and value != staff[key]:
                    overrides.append((f'"ldu[{i}].staff.{grade}.{key}"', _toml_number(value), field, ldu["name"]))
            _vacancy(form, i, grade, ldu["name"], staff, values, overrides, errors)
    # Demand from the start: each LDU's rates of arrivals and court reports scaled (so that its day-0
    # caseload, which follows from the rates, is scaled too); an LDU's own % replaces the division's.
    division = _number(form, "demand", errors)
    for i, ldu in enumerate(base.ldus):
        field = f"ldu-{i}-demand"
        own = _number(form, field, errors)
        percent, source = (own, field) if own is not None and own != 100 else (division, "demand")
        if percent is None or percent == 100:
            continue
        rates = [(f"arrivals_per_week.{t}", r) for t, r in sorted(ldu["arrivals"].items())]
        rates.append(("court_reports_per_week", ldu["court"]))
        for key, rate in rates:
            if rate:
                scaled = _toml_number(round(rate * percent / 100, 9))
                overrides.append((f'"ldu[{i}].{key}"', scaled,
                                  source, f"{ldu['name']}: {_toml_number(percent)}% of {_toml_number(rate)}"))
    if overrides:
        out.add("")
        out.add("[overrides]")
        for key, value, field, comment in overrides:
            out.add(f"{key} = {value}" + (f"  # {comment}" if comment else ""), field)

    count = _number(form, "timeline-count", FormErrors(), integer=True) or 0
    ldu_names = [ldu["name"] for ldu in base.ldus]
    for k in range(min(max(count, 0), MAX_TIMELINE)):
        _timeline_row(form, k, base, ldu_names, out, errors)

    changes = out.values
    if not errors and changes == 0:
        errors.add("form", "nothing is changed from the base: change a value or add a change on the timeline")
    if errors:
        return None, errors
    return WhatIf(title, replications, out.text(), out.lines, changes), errors


def _vacancy(form, i: int, grade: str, ldu: str, staff: dict, values: dict, overrides: list,
             errors: FormErrors) -> None:
    """An LDU's vacancy % for a grade: staff in post set from the posts, as `vacancy_rate.GRADE` sets
    them (rounded, halves up), and the rate held through the run (`target_vacancy_rate`)."""
    field = f"ldu-{i}-{grade}-vacancy"
    percent = _number(form, field, errors)
    if percent is None:
        return
    if values["in_post"] != staff["in_post"]:
        errors.add(field, "give staff in post or a vacancy rate, not both")
        return
    rate = _ratio(percent)
    posts = values["establishment"]
    if isinstance(posts, int) and 0 <= rate <= 1:
        in_post = math.floor(posts * (1 - rate) + 0.5)
        overrides.append((f'"ldu[{i}].staff.{grade}.in_post"', str(in_post), field,
                          f"{ldu}: {_toml_number(percent)}% of {posts} posts vacant"))
    overrides.append((f'"ldu[{i}].staff.{grade}.target_vacancy_rate"', _toml_number(rate), field, ldu))


def _timeline_row(form, k: int, base: Base, ldu_names: list[str], out: "_Writer", errors: FormErrors) -> None:
    p = f"timeline-{k}-"
    what = form.get(p + "what") or ""
    date_text = (form.get(p + "date") or "").strip()
    if not what and not date_text:
        return  # an empty row
    if what not in CHANGES:
        errors.add(p + "what", "choose what changes")
        return
    try:
        date = datetime.date.fromisoformat(date_text)
    except ValueError:
        errors.add(p + "date", "give the date of the change (YYYY-MM-DD)")
        return
    ldu = form.get(p + "ldu") or ""
    if ldu and ldu not in ldu_names:
        errors.add(p + "ldu", "not an LDU of the base")
        return
    grade = form.get(p + "grade") or ""
    keep_posts = form.get(p + "keep_posts") in ("on", "1", "true")
    body = []
    if what in ("staff_percent", "staff_count"):
        if grade not in GRADES:
            errors.add(p + "grade", "choose a grade")
            return
        value = _number(form, p + "value", errors, integer=(what == "staff_count"))
        if value is None:
            errors.setdefault(p + "value", ["give the change"])
            return
        key = "add_staff_percent" if what == "staff_percent" else "add_staff"
        body.append((f"{key}.{grade} = {_toml_number(value)}", p + "value"))
        if keep_posts:
            body.append(("keep_posts = true", p + "keep_posts"))
    elif what == "demand":
        value = _number(form, p + "value", errors)
        if value is None:
            errors.setdefault(p + "value", ["give demand as a % of the base (115 for +15%)"])
            return
        body.append((f"demand_factor = {_toml_number(_ratio(value))}  # {_toml_number(value)}% of the base",
                     p + "value"))
    elif what == "policy":
        policy = form.get(p + "policy") or ""
        if policy not in POLICIES:
            errors.add(p + "policy", "choose a policy")
            return
        body.append((f"policy = {_toml_string(policy)}", p + "policy"))
    elif what == "cap":
        value = _number(form, p + "value", errors)
        if value is None:
            errors.setdefault(p + "value", ["give the cap as a percentage (110 for 110%)"])
            return
        body.append((f"cap_percent = {_toml_number(value)}", p + "value"))
    day = (date - base.start_date).days
    out.add("")
    out.add(f"[[intervention]]  # {CHANGES[what]}", p + "what")
    out.add(f"at_day = {day}  # {date.isoformat()}", p + "date")
    if ldu:
        out.add(f"ldu = {_toml_string(ldu)}", p + "ldu")
    for line, field in body:
        out.add(line, field)


class _Writer:
    def __init__(self):
        self._lines: list[str] = []
        self.lines: dict[int, str] = {}
        self.values = 0

    def add(self, line: str, field: str | None = None) -> None:
        self._lines.append(line)
        if field:
            self.lines[len(self._lines)] = field
            if field != "name":
                self.values += 1

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"


def place_messages(messages, what_if: WhatIf, path, errors: FormErrors, warnings: FormErrors) -> None:
    """Put each loader message about a line of the what-if's file (`path`) beside the control that
    wrote that line; the others (about the base, or with no line) go to the form as a whole, named by
    the file's base name (never its folder)."""
    import pathlib
    own = str(path)
    for m in messages:
        target = warnings if m.warning else errors
        field = what_if.lines.get(m.line) if m.line and m.file == own else None
        if field:
            target.add(field, m.text)
        else:
            where = pathlib.Path(m.file).name if m.file else ""
            where = "this what-if" if m.file == own else where
            target.add("form", f"{where}: {m}" if where else str(m))
