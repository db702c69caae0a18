"""A self-contained HTML report of a caseload results file.

    python3 -m caseload report OUT.h5 -o report.html

or, from Python, `caseload.report.write_report(caseload.open("OUT.h5"), "report.html")`.

The page needs nothing but itself: plots are PNG images embedded as base64
data URIs, the CSS is inline, and there are no scripts, links or web fonts,
so it can be emailed and opened anywhere.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import math
import pathlib

import numpy as np

from . import __version__, labels, plots
from . import interventions as iv
from .results import Comparison, Results, Run, RunResults, Sensitivity, Staffing, Sweep
from .results import open as open_results

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: #2b2b2b; background: #ffffff; line-height: 1.5;
       max-width: 1060px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; font-weight: 600; margin: 0 0 .3rem; }
h2 { font-size: 1.2rem; font-weight: 600; margin: 2.4rem 0 .6rem; padding-bottom: .25rem;
     border-bottom: 1px solid #e2e2e2; }
h3 { font-size: 1rem; font-weight: 600; margin: 1.6rem 0 .4rem; color: #444; }
p { margin: .5rem 0; }
.subtitle { color: #666; margin-bottom: 1.2rem; }
.lede { background: #f4f7fa; border-left: 3px solid #2b6a99; padding: .8rem 1.1rem;
        font-size: 1.02rem; }
table { border-collapse: collapse; font-size: .9rem; margin: .6rem 0 1rem; }
th, td { padding: .32rem .7rem; border-bottom: 1px solid #ececec; text-align: right;
         vertical-align: baseline; }
th { font-weight: 600; color: #555; border-bottom: 1px solid #cfcfcf; }
th:first-child, td:first-child { text-align: left; }
td + td { white-space: nowrap; }
tr.group td { font-weight: 600; color: #2b6a99; border-bottom: none; padding-top: .9rem; }
tr.division td { font-weight: 600; background: #f7f7f7; }
.ci { color: #808080; font-size: .85em; white-space: nowrap; }
.clear { color: #2b2b2b; font-weight: 600; }
.worse { color: #b2182b; font-weight: 600; }
.better { color: #2166ac; font-weight: 600; }
.quiet { color: #8a8a8a; }
ul.changes li { margin: .25rem 0; }
figure { margin: 1rem 0 1.6rem; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption { color: #666; font-size: .85rem; margin-top: .3rem; }
.note { color: #666; font-size: .85rem; }
dl.glossary { font-size: .9rem; color: #444; }
dl.glossary dt { font-weight: 600; margin-top: .5rem; }
dl.glossary dd { margin-left: 1.2rem; }
footer { margin-top: 3rem; padding-top: .6rem; border-top: 1px solid #e2e2e2; color: #888;
         font-size: .8rem; }
"""



# --------------------------------------------------------------------------- small helpers

def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _png(fig, dpi: int = 100) -> str:
    """A Figure as a data URI of a PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(fig, caption: str, alt: str) -> str:
    return (f'<figure><img src="{_png(fig)}" alt="{_e(alt)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _date(run: Run, day: float) -> str:
    d = run.start_date + datetime.timedelta(days=float(day))
    return f"{d.day} {d:%B %Y}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _plural(n: float, one: str, many: str) -> str:
    return f"{n:,.0f} {one if round(n) == 1 else many}"


def _finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _value_cell(figure: str, mean, low, high, units: str) -> str:
    """A table cell: the mean, and its interval below it in grey."""
    ci = labels.interval(figure, low, high, units) if _finite(low) else ""
    ci_html = f'<br><span class="ci">{_e(ci)}</span>' if ci and ci != "–" else ""
    return f"<td>{_e(labels.number(figure, mean, units))}{ci_html}</td>"


def _name_cell(figure: str) -> str:
    """A row heading: the figure's plain name, with the engine's name as a tooltip."""
    return f'<td title="{_e(figure)}">{_e(labels.label(figure))}</td>'


def _short_heads(figures) -> str:
    """Column headings for figures: short plain names, the engine's names as tooltips."""
    return "".join(f'<th title="{_e(f)}">{_e(labels.SHORT.get(f, labels.label(f)))}</th>'
                   for f in figures)


def _statistic(run: Run, figure: str, ldu: str = "division"):
    s = run.statistics
    rows = s[(s["figure"] == figure) & (s["ldu"] == ldu)]
    return None if rows.empty else rows.iloc[0]


# --------------------------------------------------------------------------- one run

def scenario_sentence(run: Run, brief: bool = False) -> str:
    """The scenario in a sentence: name, LDUs, staff, cases, period, replications, seed.

    `brief` leaves out the LDUs and the period (for a variant whose base was just described).
    """
    staff = run.division_grade
    first = staff[staff["day"] == staff["day"].min()]
    by_grade = first.groupby("grade", observed=True)[["in_post", "establishment"]].mean()
    parts = []
    for grade in run.grade_names:
        if grade in by_grade.index and by_grade.loc[grade, "establishment"] > 0:
            in_post, posts = by_grade.loc[grade, ["in_post", "establishment"]]
            one, many = labels.GRADE_WORDS.get(grade, (grade, grade + "s"))
            parts.append(f"{_plural(in_post, one, many)} (of {posts:,.0f} posts)")
    held = _statistic(run, "mean_held")
    cases = ""
    if held is not None and _finite(held["mean"]) and held["mean"] > 0:
        rounded = round(held["mean"], 2 - int(math.floor(math.log10(held["mean"]))))  # 3 figures
        cases = f"about {rounded:,.0f} cases at a time"
    measured = run.horizon_days - run.warmup_days
    if run.warmup_days > 0:
        period = (f"measured over {measured:,.0f} days, from {_date(run, run.warmup_days)} to "
                  f"{_date(run, run.horizon_days)}, after a {run.warmup_days:,.0f}-day warm-up")
    else:
        period = (f"over {measured:,.0f} days, from {_date(run, 0)} to "
                  f"{_date(run, run.horizon_days)}")
    ldus = run.ldu_names
    ldu_text = (f"{len(ldus)} local delivery units ({_join(ldus)})" if len(ldus) > 1
                else f"one local delivery unit ({ldus[0]})")
    staff_text = f" At the start of the measured period {_join(parts)} were in post." if parts else ""
    cases_text = f" The division held {cases}." if cases else ""
    if brief:
        return f"<strong>{_e(run.name)}</strong>:{_e(staff_text)}{_e(cases_text)}"
    if run.replications > 1:
        reps_text = f" Figures are means of {run.replications} replications (seed {run.seed})."
    else:
        reps_text = (f" Figures are from a single replication (seed {run.seed}), so they have no "
                     f"confidence intervals.")
    return (f"<strong>{_e(run.name)}</strong> simulates {_e(ldu_text)}, {_e(period)}."
            f"{_e(staff_text)}{_e(cases_text)}{_e(reps_text)}")


def headline_table(run: Run) -> str:
    """Division headline figures: mean and 95% interval across replications."""
    rows = []
    for group, figures in labels.HEADLINE_GROUPS:
        body = []
        for f in figures:
            st = _statistic(run, f)
            if st is None or not _finite(st["mean"]):
                continue
            ci = labels.interval(f, st["ci_low"], st["ci_high"], st["units"])
            body.append(f"<tr>{_name_cell(f)}"
                        f"<td>{_e(labels.number(f, st['mean'], st['units']))}</td>"
                        f'<td class="ci">{_e(ci)}</td></tr>')
        if body:
            rows.append(f'<tr class="group"><td colspan="3">{_e(group)}</td></tr>' + "".join(body))
    return ("<table><thead><tr><th>Division</th><th>Mean</th><th>95% interval</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def ldu_table(run: Run) -> str:
    """Per-LDU table of PO capacity, share over 110%, timeliness and VLO caseload."""
    stats = run.statistics
    figures = [f for f in labels.BY_LDU if stats[stats["figure"] == f]["mean"].notna().any()]
    head = _short_heads(figures)
    body = []
    for ldu in [*run.ldu_names, "division"]:
        cells = []
        for f in figures:
            st = _statistic(run, f, ldu)
            cells.append(_value_cell(f, st["mean"], st["ci_low"], st["ci_high"], st["units"])
                         if st is not None else "<td>–</td>")
        css = ' class="division"' if ldu == "division" else ""
        body.append(f"<tr{css}><td>{_e(ldu)}</td>{''.join(cells)}</tr>")
    return (f"<table><thead><tr><th>LDU</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            '<p class="note">Means across replications, with the 95% interval in grey.</p>')


def imbalance_words(run: Run) -> str:
    """The Theil index split into its parts, in words."""
    parts = {f: _statistic(run, f) for f in ("theil", "theil_between_ldu", "theil_within_ldu",
                                             "theil_between_grade", "theil_within_grade")}
    if any(p is None or not _finite(p["mean"]) for p in parts.values()):
        return ""
    if parts["theil"]["mean"] <= 0:
        return ""
    total = parts["theil"]["mean"]
    ldu = parts["theil_between_ldu"]["mean"] / total
    grade = parts["theil_between_grade"]["mean"] / total

    def pct(x: float) -> str:
        return "under 1%" if x < 0.005 else "over 99%" if x > 0.995 else f"{100 * x:.0f}%"

    return (f"<p>Of the unevenness in capacity % across the division (Theil index "
            f"{total:.3f}), {pct(ldu)} lies <em>between LDUs</em> and {pct(1 - ldu)} within "
            f"them; {pct(grade)} lies <em>between grades</em> (POs, trainees and PSOs carry "
            f"different loads) and {pct(1 - grade)} between officers of the same grade.</p>")


def interventions_words(run: Run, lead: str = "The scenario changes during the run") -> str:
    """The run's interventions in words, day by day, with where each applies; "" without any.

    Each day says whether the plots over time show it (a day in the warm-up,
    before the first snapshot, is not on them).
    """
    days = iv.by_day(run)
    if not days:
        return ""
    first, last = float(run.snapshot_days[0]), float(run.snapshot_days[-1])
    items = []
    for day, group in days:
        when = f"Day {day:,.0f} ({_date(run, day)})"
        if day < first:
            when += ", in the warm-up before the measured period (not on the plots)"
        elif day > last:
            when += ", after the last snapshot (not on the plots)"
        changes = [f"{_e(i.where)}: {_e(i.text)}." for i in group]
        if len(changes) == 1:
            items.append(f"<li><strong>{_e(when)}</strong>, {changes[0]}</li>")
        else:
            items.append(f"<li><strong>{_e(when)}</strong>:<ul>"
                         + "".join(f"<li>{c}</li>" for c in changes) + "</ul></li>")
    n = sum(len(group) for _, group in days)
    marked = any(iv.on_plots(run, day) for day, _ in days)
    note = (" The plots over time mark each day with a purple dash-dot line, labelled with what "
            "changes:" if marked else "")
    return (f"<p>{_e(lead)} ({_plural(n, 'intervention', 'interventions')}).{note}</p>"
            f'<ul class="changes interventions">{"".join(items)}</ul>')


def _marks_note(*runs: Run) -> str:
    """A caption's sentence on the intervention marks, if a plot over time of these runs has any."""
    if any(iv.on_plots(r, day) for r in runs for day, _ in iv.by_day(r)):
        return " Dash-dot purple lines: the interventions, listed above."
    return ""


def run_plots(run: Run, level: str = "h2") -> str:
    """The plots of one run, with captions."""
    n = run.replications
    marks = _marks_note(run)
    out = [f"<{level}>Workload over time</{level}>",
           _figure(plots.capacity_over_time(run),
                   f"Capacity % of POs by LDU: the line is the median PO, the bands the middle "
                   f"half and the middle 80% of POs, averaged over {n} replications. Dashed: "
                   f"100% (full); dotted: 110%.{marks}", "PO capacity over time by LDU"),
           _figure(plots.capacity_heatmap(run),
                   f"Mean PO capacity % by LDU and week. Red is over 100%, blue under.{marks}",
                   "Heatmap of PO capacity by LDU and week"),
           f"<{level}>How evenly the work falls</{level}>",
           imbalance_words(run),
           _figure(plots.lorenz(run),
                   "Lorenz curve of capacity % at the last snapshot, one line per replication: the "
                   "further below the diagonal, the less even the load.", "Lorenz curve"),
           f"<{level}>Timeliness</{level}>",
           _figure(plots.timeliness(run),
                   "Share of tasks done by their deadline, by LDU, with 95% intervals across "
                   "replications.", "Timeliness by LDU and task kind")]
    out += [f"<{level}>Staffing</{level}>",
            _figure(plots.staffing(run),
                    "Staff in post (solid) against funded posts (dashed) by LDU and grade, then each "
                    "grade's vacancy rate by LDU: where shortages are, and whether they persist."
                    + marks,
                    "Staff in post and vacancies over time by LDU")]
    if (run.ldu_grade.query("grade == 'VLO'")["in_post"] > 0).any():
        out += [f"<{level}>Victim liaison</{level}>",
                _figure(plots.vlo_caseloads(run), "Open victim cases per VLO in post, by LDU." + marks,
                        "VLO caseloads over time")]
    return "\n".join(out)


def _section(heading: str, body: str) -> list[str]:
    """A heading and its body, or nothing for an empty body."""
    return [f"<h2>{_e(heading)}</h2>", body] if body else []


def _run_body(run: RunResults) -> str:
    return "\n".join([
        f"<h1>Caseload report: {_e(run.name)}</h1>",
        f'<p class="subtitle">Probation workload simulation, {_e(_date(run, run.warmup_days))} '
        f"to {_e(_date(run, run.horizon_days))}</p>",
        f'<p class="lede">{scenario_sentence(run)}</p>',
        *_section("Interventions", interventions_words(run)),
        "<h2>Headline figures</h2>", headline_table(run),
        "<h2>By LDU</h2>", ldu_table(run),
        run_plots(run),
    ])


# --------------------------------------------------------------------------- comparison

def _flatten(value, prefix: str = "") -> dict:
    """A scenario dict as {dotted.key: value}; LDUs keyed by name, not position."""
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
        for v in value:
            out.update(_flatten({k: x for k, x in v.items() if k != "name"}, f"{prefix}[{v['name']}]"))
    else:
        out[prefix] = value
    return out


def scenario_differences(base: Run, variant: Run, limit: int = 12) -> list[str]:
    """What the variant's resolved scenario changes, as "key: base → variant" lines.

    Interventions are left out: the report describes them in words (`interventions_words`).
    """
    a, b = _flatten(base.scenario), _flatten(variant.scenario)
    lines = []
    for key in [*a, *[k for k in b if k not in a]]:
        if key in ("name", "intervention") or a.get(key) == b.get(key):
            continue
        lines.append(f"{key}: {a.get(key, '(none)')} → {b.get(key, '(none)')}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"… and {len(lines) - limit} more"]
    return lines


def _is_tiny(difference: float, base: float) -> bool:
    return abs(difference) <= 1e-9 * max(1.0, abs(base))


def _difference_text(figure: str, row) -> tuple[str, str, str]:
    """(difference, its interval, css class attribute) of a comparison row, for a table."""
    units = row["units"]
    if not _finite(row["difference"]):
        return "–", "", ""
    if _is_tiny(row["difference"], row["base_mean"]) and _is_tiny(row["difference_half_width"],
                                                                   row["base_mean"]):
        return "no change", "", ' class="quiet"'
    real = bool(row["significant"]) and not _is_tiny(row["difference"], row["base_mean"])
    return (labels.change(figure, row["difference"], units),
            labels.change_interval(figure, row["difference_low"], row["difference_high"], units),
            _verdict_class(figure, row["difference"]) if real else "")


def _verdict_class(figure: str, difference: float) -> str:
    """The class attribute of a clear change: "worse" (red), "better" (blue) by the figure's
    direction (labels.BETTER), or "clear" (bold, no colour) for a figure without one; the
    word is in its tooltip too, for a reader who cannot tell the colours apart."""
    verdict = labels.verdict(figure, difference)
    if verdict is None:
        return ' class="clear" title="a clear change (this figure is neither better nor worse higher)"'
    return f' class="{verdict}" title="{verdict}: a clear change"'


COLOUR_NOTE = ('<span class="worse">red</span> where the change is for the worse, '
               '<span class="better">blue</span> for the better and <span class="clear">bold</span> '
               "for a figure that is neither better nor worse higher (demand)")
"""How a report colours a clear change (its 95% interval excludes zero)."""


def change_sentence(figure: str, row) -> str:
    """A clear change of a comparison row in words (HTML), with its verdict:
    "up from 61.2% to 80.4% (+19.2 points; 95% interval +17.2 to +21.2 points): worse."

    Where base and variant round to the same text, it says "unchanged at 14.4%"
    and gives the small difference to enough places, rather than "up from 14.4% to 14.4%".
    """
    units = row["units"]
    base = labels.number(figure, row["base_mean"], units)
    variant = labels.number(figure, row["variant_mean"], units)
    difference = labels.change(figure, row["difference"], units)
    interval = labels.change_interval(figure, row["difference_low"], row["difference_high"], units)
    direction = "up" if row["difference"] > 0 else "down"
    if base == variant:
        text = (f"unchanged at {_e(base)} to the places shown, though clearly {direction} by a "
                f"little ({_e(difference)}; 95% interval {_e(interval)})")
    else:
        text = (f"{direction} from {_e(base)} to {_e(variant)} ({_e(difference)}; 95% interval "
                f"{_e(interval)})")
    verdict = labels.verdict(figure, row["difference"])
    return text + (f': <span class="{verdict}">{verdict}</span>.' if verdict else ".")


def _clear_change(row) -> bool:
    """A comparison row whose difference is real: its interval excludes zero, by more than rounding."""
    return (_finite(row["difference"]) and bool(row["significant"])
            and not _is_tiny(row["difference"], row["base_mean"]))


def ldu_changes(comparison: Comparison, figures=None) -> list[tuple[str, list[str]]]:
    """The clear changes of each LDU among `figures` (labels.LDU_CHANGES), as (ldu, [figure, …]),
    the LDUs with most first (ties: the larger change in PO capacity first, then scenario order);
    LDUs without a clear change last, with an empty list."""
    table = comparison.comparison.set_index(["ldu", "figure"])
    figures = figures or labels.LDU_CHANGES
    found = []
    for position, ldu in enumerate(comparison.base.ldu_names):
        clear = [f for f in figures if (ldu, f) in table.index and _clear_change(table.loc[(ldu, f)])]
        po = (ldu, "capacity_mean_PO")
        size = abs(table.loc[po, "difference"]) if po in table.index and _finite(table.loc[po, "difference"]) else 0
        found.append((-len(clear), -size, position, ldu, clear))
    return [(ldu, clear) for *_, ldu, clear in sorted(found)]


def ldu_change_words(comparison: Comparison) -> str:
    """Where the change happened: a line per LDU with its clear changes, worse then better, the LDU
    with most first; the LDUs without one named at the end."""
    table = comparison.comparison.set_index(["ldu", "figure"])
    found = ldu_changes(comparison)
    changed = [(ldu, clear) for ldu, clear in found if clear]
    n = comparison.base.replications
    if not changed:
        return (f"<p>No LDU changes clearly: across {n} paired replications every 95% interval "
                f"of the difference in {_e(_join([labels.in_sentence(labels.label(f)) for f in labels.LDU_CHANGES]))} "
                "includes zero in every LDU.</p>")
    items = []
    for ldu, clear in changed:
        groups = {"worse": [], "better": [], None: []}
        for f in clear:
            r = table.loc[(ldu, f)]
            groups[labels.verdict(f, r["difference"])].append(
                f"{_e(labels.in_sentence(labels.SHORT.get(f, labels.label(f))))} "
                f"{_e(labels.change(f, r['difference'], r['units']))}")
        parts = [f'<span class="{v}">{v}</span>: {", ".join(groups[v])}' for v in ("worse", "better") if groups[v]]
        if groups[None]:
            parts.append(f'<span class="clear">changed</span>: {", ".join(groups[None])}')
        items.append(f"<li><strong>{_e(ldu)}</strong>: {'; '.join(parts)}.</li>")
    total = len(found)
    lead = (f"The change is in one LDU of {total}: {_e(changed[0][0])}" if len(changed) == 1 else
            f"The change is in all {total} LDUs, most in {_e(changed[0][0])}" if len(changed) == total else
            f"The change is in {len(changed)} of {total} LDUs, most in {_e(changed[0][0])}")
    out = [f"<p>{lead}. Each LDU's clear changes (variant − base; the 95% interval of the paired "
           f"difference across {n} replications excludes zero), the LDU with the most first; the table "
           "below gives the values and intervals:</p>"
           f'<ul class="changes ldu-changes">{"".join(items)}</ul>']
    unchanged = [ldu for ldu, clear in found if not clear]
    if unchanged:
        out.append(f'<p class="quiet">No clear change in these figures in {_e(_join(unchanged))}.</p>')
    return "\n".join(out)


def change_words(comparison: Comparison, ldu: str = "division") -> str:
    """Which differences are real (intervals excluding zero), in plain words."""
    table = comparison.comparison
    table = table[table["ldu"] == ldu].set_index("figure")
    real, unclear, same = [], [], []
    for f in labels.HEADLINE:
        if f not in table.index:
            continue
        r = table.loc[f]
        if not _finite(r["difference"]):
            continue
        if (_is_tiny(r["difference"], r["base_mean"])
                and _is_tiny(r["difference_half_width"], r["base_mean"])):
            same.append(labels.label(f))
        elif r["significant"] and not _is_tiny(r["difference"], r["base_mean"]):
            real.append(f"<li><strong>{_e(labels.label(f))}</strong>: {change_sentence(f, r)}</li>")
        else:
            unclear.append(labels.label(f))
    n = comparison.base.replications
    out = []
    if real:
        out.append(f"<p>These differences are real: across {n} paired replications the 95% interval "
                   f"of the difference (variant − base) excludes zero.</p>"
                   f'<ul class="changes">{"".join(real)}</ul>')
    else:
        out.append(f"<p>None of the headline figures differs clearly: every 95% interval of the "
                   f"paired difference across {n} replications includes zero.</p>")
    if unclear:
        out.append(f"<p class=\"quiet\">No clear difference (the interval includes zero; more "
                   f"replications could tell): {_e(_join([labels.in_sentence(u) for u in unclear]))}.</p>")
    if same:
        out.append(f"<p class=\"quiet\">The same in every replication: "
                   f"{_e(_join([labels.in_sentence(s) for s in same]))}.</p>")
    return "\n".join(out)


def comparison_table(comparison: Comparison, ldu: str = "division") -> str:
    table = comparison.comparison
    table = table[table["ldu"] == ldu].set_index("figure")
    rows = []
    for group, figures in labels.HEADLINE_GROUPS:
        body = []
        for f in figures:
            if f not in table.index or not _finite(table.loc[f, "base_mean"]):
                continue
            r = table.loc[f]
            units = r["units"]
            diff, ci, css = _difference_text(f, r)
            body.append(f"<tr>{_name_cell(f)}"
                        f"<td>{_e(labels.number(f, r['base_mean'], units))}</td>"
                        f"<td>{_e(labels.number(f, r['variant_mean'], units))}</td>"
                        f"<td{css}>{_e(diff)}</td>"
                        f'<td class="ci">{_e(ci)}</td></tr>')
        if body:
            rows.append(f'<tr class="group"><td colspan="5">{_e(group)}</td></tr>' + "".join(body))
    return (f"<table><thead><tr><th>Division</th><th>Base</th>"
            f"<th>Variant</th><th>Difference</th>"
            f"<th>95% interval</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<p class="note">Clear differences (their 95% interval excludes zero) in colour: '
            f"{COLOUR_NOTE}.</p>")


def comparison_ldu_table(comparison: Comparison,
                         figures=("capacity_mean_PO", "share_over_110_PO",
                                  "plan_review_share_on_time"), order=None) -> str:
    """Base → variant and the difference of a few figures, LDU by LDU (in `order`, by default the
    scenario's), then the division."""
    table = comparison.comparison.set_index(["ldu", "figure"])
    figures = [f for f in figures if (comparison.comparison["figure"] == f).any()]
    head = _short_heads(figures)
    body = []
    for ldu in [*(order or comparison.base.ldu_names), "division"]:
        cells = []
        for f in figures:
            if (ldu, f) not in table.index:
                cells.append("<td>–</td>")
                continue
            r = table.loc[(ldu, f)]
            units = r["units"]
            diff, ci, css = _difference_text(f, r)
            ci_html = f'<br><span class="ci">{_e(ci)}</span>' if ci else ""
            cells.append(f"<td>{_e(labels.number(f, r['base_mean'], units))} → "
                         f"{_e(labels.number(f, r['variant_mean'], units))}<br>"
                         f"<span{css}>{_e(diff)}</span>{ci_html}</td>")
        css = ' class="division"' if ldu == "division" else ""
        body.append(f"<tr{css}><td>{_e(ldu)}</td>{''.join(cells)}</tr>")
    return f"<table><thead><tr><th>LDU</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _comparison_body(c: Comparison) -> str:
    base, variant = c.base, c.variant
    diffs = scenario_differences(base, variant)
    grids = [plots.capacity_grid(r).to_numpy(dtype=float) for r in (base, variant)]
    finite = np.concatenate([g[np.isfinite(g)] for g in grids])
    span = max(float(np.max(np.abs(finite - 100))), 5.0) if finite.size else None
    diff_html = ("<p>The variant changes these scenario settings:</p><ul class=\"changes\">"
                 + "".join(f"<li><code>{_e(d)}</code></li>" for d in diffs) + "</ul>") if diffs else ""
    if iv.interventions(base) == iv.interventions(variant):
        interventions_html = interventions_words(variant, "Base and variant both change during the run")
    else:
        interventions_html = (interventions_words(variant, "The variant changes during the run")
                              + interventions_words(base, "The base changes during the run"))
    marks = _marks_note(base, variant)
    return "\n".join([
        f"<h1>Caseload comparison: {_e(variant.label)} vs {_e(base.label)}</h1>",
        '<p class="subtitle">Paired replications with common random numbers: each replication of '
        "the variant meets the same arrivals as the base.</p>",
        f'<p class="lede">Base: {scenario_sentence(base)}<br><br>Variant: '
        f"{scenario_sentence(variant, brief=True)}</p>",
        diff_html,
        *_section("Interventions", interventions_html),
        "<h2>Where the change happened: the LDUs</h2>", ldu_change_words(c),
        comparison_ldu_table(c, order=[ldu for ldu, _ in ldu_changes(c)]),
        '<p class="note">Base → variant means; the difference and its 95% interval, in colour '
        f"when the interval excludes zero: {COLOUR_NOTE}.</p>",
        _figure(plots.capacity_difference_heatmap(c), "Where and when PO capacity % changes: "
                "variant minus base, mean over paired replications." + marks, "Difference heatmap"),
        "<h2>The division</h2>", change_words(c),
        comparison_table(c),
        _figure(plots.forest(c), "Paired differences (variant − base) of the division's figures, "
                "with 95% intervals, one panel per unit so that each is read in its own units "
                "(percentage points, days, cases, …). Solid: the interval excludes zero; red: worse, "
                "blue: better. Figures equal in every replication are left out.", "Forest plot"),
        "<h2>Base and variant side by side</h2>",
        _figure(plots.capacity_heatmap(base, span=span), f"Base ({base.label}): mean PO capacity % "
                "by LDU and week." + _marks_note(base), "Heatmap, base"),
        _figure(plots.capacity_heatmap(variant, span=span), f"Variant ({variant.label}): the same, "
                "on the same colour scale." + _marks_note(variant), "Heatmap, variant"),
        _figure(plots.timeliness(variant, versus=base), "Share of tasks done by their deadline, "
                "variant (dark) and base (grey), with 95% intervals across replications.",
                "Timeliness, variant and base"),
    ])


# --------------------------------------------------------------------------- sweep

def sweep_table(s: Sweep, ldu: str = "division") -> str:
    table = s.sweep
    table = table[table["ldu"] == ldu].set_index(["figure", "value"])
    head = "".join(f"<th>{_e(s.vary_key)} = {_e(v)}</th>" for v in s.vary_values)
    rows = []
    for group, figures in labels.HEADLINE_GROUPS:
        body = []
        for f in figures:
            if (f, s.vary_values[0]) not in table.index:
                continue
            cells = []
            for v in s.vary_values:
                r = table.loc[(f, v)]
                cells.append(_value_cell(f, r["mean"], r["ci_low"], r["ci_high"], r["units"]))
            body.append(f"<tr>{_name_cell(f)}{''.join(cells)}</tr>")
        if body:
            span = len(s.vary_values) + 1
            rows.append(f'<tr class="group"><td colspan="{span}">{_e(group)}</td></tr>'
                        + "".join(body))
    return (f"<table><thead><tr><th>Division</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table><p class=\"note\">Means across replications, with the 95% interval in grey.</p>")


def sweep_ldu_table(s: Sweep, figure: str = "capacity_mean_PO") -> str:
    table = s.sweep.set_index(["ldu", "figure", "value"])
    head = "".join(f"<th>{_e(s.vary_key)} = {_e(v)}</th>" for v in s.vary_values)
    body = []
    for ldu in [*s.runs[0].ldu_names, "division"]:
        cells = []
        for v in s.vary_values:
            if (ldu, figure, v) in table.index:
                r = table.loc[(ldu, figure, v)]
                cells.append(_value_cell(figure, r["mean"], r["ci_low"], r["ci_high"], r["units"]))
            else:
                cells.append("<td>–</td>")
        css = ' class="division"' if ldu == "division" else ""
        body.append(f"<tr{css}><td>{_e(ldu)}</td>{''.join(cells)}</tr>")
    return f"<table><thead><tr><th>LDU</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _sweep_body(s: Sweep) -> str:
    first = s.runs[0]
    values = _join(s.vary_values)
    return "\n".join([
        f"<h1>Caseload sweep: {_e(first.name)}, {_e(s.vary_key)} = {_e(values)}</h1>",
        f'<p class="subtitle">The same scenario run at {len(s.runs)} values of '
        f"<code>{_e(s.vary_key)}</code>, with the same seed.</p>",
        f'<p class="lede">{scenario_sentence(first)} (At {_e(s.vary_key)} = '
        f"{_e(s.vary_values[0])}; the other values change it.)</p>",
        *_section("Interventions", interventions_words(first)),
        "<h2>Headline figures by value</h2>", sweep_table(s),
        _figure(plots.sweep_figures(s), f"Division figures against {s.vary_key}, with 95% "
                "intervals across replications.", "Figures by swept value"),
        f"<h2>{_e(labels.label('capacity_mean_PO'))}, by LDU</h2>", sweep_ldu_table(s),
    ])


# --------------------------------------------------------------------------- sensitivity

def _negligible(row) -> bool:
    """No effect beyond rounding: the effect and its interval within 1e-9 of zero.

    (The file holds effects only, not the figure's level, so "tiny" is absolute.)
    """
    return all(_is_tiny(row[c], 0.0) for c in ("effect", "ci_low", "ci_high") if _finite(row[c]))


def _clear(row) -> bool:
    """The effect's interval excludes zero, by more than rounding."""
    return (_finite(row["ci_low"]) and (row["ci_low"] > 0 or row["ci_high"] < 0)
            and not _is_tiny(row["effect"], 0.0))


def sensitivity_table(s: Sensitivity) -> str:
    """Headline figures by parameter: each effect (high − low) and its interval; clear ones
    coloured worse (red) or better (blue)."""
    table = s.sensitivity.set_index(["figure", "parameter"])
    parameters = list(s.parameters["parameter"])
    head = "".join(f"<th>{_e(p)}</th>" for p in parameters)
    rows = []
    for group, figures in labels.HEADLINE_GROUPS:
        body = []
        for f in figures:
            if (f, parameters[0]) not in table.index:
                continue
            effects = [table.loc[(f, p)] for p in parameters]
            if not any(_finite(r["effect"]) for r in effects):
                continue
            cells = []
            for r in effects:
                units = r["units"]
                if _finite(r["effect"]) and _negligible(r):
                    cells.append('<td class="quiet">no change</td>')
                    continue
                css = _verdict_class(f, r["effect"]) if _clear(r) else ""
                ci = labels.change_interval(f, r["ci_low"], r["ci_high"], units)
                ci_html = f'<br><span class="ci">{_e(ci)}</span>' if ci != "–" else ""
                cells.append(f"<td><span{css}>{_e(labels.change(f, r['effect'], units))}</span>"
                             f"{ci_html}</td>")
            body.append(f"<tr>{_name_cell(f)}{''.join(cells)}</tr>")
        if body:
            rows.append(f'<tr class="group"><td colspan="{len(parameters) + 1}">{_e(group)}</td></tr>'
                        + "".join(body))
    return (f"<table><thead><tr><th>Division</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table><p class=\"note\">Each cell: the change in the figure when the parameter "
            "goes from its low to its high value, and its 95% interval; "
            f"in colour where the interval excludes zero: {COLOUR_NOTE}.</p>")


def tornado_plots(s: Sensitivity) -> str:
    """A tornado plot per headline figure that some parameter moves; the rest named in a line."""
    table = s.sensitivity
    out, unmoved = [], []
    for f in labels.HEADLINE:
        rows = table[table["figure"] == f]
        if rows.empty or not rows["effect"].notna().any():
            continue
        if all(_negligible(r) for _, r in rows.iterrows()):
            unmoved.append(labels.label(f))
            continue
        top = rows.sort_values("rank").iloc[0]
        out.append(_figure(plots.tornado(s, f),
                           f"{labels.label(f)}: moved most by {top['parameter']} "
                           f"({labels.change(f, top['effect'], top['units'])} from "
                           f"{top['low']:g} to {top['high']:g}). Bars: the effect of each parameter "
                           "from its low to its high value; whiskers: 95% intervals; red: the "
                           "figure gets worse, blue: better, dark: neither (no direction); grey: "
                           "the interval includes zero.", f"Tornado plot of {labels.label(f)}"))
    if unmoved:
        out.append(f'<p class="quiet">Not moved by any parameter (the same in every paired '
                   f"replication, up to rounding): {_e(_join(unmoved))}.</p>")
    return "\n".join(out)


def _sensitivity_body(s: Sensitivity) -> str:
    ranges = "".join(f"<li><code>{_e(r['parameter'])}</code> from {r['low']:g} to {r['high']:g}</li>"
                     for _, r in s.parameters.iterrows())
    return "\n".join([
        f"<h1>Caseload sensitivity: {_e(s.scenario_name)}</h1>",
        '<p class="subtitle">Which assumptions move which figures: each parameter run at its low '
        "and its high value, one at a time, with common random numbers.</p>",
        f'<p class="lede">The scenario <strong>{_e(s.scenario_name)}</strong> was run '
        f"{2 * len(s.parameters)} times, twice for each of {len(s.parameters)} parameters, each "
        f"time with {s.replications} replications (seed {s.seed}). Replication r of the low and "
        "the high run meets the same arrivals, so the difference between them is the parameter's "
        "doing: the <em>effect</em> is the mean paired difference high − low of each division "
        "figure, with its 95% interval. Parameters are changed one at a time: how two of them act "
        "together is not measured.</p>",
        f'<p>The parameters and their ranges:</p><ul class="changes">{ranges}</ul>',
        "<h2>Effects on the headline figures</h2>", sensitivity_table(s),
        "<h2>Tornado plots: which assumptions matter most</h2>", tornado_plots(s),
    ])


def _bound_cell(mean, bound, met) -> str:
    number = (lambda x: f"{x:.4g}" if _finite(x) else "–")
    return f'<td class="num">{number(mean)} <span class="quiet">({number(bound)})</span> {"✓" if met else "✗"}</td>'


def _staffing_body(s: Staffing) -> str:
    from . import staffing_plots
    plan, targets = s.plan, s.targets
    rows = "".join(f"<tr><td>{_e(r['ldu'])}</td><td>{_e(r['grade'])}</td>"
                   f'<td class="num">{r["establishment_before"]}</td><td class="num">{r["establishment_after"]}</td>'
                   f'<td class="num">{r["added"]}</td><td class="num">{r["cost"]:,.10g}</td></tr>'
                   for _, r in plan.iterrows() if r["added"] > 0) or '<tr><td colspan="6">no posts added</td></tr>'
    target_rows = "".join(f"<tr><td><code>{_e(r['text'])}</code></td>"
                          f"{_bound_cell(r['base_mean'], r['base_bound'], r['base_met'])}"
                          f"{_bound_cell(r['achieved_mean'], r['achieved_bound'], r['met'])}</tr>"
                          for _, r in targets.iterrows())
    level = f"{100 * s.confidence:g}%"
    verdict = ("The plan meets every target." if s.all_met else
               "<strong>No plan within the limit on posts meets every target</strong>: this is the best found.")
    return "\n".join([
        f"<h1>Caseload staffing plan: {_e(s.scenario_name)}</h1>",
        '<p class="subtitle">The fewest posts, by cost, that make each target hold at the '
        f"{level} level (caseload staff).</p>",
        f'<p class="lede">{verdict} It adds {int(plan["added"].sum())} posts at a total cost of '
        f"{s.total_cost:,.10g}. Every candidate plan was run with the same {s.replications} "
        f"replications (seed {s.seed}), so differences between candidates are the staff's. A target "
        f"holds when the bound of its {level} interval meets it. The plan is the greedy search's, "
        "pruned so that no single post can be removed; it is not proven the cheapest possible, and "
        "it was fitted to these replications: check it at another seed.</p>",
        "<h2>The plan</h2>",
        "<table><tr><th>LDU</th><th>grade</th><th>posts before</th><th>after</th><th>added</th>"
        f"<th>cost</th></tr>{rows}</table>",
        _figure(staffing_plots.posts_added(s), "Posts the plan adds, by LDU and grade.",
                "Bar chart of posts added by LDU and grade"),
        "<h2>Targets before and after</h2>",
        f"<table><tr><th>target</th><th>base: mean (bound)</th><th>with the plan: mean (bound)</th></tr>"
        f'{target_rows}</table><p class="note">Bound: the upper end of the {level} interval for a '
        "&le; target, the lower end for a &ge; target; ✓ where it meets the target.</p>",
        recruitment_section(s),
        "<h2>The search</h2>",
        _figure(staffing_plots.search_path(s), f"Cost of each candidate plan against the bound of the "
                f"first target ({targets.iloc[0]['text']}); the line follows the plans the search moved "
                "to, greedy additions then pruning.", "Cost against the first target's bound"),
    ])


def recruitment_section(s: Staffing) -> str:
    """For a plan made with --by-day: the starts by LDU, grade and quarter, a chart of them, and the
    targets from that day on next to the plan's. Empty without a recruitment plan."""
    from . import staffing_plots
    plan = s.recruitment_plan
    if plan is None:
        return ""
    day = s.recruitment_by_day
    level = f"{100 * s.confidence:g}%"
    on = f"day {day:,.0f} ({_e(_date(s.base, day))})"
    reach = ("Every group's added staff can be in post by then." if s.recruitment_reachable else
             "<strong>Not every group's added staff can be in post by then</strong>: the time to hire "
             "(and, for trainees, to qualify) puts the earliest starts too late, so these starts come as "
             "early as they can.")
    trainee = (" A trainee PO takes a trainee place and fills the PO post on qualifying."
               if (plan["trainee_starts"] > 0).any() else "")
    out = [f"<h2>Recruitment to reach the plan by day {day:,.0f}</h2>",
           f"<p>The experienced hires and trainee starts, per quarter, that bring the staff in post up to "
           f"the plan's by {on} and hold them there against leavers, worked out on the scenario's own "
           "leaving rates, times to hire and training; the scenario's own recruitment goes on replacing "
           f"its leavers.{trainee} {reach}</p>"]
    if plan.empty:
        why = ("the plan adds no posts" if s.plan["added"].sum() == 0 else
               "none could start before the end of the run")
        out.append(f'<p class="quiet">No starts: {why}.</p>')
    else:
        rows = "".join(f"<tr><td>{_e(r['ldu'])}</td><td>{_e(r['grade'])}</td>"
                       f'<td class="num">{r["quarter_start_day"]:,.0f}</td>'
                       f"<td>{_e(_date(s.base, r['quarter_start_day']))}</td>"
                       f'<td class="num">{r["experienced_hires"]}</td>'
                       f'<td class="num">{r["trainee_starts"]}</td></tr>'
                       for _, r in plan.iterrows())
        total = (f'<tr class="division"><td>total</td><td></td><td></td><td></td>'
                 f'<td class="num">{int(plan["experienced_hires"].sum())}</td>'
                 f'<td class="num">{int(plan["trainee_starts"].sum())}</td></tr>')
        out += ["<table><tr><th>LDU</th><th>grade</th><th>quarter from day</th><th>date</th>"
                f"<th>experienced hires</th><th>trainee starts</th></tr>{rows}{total}</table>",
                _figure(staffing_plots.recruitment_starts(s), "Starts per quarter over every LDU and "
                        f"grade: experienced hires and trainee starts, stacked; dashed: day {day:,.0f}.",
                        "Stacked bar chart of experienced hires and trainee starts per quarter")]
    targets = s.targets
    target_rows = "".join(f"<tr><td><code>{_e(r['text'])}</code></td>"
                          f"{_bound_cell(r['achieved_mean'], r['achieved_bound'], r['met'])}"
                          f"{_bound_cell(r['recruitment_mean'], r['recruitment_bound'], r['recruitment_met'])}"
                          "</tr>" for _, r in targets.iterrows())
    held = ("With these starts every target holds from that day on." if targets["recruitment_met"].all() else
            "<strong>With these starts not every target holds from that day on</strong>.")
    out += [f"<h3>Targets from day {day:,.0f} on</h3>",
            "<p>The scenario was run again with these starts as interventions, its figures measured from "
            f"{on} on: whether the targets hold once the recruitment has had its time, next to the plan's "
            f"(its posts filled from day 0). {held}</p>",
            "<table><tr><th>target</th><th>with the plan: mean (bound)</th>"
            f"<th>with the recruitment, from day {day:,.0f}: mean (bound)</th></tr>{target_rows}</table>"
            f'<p class="note">Bound: as above, of the {level} interval; ✓ where it meets the target.</p>']
    return "\n".join(out)


# --------------------------------------------------------------------------- page

GLOSSARY = """
<h2>Reading this report</h2>
<dl class="glossary">
<dt>Capacity %</dt><dd>Workload points an officer holds as a share of the points their hours
allow (Workload Measurement Tool): 100% is a full load, over 110% is over capacity. Senior
POs and VLOs hold no points; VLO workload is counted in victim cases.</dd>
<dt>95% interval</dt><dd>The range that the mean would fall in 95 times out of 100 if the
simulation were repeated with other random numbers (Student t across replications). A
narrow interval means the replications agree. Intervals are cut at the possible range
(no figure is below zero, no share above 100%).</dd>
<dt>Gini and Theil indexes</dt><dd>How unevenly capacity % is spread over officers: 0 is
perfectly even. The Theil index splits into a part between groups (LDUs, or grades) and a
part within them.</dd>
<dt>On time</dt><dd>Tasks created in the measured period whose deadline fell within it,
done by the deadline.</dd>
</dl>
"""


def render(results: Results) -> str:
    """The report of an open results file as one HTML string."""
    if isinstance(results, Comparison):
        body, title = _comparison_body(results), (f"Caseload comparison: {results.variant.label} vs "
                                                  f"{results.base.label}")
    elif isinstance(results, Sweep):
        body, title = _sweep_body(results), f"Caseload sweep: {results.vary_key}"
    elif isinstance(results, Sensitivity):
        body, title = _sensitivity_body(results), f"Caseload sensitivity: {results.scenario_name}"
    elif isinstance(results, Staffing):
        body, title = _staffing_body(results), f"Caseload staffing plan: {results.scenario_name}"
    elif isinstance(results, Run):
        body, title = _run_body(results), f"Caseload report: {results.name}"
    else:
        raise TypeError(f"cannot report on {type(results).__name__}")
    path = getattr(results, "path", "")
    version = ".".join(map(str, getattr(results, "schema_version", ())))
    footer = (f"Made by the caseload analysis package {__version__} from "
              f"<code>{_e(pathlib.Path(path).name)}</code> ({_e(results.kind)} file, "
              f"schema {_e(version)}, engine {_e(results.engine_version)}, "
              f"written {_e(results.created)}).")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
            f"{GLOSSARY}\n<footer>{footer}</footer>\n</body>\n</html>\n")


def write_report(results, out) -> pathlib.Path:
    """Write the report of `results` (an open file, or a path to one) to `out`; return its path."""
    out = pathlib.Path(out)
    if not isinstance(results, Results):
        with open_results(results) as opened:
            text = render(opened)
    else:
        text = render(results)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out
