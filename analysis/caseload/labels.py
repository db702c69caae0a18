"""Plain-English names and number formats for the headline figures.

The engine names its figures like `plan_review_share_on_time`; a report says
"Risk plan reviews on time" and writes 0.86 as 86.0%. Each figure has a
label and a style:

- "percent": a capacity % already in percent (110.0%); differences in points;
- "share": a fraction in [0, 1] shown as a percentage; differences in points;
- "days", "count" (whole numbers), "number" (one decimal), "index" (3 decimals).
"""

from __future__ import annotations

import math

import numpy as np

FIGURES: dict[str, tuple[str, str]] = {
    "mean_held": ("Cases held (time average)", "count"),
    "mean_waiting": ("Cases waiting for an officer (time average)", "number"),
    "mean_wait_days": ("Days from arrival to allocation", "days"),
    "share_waited": ("Cases that waited for an officer", "share"),
    "capacity_mean_PO": ("PO capacity used, mean", "percent"),
    "capacity_p90_PO": ("PO capacity used, 90th percentile", "percent"),
    "share_over_110_PO": ("POs over 110% of capacity", "share"),
    "capacity_mean_PQiP": ("Trainee (PQiP) capacity used, mean", "percent"),
    "capacity_p90_PQiP": ("Trainee (PQiP) capacity used, 90th percentile", "percent"),
    "share_over_110_PQiP": ("Trainees over 110% of capacity", "share"),
    "capacity_mean_PSO": ("PSO capacity used, mean", "percent"),
    "capacity_p90_PSO": ("PSO capacity used, 90th percentile", "percent"),
    "share_over_110_PSO": ("PSOs over 110% of capacity", "share"),
    "share_over_110": ("Officers over 110% of capacity (all grades)", "share"),
    "excessive_officers": ("Officers over 110% for 4 weeks running", "number"),
    "gini": ("Gini index of capacity % (0 = even)", "index"),
    "cv": ("Coefficient of variation of capacity %", "index"),
    "theil": ("Theil index of capacity % (0 = even)", "index"),
    "theil_between_ldu": ("Theil index: part between LDUs", "index"),
    "theil_within_ldu": ("Theil index: part within LDUs", "index"),
    "theil_between_grade": ("Theil index: part between grades", "index"),
    "theil_within_grade": ("Theil index: part within grades", "index"),
    "unallocated": ("Cases waiting for an officer (weekly count)", "number"),
    "court_reports_share_on_time": ("Court reports on time", "share"),
    "court_reports_mean_days": ("Days to write a court report", "days"),
    "fdr_share_on_time": ("Fast delivery reports on time", "share"),
    "sdr_share_on_time": ("Standard delivery reports on time", "share"),
    "plan_review_share_on_time": ("Risk plan reviews on time", "share"),
    "plan_review_mean_days": ("Days to a risk plan review", "days"),
    "parole_report_share_on_time": ("Parole reports on time", "share"),
    "parole_report_mean_days": ("Days to write a parole report", "days"),
    "victim_first_contact_share_on_time": ("Victim first contacts on time", "share"),
    "victim_first_contact_mean_days": ("Days to a victim first contact", "days"),
    "victim_contact_share_on_time": ("Other victim contacts on time", "share"),
    "vlo_caseload": ("Victim cases per VLO", "number"),
    "reallocations": ("Cases reallocated", "count"),
    "reallocations_leaver": ("Cases reallocated because an officer left", "count"),
    "reallocations_absence": ("Cases reallocated because of a long absence", "count"),
    "reallocations_step_down": ("Cases stepped down to a preferred grade after a de-escalation", "count"),
    "reallocations_duty_change": ("Cases handed over when an officer changed duty", "count"),
    "cases_per_officer_PO": ("Cases per PO holding a caseload", "number"),
    "cases_per_officer_PQiP": ("Cases per trainee (PQiP)", "number"),
    "cases_per_officer_PSO": ("Cases per PSO holding a caseload", "number"),
    "vacancy_rate_PO": ("PO posts vacant", "share"),
    "vacancy_rate_PQiP": ("Trainee places vacant", "share"),
    "vacancy_rate_PSO": ("PSO posts vacant", "share"),
    "vacancy_rate_SPO": ("SPO posts vacant", "share"),
    "vacancy_rate_VLO": ("VLO posts vacant", "share"),
    "deescalation_review_share_on_time": ("Reviews after a de-escalation on time", "share"),
    "deescalation_review_mean_days": ("Days to a review after a de-escalation", "days"),
    "arrivals": ("New cases", "count"),
    "escalations": ("Risk escalations", "count"),
    "victim_cases": ("Victim cases opened", "count"),
}

BETTER: dict[str, str | None] = {
    # Demand and stock: neither better nor worse, what the division is given.
    "mean_held": None, "arrivals": None, "escalations": None, "victim_cases": None,
    # Waiting for an officer: lower is better.
    "mean_waiting": "lower", "mean_wait_days": "lower", "share_waited": "lower", "unallocated": "lower",
    # Load: in a division whose officers are over capacity, a lower load is better.
    "capacity_mean_PO": "lower", "capacity_p90_PO": "lower", "share_over_110_PO": "lower",
    "capacity_mean_PQiP": "lower", "capacity_p90_PQiP": "lower", "share_over_110_PQiP": "lower",
    "capacity_mean_PSO": "lower", "capacity_p90_PSO": "lower", "share_over_110_PSO": "lower",
    "share_over_110": "lower", "excessive_officers": "lower",
    "cases_per_officer_PO": "lower", "cases_per_officer_PQiP": "lower", "cases_per_officer_PSO": "lower",
    "vlo_caseload": "lower",
    # Unevenness: 0 is even, lower is better.
    "gini": "lower", "cv": "lower", "theil": "lower", "theil_between_ldu": "lower",
    "theil_within_ldu": "lower", "theil_between_grade": "lower", "theil_within_grade": "lower",
    # Timeliness: more on time and fewer days are better.
    "court_reports_share_on_time": "higher", "fdr_share_on_time": "higher", "sdr_share_on_time": "higher",
    "plan_review_share_on_time": "higher", "parole_report_share_on_time": "higher",
    "victim_first_contact_share_on_time": "higher", "victim_contact_share_on_time": "higher",
    "deescalation_review_share_on_time": "higher",
    "court_reports_mean_days": "lower", "plan_review_mean_days": "lower", "parole_report_mean_days": "lower",
    "victim_first_contact_mean_days": "lower", "deescalation_review_mean_days": "lower",
    # Vacancies and reallocations (a case that changes hands loses continuity): lower is better.
    "vacancy_rate_PO": "lower", "vacancy_rate_PQiP": "lower", "vacancy_rate_PSO": "lower",
    "vacancy_rate_SPO": "lower", "vacancy_rate_VLO": "lower",
    "reallocations": "lower", "reallocations_leaver": "lower", "reallocations_absence": "lower",
    # A step down to the preferred grade, or a handover when an officer's duty changes, is
    # the policy working as meant: no direction.
    "reallocations_step_down": None, "reallocations_duty_change": None,
}
"""Which way each figure is better: "higher", "lower", or None (no direction: demand, stock).

The one table of directions: the report colours a change, and words it, by it
(`verdict`). Capacity % is taken as lower-is-better because the divisions this
tool models are over capacity; a figure not in the table has no direction."""


def verdict(figure: str, difference: float) -> str | None:
    """Whether a change (variant − base, or high − low) of a figure is "better" or "worse";
    None for no change or a figure without a direction (`BETTER`)."""
    way = BETTER.get(figure)
    if way is None or difference is None or not difference or math.isnan(difference):
        return None
    return "better" if (difference > 0) == (way == "higher") else "worse"


HEADLINE_GROUPS: list[tuple[str, list[str]]] = [
    ("Workload", ["mean_held", "capacity_mean_PO", "capacity_p90_PO", "share_over_110_PO",
                  "cases_per_officer_PO", "capacity_mean_PQiP", "capacity_mean_PSO",
                  "cases_per_officer_PSO", "share_over_110", "excessive_officers"]),
    ("Staffing", ["vacancy_rate_PO", "vacancy_rate_PSO", "vacancy_rate_VLO"]),
    ("How evenly the work falls", ["gini", "theil", "theil_between_ldu", "theil_within_ldu",
                                   "theil_between_grade", "theil_within_grade"]),
    ("Timeliness", ["court_reports_share_on_time", "plan_review_share_on_time",
                    "plan_review_mean_days", "parole_report_share_on_time",
                    "victim_first_contact_share_on_time", "victim_contact_share_on_time"]),
    ("Victim liaison", ["vlo_caseload"]),
    ("Allocation", ["mean_waiting", "mean_wait_days", "reallocations"]),
]
"""The division figures a report shows first, by theme."""

HEADLINE = [f for _, figures in HEADLINE_GROUPS for f in figures]
"""The same figures in one list."""

BY_LDU = [
    "capacity_mean_PO", "share_over_110_PO", "court_reports_share_on_time",
    "plan_review_share_on_time", "victim_first_contact_share_on_time", "vlo_caseload",
]
"""The figures of the per-LDU table."""

LDU_CHANGES = [
    "capacity_mean_PO", "share_over_110_PO", "capacity_mean_PSO", "vacancy_rate_PO", "mean_wait_days",
    "court_reports_share_on_time", "plan_review_share_on_time", "victim_first_contact_share_on_time",
    "vlo_caseload",
]
"""The figures whose clear changes a comparison names LDU by LDU ("where the change happened")."""

SHORT = {
    "capacity_mean_PO": "PO capacity used",
    "share_over_110_PO": "POs over 110%",
    "capacity_mean_PSO": "PSO capacity used",
    "vacancy_rate_PO": "PO posts vacant",
    "mean_wait_days": "Days to allocation",
    "court_reports_share_on_time": "Court reports on time",
    "plan_review_share_on_time": "Risk reviews on time",
    "victim_first_contact_share_on_time": "Victim first contacts on time",
    "vlo_caseload": "Victim cases per VLO",
}
"""Short names: column headings of the per-LDU tables, and a comparison's changes by LDU."""

TASK_KINDS = {
    "fdr": "Fast delivery reports",
    "sdr": "Standard delivery reports",
    "court_reports": "Court reports",
    "parole_report": "Parole reports",
    "plan_review": "Risk plan reviews",
    "deescalation_review": "Reviews after a de-escalation",
    "victim_first_contact": "Victim first contacts",
    "victim_contact": "Other victim contacts",
}


GRADE_WORDS = {"PO": ("PO", "POs"), "PQiP": ("trainee PO", "trainee POs"), "PSO": ("PSO", "PSOs"),
               "SPO": ("senior PO", "senior POs"), "VLO": ("VLO", "VLOs")}
"""Each grade in words, (one, many), for sentences: "12 trainee POs"."""


def style(figure: str, units: str = "") -> str:
    """How a figure's numbers are written (see the module docstring)."""
    if figure in FIGURES:
        return FIGURES[figure][1]
    if units.startswith("fraction"):
        return "share"
    if units == "percent":
        return "percent"
    if units == "days":
        return "days"
    if units in ("cases", "tasks", "officers") and not figure.startswith("mean"):
        return "count"
    return "number"


ABBREVIATIONS = {"fdr": "FDR", "sdr": "SDR", "po": "PO", "pqip": "PQiP", "pso": "PSO", "spo": "SPO",
                 "vlo": "VLO", "ldu": "LDU", "wmt": "WMT"}
"""Words of the engine's figure names that are written in capitals."""

NAMES = ("Gini", "Theil")
"""Words that keep their capital in the middle of a sentence."""


def label(figure: str) -> str:
    """A plain-English name for a figure (its own name, made readable, if unknown).

    An unknown name keeps its grades and abbreviations in capitals:
    `cases_per_officer_SPO` is "Cases per officer SPO", `fdr_due` "FDR due".
    """
    if figure in FIGURES:
        return FIGURES[figure][0]
    words = [ABBREVIATIONS.get(w.lower(), w) for w in figure.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def in_sentence(text: str) -> str:
    """A label for the middle of a sentence: "Risk plan reviews on time" becomes "risk plan
    reviews on time", but an abbreviation or a name keeps its capitals ("POs over 110%",
    "PQiP", "Gini index"), where lowering the first letter would write "pOs"."""
    first = text.split(" ", 1)[0]
    letters = [c for c in first if c.isalpha()]
    if any(c.isupper() for c in letters[1:]) or first.startswith(NAMES):
        return text
    return text[:1].lower() + text[1:]


# How each style of figure is written: (scale, format spec, unit of a value,
# unit of a difference). A share is shown in percent, its difference in points.
_STYLES = {
    "percent": (1, ",.1f", "%", " points"),
    "share": (100, ",.1f", "%", " points"),
    "days": (1, ",.1f", " days", " days"),
    "count": (1, ",.0f", "", ""),
    "index": (1, ".3f", "", ""),
}
_PLAIN = (1, ",.1f", "", "")


def number(figure: str, value: float, units: str = "", unit: bool = True) -> str:
    """A value as a report writes it, e.g. 110.0%, 86.0%, 5.7 days, 16,983."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    scale, spec, level_unit, _ = _STYLES.get(style(figure, units), _PLAIN)
    text = format(scale * value, spec)
    return text + level_unit if unit else text


def bounds(figure: str, units: str = "") -> tuple[float, float]:
    """The range a figure can take: every headline figure is >= 0 (a count, a capacity %,
    days, an index); a share (a fraction) and the Gini index are also <= 1."""
    if style(figure, units) == "share" or figure == "gini":
        return 0.0, 1.0
    return 0.0, math.inf


def clip(figure: str, values, units: str = ""):
    """Values (e.g. the ends of 95% intervals) cut at the figure's `bounds`: a Student-t
    interval from a few replications can reach past them (a share below 0 or above 100%,
    a count below 0). NaN stays NaN; a scalar gives a float, anything else an array."""
    low, high = bounds(figure, units)
    out = np.clip(np.asarray(values, dtype=float), low, high)
    return float(out) if out.ndim == 0 else out


def interval(figure: str, low: float, high: float, units: str = "") -> str:
    """A 95% interval as "105.0 – 115.2%" (the unit once), cut at the figure's `bounds`."""
    if any(v is None or math.isnan(v) for v in (low, high)):
        return "–"
    s = style(figure, units)
    low, high = clip(figure, low, units), clip(figure, high, units)
    lo, hi = number(figure, low, units, unit=False), number(figure, high, units, unit=False)
    return f"{lo} – {hi}{_STYLES.get(s, _PLAIN)[2]}"


def _places(figure: str, units: str, magnitude: float) -> int:
    """Decimal places of a difference: the style's, or more where a difference that is not
    zero would round to zero (then two significant figures of `magnitude`, up to 6 places)."""
    scale, spec, _, _ = _STYLES.get(style(figure, units), _PLAIN)
    places = int(spec[spec.index(".") + 1:-1])
    size = abs(scale * magnitude)
    if size > 0 and math.isfinite(size) and round(size, places) == 0:
        places = min(max(places, 1 - math.floor(math.log10(size))), 6)
    return places


def change(figure: str, difference: float, units: str = "", places: int | None = None) -> str:
    """A signed difference: +19.2 points, −4.4 points, +3,355, +0.057.

    A difference that is not zero is never written as zero: +0.03 points, not
    +0.0 points (`places` fixes the decimal places instead).
    """
    if difference is None or math.isnan(difference):
        return "–"
    scale, _, _, change_unit = _STYLES.get(style(figure, units), _PLAIN)
    if places is None:
        places = _places(figure, units, difference)
    sign = "+" if difference > 0 else "−" if difference < 0 else "±"
    return f"{sign}{format(scale * abs(difference), f',.{places}f')}{change_unit}"


def change_interval(figure: str, low: float, high: float, units: str = "") -> str:
    """The interval of a difference: "+17.2 to +21.2 points" (the unit once, at the end).

    Both ends have the same decimal places: more than the style's where an
    interval that excludes zero would otherwise show an end of 0, or where
    both ends would round to 0.
    """
    if any(v is None or math.isnan(v) for v in (low, high)):
        return "–"
    excludes_zero = low > 0 or high < 0
    places = _places(figure, units, min(abs(low), abs(high)) if excludes_zero
                     else max(abs(low), abs(high)))
    lo, hi = change(figure, low, units, places), change(figure, high, units, places)
    for unit in (" points", " days"):
        if lo.endswith(unit) and hi.endswith(unit):
            lo = lo[: -len(unit)]
    return f"{lo} to {hi}"
