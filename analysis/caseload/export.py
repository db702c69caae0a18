"""Tables out: a results file's tables as an Excel workbook or as CSV files.

    python3 -m caseload export OUT.h5 --xlsx tables.xlsx --csv tables/

or, from Python, `caseload.export.tables(caseload.open("OUT.h5"))` for the
tables as DataFrames, then `write_xlsx(tables, path)` or `write_csv(tables, folder)`.

Each kind of file gives its own tables, read with `caseload.results`:

- run: Statistics (every headline figure by LDU and for the division: mean
  and 95% interval) and By LDU (one row per LDU: the report's per-LDU figures);
- comparison: Comparison (base, variant and their paired difference with its
  interval, by LDU and figure) and By LDU;
- sweep: Sweep (the statistics at each value) and By LDU (one row per value and LDU);
- sensitivity: Sensitivity (each parameter's effect on each figure) and Parameters;
- staffing: Staffing plan, Targets, Recruitment plan (a file made with
  `caseload staff --by-day`; Targets then also has each target with the
  recruitment) and Search;

then About (the file, the scenario, what the intervals are). A table with
no rows is left out. Headers are words a planner reads; values are the
reader's, unscaled (a share is a fraction: Excel shows it as a percentage
through its number format, the cell holds 0.86); units are in a Units column
or in the header.
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import re

import numpy as np
import pandas as pd

from . import __version__, labels
from .results import Comparison, Results, Run, RunResults, Sensitivity, Staffing, Sweep


class ExportError(Exception):
    """The tables could not be written (the message says where and why)."""


@dataclasses.dataclass
class Table:
    """One sheet of the workbook, or one CSV file.

    `frame` holds the values (numbers as numbers) under the headers a planner
    reads; `formats` maps a column to an Excel number format, or to a list of
    formats, one per row (a long table mixes figures of different units).
    """

    name: str
    frame: pd.DataFrame
    formats: dict[str, str | list[str]] = dataclasses.field(default_factory=dict)

    @property
    def file_name(self) -> str:
        """The CSV file's name: the sheet's name in lower case, `_` between words."""
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_") + ".csv"


# --------------------------------------------------------------------------- formats

_EXCEL_FORMATS = {"percent": "0.0", "share": "0.0%", "days": "0.0", "count": "#,##0.0",
                  "index": "0.000"}
"""Excel number formats by `labels.style`: a share (a fraction) shows as 86.0%."""

WHOLE = "0"
MONEY = "#,##0"
DATE = "yyyy-mm-dd"


def excel_format(figure: str, units: str = "") -> str:
    """The Excel number format of a figure's values."""
    return _EXCEL_FORMATS.get(labels.style(figure, units), "#,##0.0")


def _row_formats(figures, units) -> list[str]:
    return [excel_format(f, u) for f, u in zip(figures, units)]


def _level(confidence: float) -> str:
    return f"{100 * confidence:g}%"


# --------------------------------------------------------------------------- tables

def _figure_columns(frame: pd.DataFrame, ldu: bool = True) -> dict:
    """LDU, Figure (the engine's name), Description (plain words) and Units columns."""
    columns = {"LDU": frame["ldu"].astype(str).to_numpy()} if ldu else {}
    figures = frame["figure"].astype(str)
    columns.update({"Figure": figures.to_numpy(), "Description": figures.map(labels.label).to_numpy(),
                    "Units": frame["units"].to_numpy()})
    return columns


def _long_table(name: str, frame: pd.DataFrame, values: list[tuple[str, str]], lead: dict | None = None,
                ldu: bool = True) -> Table:
    """A long table: `lead` columns, the figure columns, then `values` (header, column of `frame`),
    each value formatted by its row's figure."""
    columns = dict(lead or {})
    columns.update(_figure_columns(frame, ldu))
    columns["Replications"] = frame["n"].to_numpy()
    formats = _row_formats(frame["figure"].astype(str), frame["units"])
    for head, source in values:
        columns[head] = frame[source].to_numpy()
    return Table(name, pd.DataFrame(columns),
                 {"Replications": WHOLE, **{head: formats for head, _ in values}})


def _interval_values(confidence: float) -> list[tuple[str, str]]:
    level = _level(confidence)
    return [("Mean", "mean"), (f"Low ({level})", "ci_low"), (f"High ({level})", "ci_high"),
            (f"Half-width ({level})", "half_width")]


def statistics_table(run: Run) -> Table:
    """Every headline figure by LDU (then the division): mean and interval across replications."""
    s = run.statistics
    return _long_table("Statistics", s, _interval_values(s.attrs.get("confidence", 0.95)))


def _wide_by_ldu(frame: pd.DataFrame, ldus: list[str], values: list[tuple[str, str]]) -> Table | None:
    """One row per LDU (then the division); for each of the report's per-LDU figures that has a
    value, a column per (header suffix, column of `frame`). None if no figure has a value."""
    present = frame[values[0][1]].notna().groupby(frame["figure"].astype(str)).any()
    figures = [f for f in labels.BY_LDU if present.get(f, False)]
    if not figures:
        return None
    index = frame.set_index(["ldu", "figure"])
    columns, formats = {"LDU": ldus}, {}
    for f in figures:
        units = index.xs(f, level="figure")["units"].iloc[0]
        head = labels.SHORT.get(f, labels.label(f))
        if units and units.lower() not in head.lower():
            head = f"{head} ({units})"
        for suffix, source in values:
            column = f"{head}: {suffix[:1].lower()}{suffix[1:]}"
            columns[column] = [index[source].get((ldu, f), np.nan) for ldu in ldus]
            formats[column] = excel_format(f, units)
    return Table("By LDU", pd.DataFrame(columns), formats)


def _ldu_interval_values(confidence: float) -> list[tuple[str, str]]:
    return _interval_values(confidence)[:3]


def ldu_table(run: Run) -> Table | None:
    """The report's per-LDU figures, one row per LDU: mean, low and high of each."""
    s = run.statistics
    return _wide_by_ldu(s, [*run.ldu_names, "division"], _ldu_interval_values(s.attrs.get("confidence", 0.95)))


def comparison_tables(c: Comparison) -> list[Table | None]:
    d = c.comparison
    level = _level(d.attrs.get("confidence", 0.95))
    values = [("Base mean", "base_mean"), (f"Base half-width ({level})", "base_half_width"),
              ("Variant mean", "variant_mean"), (f"Variant half-width ({level})", "variant_half_width"),
              ("Difference (variant - base)", "difference"), (f"Difference low ({level})", "difference_low"),
              (f"Difference high ({level})", "difference_high")]
    table = _long_table("Comparison", d, values)
    table.frame["Clear difference (interval excludes 0)"] = d["significant"].to_numpy()
    by_ldu = _wide_by_ldu(d, [*c.base.ldu_names, "division"],
                          [("base", "base_mean"), ("variant", "variant_mean"), ("difference", "difference"),
                           (f"difference low ({level})", "difference_low"),
                           (f"difference high ({level})", "difference_high")])
    return [table, by_ldu]


def _sweep_values(values: list[str]) -> list:
    """The swept values as numbers when every one is a number, else as written."""
    try:
        return [float(v) for v in values]
    except ValueError:
        return list(values)


def sweep_tables(s: Sweep) -> list[Table | None]:
    sw = s.sweep
    confidence = sw.attrs.get("confidence", 0.95)
    key = s.vary_key or "value"
    number = dict(zip(s.vary_values, _sweep_values(s.vary_values)))
    table = _long_table("Sweep", sw, _interval_values(confidence),
                        lead={key: sw["value"].map(number).to_numpy()})
    parts = []
    for value in s.vary_values:
        part = _wide_by_ldu(sw[sw["value"] == value], [*s.runs[0].ldu_names, "division"],
                            _ldu_interval_values(confidence))
        if part is not None:
            part.frame.insert(0, key, number[value])
            parts.append(part)
    by_ldu = None
    if parts:
        formats = {k: v for part in parts for k, v in part.formats.items()}
        by_ldu = Table("By LDU", pd.concat([p.frame for p in parts], ignore_index=True), formats)
    return [table, by_ldu]


def sensitivity_tables(s: Sensitivity) -> list[Table | None]:
    sens = s.sensitivity
    level = _level(sens.attrs.get("confidence", 0.95))
    lead = {"Parameter": sens["parameter"].astype(str).to_numpy(), "Low value": sens["low"].to_numpy(),
            "High value": sens["high"].to_numpy()}
    table = _long_table("Sensitivity", sens, [("Effect (high - low)", "effect"),
                                              (f"Effect low ({level})", "ci_low"),
                                              (f"Effect high ({level})", "ci_high")],
                        lead=lead, ldu=False)
    table.frame["Rank (1 = largest effect)"] = sens["rank"].to_numpy()
    table.formats["Rank (1 = largest effect)"] = WHOLE
    p = s.parameters
    parameters = Table("Parameters", pd.DataFrame({"Parameter": p["parameter"], "Low value": p["low"],
                                                   "High value": p["high"]}))
    return [table, parameters]


def staffing_tables(s: Staffing) -> list[Table | None]:
    p = s.plan
    plan = Table("Staffing plan", pd.DataFrame({
        "LDU": p["ldu"], "Grade": p["grade"], "Posts before": p["establishment_before"],
        "Posts after": p["establishment_after"], "Posts added": p["added"], "Cost per post": p["unit_cost"],
        "Cost": p["cost"]}), {"Cost per post": MONEY, "Cost": MONEY})

    t = s.targets
    level = _level(s.confidence)
    target_formats = _row_formats(t["figure"], [""] * len(t))
    frame = pd.DataFrame({"Target": t["text"], "LDU": t["ldu"], "Figure": t["figure"],
                          "Description": t["figure"].map(labels.label), "Condition": t["op"],
                          "Value": t["value"], "Base mean": t["base_mean"],
                          f"Base bound ({level})": t["base_bound"], "Base meets it": t["base_met"],
                          "Mean with the plan": t["achieved_mean"],
                          f"Bound with the plan ({level})": t["achieved_bound"], "Met with the plan": t["met"]})
    numbers = ["Value", "Base mean", f"Base bound ({level})", "Mean with the plan",
               f"Bound with the plan ({level})"]
    recruitment = None
    if s.recruitment_plan is not None:
        after = f"from day {s.recruitment_by_day:g}"
        frame[f"Mean with the recruitment ({after})"] = t["recruitment_mean"]
        frame[f"Bound with the recruitment ({after}, {level})"] = t["recruitment_bound"]
        frame[f"Met with the recruitment ({after})"] = t["recruitment_met"]
        numbers += [f"Mean with the recruitment ({after})", f"Bound with the recruitment ({after}, {level})"]
        r = s.recruitment_plan
        recruitment = Table("Recruitment plan", pd.DataFrame({
            "LDU": r["ldu"], "Grade": r["grade"], "Quarter starts (day)": r["quarter_start_day"],
            "Quarter starts (date)": r["quarter_start_date"], "Experienced hires": r["experienced_hires"],
            "Trainee starts": r["trainee_starts"], "In post by (day)": s.recruitment_by_day}),
            {"Quarter starts (day)": "0.0", "Quarter starts (date)": DATE, "Experienced hires": WHOLE,
             "Trainee starts": WHOLE, "In post by (day)": "0.0"})
    targets = Table("Targets", frame, {c: target_formats for c in numbers})

    sr = s.search
    columns = {"Step": sr["step"], "Change": sr["change"], "Posts added": sr["total_added"],
               "Cost": sr["cost"], "Shortfall": sr["shortfall"], "Accepted": sr["accepted"]}
    formats = {"Cost": MONEY, "Shortfall": "0.000"}
    for i, (text, figure) in enumerate(zip(t["text"], t["figure"])):
        for what, source in (("mean", "mean"), (f"bound ({level})", "bound")):
            if f"{source}_{i}" in sr:
                columns[f"{text}: {what}"] = sr[f"{source}_{i}"]
                formats[f"{text}: {what}"] = excel_format(figure)
    search = Table("Search", pd.DataFrame(columns), formats)
    return [plan, targets, recruitment, search]


def about_table(results: Results) -> Table:
    """What the file is: its scenario, seed, replications, versions and what the intervals mean."""
    rows: list[tuple[str, object]] = [("File", pathlib.Path(results.path).name), ("Kind", results.kind)]
    if isinstance(results, Comparison):
        rows += [("Base scenario", results.base.name), ("Variant scenario", results.variant.name),
                 ("Seed", results.base.seed), ("Replications (paired)", results.base.replications)]
    elif isinstance(results, Sweep):
        first = results.runs[0]
        rows += [("Scenario", first.name), ("Varied", results.vary_key),
                 ("Values", ", ".join(results.vary_values)), ("Seed", first.seed),
                 ("Replications at each value", first.replications)]
    elif isinstance(results, (Sensitivity, Staffing)):
        rows += [("Scenario", results.scenario_name), ("Seed", results.seed),
                 ("Replications", results.replications)]
        if isinstance(results, Staffing):
            rows += [("Every target met", results.all_met), ("Total cost", results.total_cost)]
            if results.recruitment_plan is not None:
                rows += [("Recruitment plan: staff in post by day", results.recruitment_by_day),
                         ("Recruitment plan: every group can reach its staff by then",
                          results.recruitment_reachable)]
    elif isinstance(results, Run):
        rows += [("Scenario", results.name), ("Seed", results.seed), ("Replications", results.replications),
                 ("Start date", results.start_date.isoformat()), ("Horizon (days)", results.horizon_days),
                 ("Warm-up (days)", results.warmup_days)]
    rows += [
        ("Intervals", "Low and high: the Student-t interval of the mean across replications, at the "
                      "level in the header (of the paired difference, for a difference or an effect). "
                      "They are not cut at a figure's possible range."),
        ("Shares", "A share is stored as a fraction (0.86) and shown as a percentage (86.0%); a "
                   "capacity in percent is stored in percent (110.0)."),
        ("Schema version", ".".join(map(str, results.schema_version))),
        ("Engine version", results.engine_version), ("Written", results.created),
        ("Exported by", f"caseload analysis package {__version__}"),
    ]
    return Table("About", pd.DataFrame(rows, columns=["Item", "Value"]))


def tables(results: Results) -> list[Table]:
    """The tables of an open results file, in sheet order; tables with no rows are left out.
    Raises ExportError for a run file too old to hold statistics (schema 1.0, 1.1)."""
    if isinstance(results, Comparison):
        found = comparison_tables(results)
    elif isinstance(results, Sweep):
        found = sweep_tables(results)
    elif isinstance(results, Sensitivity):
        found = sensitivity_tables(results)
    elif isinstance(results, Staffing):
        found = staffing_tables(results)
    elif isinstance(results, RunResults):
        if "statistics" not in results.file:
            version = ".".join(map(str, results.schema_version))
            raise ExportError(f"{results.path}: a run file of schema {version} has no statistics table "
                              "(files from schema 1.2 on have one): run the scenario again to export it")
        found = [statistics_table(results), ldu_table(results)]
    else:
        raise TypeError(f"cannot export {type(results).__name__}")
    return [t for t in [*found, about_table(results)] if t is not None and not t.frame.empty]


# --------------------------------------------------------------------------- writers

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_names(names: list[str]) -> list[str]:
    """Valid, distinct Excel sheet names: no []:*?/\\, at most 31 characters, not blank,
    no leading or trailing apostrophe, unique ignoring case."""
    out, seen = [], set()
    for name in names:
        base = _SHEET_FORBIDDEN.sub(" ", name).strip().strip("'").strip() or "Sheet"
        candidate, n = base[:31], 1
        while candidate.lower() in seen:
            n += 1
            suffix = f" ({n})"
            candidate = base[: 31 - len(suffix)] + suffix
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def _cell(value):
    """A value as openpyxl writes it: numbers as numbers, missing as an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None  # Excel has no NaN or infinity
    return value


def _width(table: Table, column: str) -> float:
    """A column's width in characters: its longest value, the header wrapped onto up to
    three lines, between 8 and 60."""
    values = table.frame[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        longest = 12
    else:
        longest = max((len(str(v)) for v in values), default=0)
    header = len(str(column))
    return float(min(max(longest, math.ceil(header / 3), min(header, 14), 8) + 2, 60))


def _atomic_path(path: pathlib.Path) -> pathlib.Path:
    return path.with_name(f".{path.name}.tmp")


def write_xlsx(found: list[Table], path) -> pathlib.Path:
    """One sheet per table: a bold header row, frozen and with a filter; numbers as numbers in
    their format; columns sized to their contents. Written whole or not at all."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise ExportError("writing a workbook (--xlsx) needs openpyxl: on Debian, "
                          "apt-get install python3-openpyxl (or use --csv)") from None
    path = pathlib.Path(path)
    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6EE")
    wrap = Alignment(wrap_text=True, vertical="top")
    for table, name in zip(found, sheet_names([t.name for t in found])):
        sheet = book.create_sheet(name)
        sheet.append([str(c) for c in table.frame.columns])
        for row in table.frame.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
        for cell in sheet[1]:
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
        for i, column in enumerate(table.frame.columns, start=1):
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = _width(table, column)
            fmt = table.formats.get(column)
            if fmt is None:
                continue
            per_row = fmt if isinstance(fmt, list) else [fmt] * len(table.frame)
            for r, f in enumerate(per_row, start=2):
                sheet.cell(row=r, column=i).number_format = f
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    tmp = _atomic_path(path)
    try:
        book.save(tmp)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write the workbook {path}: {e.strerror or e}") from None
    return path


def write_csv(found: list[Table], folder) -> list[pathlib.Path]:
    """One CSV file per table in `folder` (made if missing): UTF-8 with a byte-order mark so
    that Excel reads the names right, full precision, missing values empty."""
    folder = pathlib.Path(folder)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for table in found:
            path = folder / table.file_name
            tmp = _atomic_path(path)
            try:
                table.frame.to_csv(tmp, index=False, encoding="utf-8-sig")
                tmp.replace(path)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(path)
    except OSError as e:
        raise ExportError(f"cannot write CSV files in {folder}: {e.strerror or e}") from None
    return written
