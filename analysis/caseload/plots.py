"""Plots of caseload results. Each function returns a matplotlib Figure.

Figures are made with `matplotlib.figure.Figure` directly, not through
pyplot: they need no display, render with Agg when saved
(`fig.savefig("x.png")`), leave pyplot's state and backend alone, and are
freed when dropped. In a notebook, `display(fig)` shows one.

Run plots take a `Run` (a run file as opened, `comparison.base`,
`comparison.variant` or one of `sweep.runs`):
`capacity_over_time`, `lorenz`, `capacity_heatmap`, `timeliness`,
`vlo_caseloads`. `forest` and `capacity_difference_heatmap` take a
`Comparison`; `sweep_figures` a `Sweep`; `tornado` a `Sensitivity`. Helpers that return the numbers
behind a plot: `capacity_quantiles`, `capacity_grid`, `lorenz_points`,
`vlo_caseload_series`. Colours that mean something: `change_colour` (red
worse, blue better, by `labels.BETTER`); the forest plot's axes: `forest_unit`.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from . import interventions as _interventions
from . import labels
from .results import Comparison, Run, Sensitivity, Sweep

INK = "#333333"
MUTED = "#8a8a8a"
ACCENT = "#2b6a99"      # calm blue: medians, means, the division
WARM = "#b5523b"        # thresholds and significant changes
BAND = "#9cc3e0"
WORSE = "#b2182b"       # a clear change for the worse (the red of the heatmaps' over 100%)
BETTER = "#2166ac"      # a clear change for the better (their blue)
UNCLEAR = "#a0a0a0"     # a change whose interval includes zero
MARK = "#6a3d9a"        # an intervention's day: a purple apart from the reds and blues
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.edgecolor": "#bbbbbb",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e6e6e6",
    "grid.linewidth": 0.6,
    "xtick.color": "#555555",
    "ytick.color": "#555555",
    "legend.frameon": False,
    "figure.dpi": 100,
}


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.set_facecolor("white")
    return fig


def _as_run(x) -> Run:
    if isinstance(x, Run):
        return x
    if isinstance(x, Comparison):
        raise TypeError("this plot shows one run: pass comparison.base or comparison.variant")
    if isinstance(x, Sweep):
        raise TypeError("this plot shows one run: pass one of sweep.runs")
    raise TypeError(f"expected a caseload Run, got {type(x).__name__}")


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def mark_interventions(ax, *runs: Run, ldu: str | None = None) -> int:
    """Mark the days of the runs' interventions on a date axis: a dash-dot line, labelled at the
    top with what changes (`interventions.plot_label`). `ldu` None: the axis shows every LDU;
    an LDU's name: the axis is that LDU's panel, where a change elsewhere is a faint unlabelled
    line. Days outside the axis's range (e.g. in the warm-up) are not drawn. Returns the number
    of days marked."""
    left, right = ax.get_xlim()
    days: dict[float, list] = {}
    for run in runs:
        for day, items in _interventions.by_day(run):
            mine = days.setdefault(day, [])
            mine += [i for i in items if i not in mine]
    marked = 0
    for day, items in sorted(days.items()):
        x = mdates.date2num(_interventions.date(runs[0], day))
        if not left <= x <= right:
            continue
        text = _interventions.plot_label(items, ldu)
        ax.axvline(x, color=MARK, lw=1.1 if text else 0.7, ls="-.", alpha=1.0 if text else 0.45,
                   zorder=4)
        if text:
            ax.annotate(textwrap.fill(text, 30), xy=(x, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -3), textcoords="offset points", ha="left", va="top", fontsize=7,
                        color=MARK, zorder=5,
                        bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        marked += 1
    ax.set_xlim(left, right)
    return marked


def _thresholds(ax, horizontal: bool = True) -> None:
    line = ax.axhline if horizontal else ax.axvline
    line(100, color=MUTED, lw=0.8, ls="--", zorder=1)
    line(110, color=WARM, lw=0.8, ls=":", zorder=1)


def _grid(n: int, ncols: int = 3):
    ncols = min(ncols, n)
    return math.ceil(n / ncols), ncols


# --------------------------------------------------------------------------- runs

def capacity_quantiles(run: Run, grade: str = "PO",
                       quantiles=(0.1, 0.25, 0.5, 0.75, 0.9)) -> pd.DataFrame:
    """Quantiles of capacity % across the officers of a grade, per LDU and snapshot.

    Officers are those holding a WMT caseload at the snapshot (capacity %
    defined) with that grade then. Quantiles are taken per replication and
    then averaged over replications. Index (ldu, date); one column per quantile.

    The file is read one replication at a time, and only the capacity series:
    a large run's per-officer arrays are never all in memory at once.
    """
    parts = [_replication_quantiles(run.read_officer_snapshots(rep, columns=["capacity_percent"]),
                                    grade, quantiles)
             for rep in run.replication_indices]
    return pd.concat(parts).groupby(["ldu", "date"], observed=True)[list(quantiles)].mean()


def _replication_quantiles(snaps: pd.DataFrame, grade: str, quantiles) -> pd.DataFrame:
    """Capacity quantiles of one replication's officer snapshots: one row per (ldu, date)."""
    mine = snaps[(snaps["grade_then"] == grade) & snaps["capacity_percent"].notna()]
    # Group quantiles with numpy (pandas' groupby quantile is slow): sort by group, then
    # by value, and interpolate linearly between order statistics as numpy does.
    groups = mine.groupby(["ldu", "date"], observed=True, sort=True).ngroup().to_numpy()
    values = mine["capacity_percent"].to_numpy()
    order = np.lexsort((values, groups))
    values, groups = values[order], groups[order]
    counts = np.bincount(groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    keys = (mine.iloc[order].drop_duplicates(["ldu", "date"])[["ldu", "date"]]
            .reset_index(drop=True))
    for q in quantiles:
        pos = starts + q * (counts - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, starts + counts - 1)
        keys[q] = values[lo] + (pos - lo) * (values[hi] - values[lo])
    return keys


def capacity_over_time(run, grade: str = "PO") -> Figure:
    """Capacity % of a grade's officers over time, one small panel per LDU.

    The line is the median officer, the dark band the middle half (25th–75th
    percentile) and the light band 10th–90th, across officers at each
    snapshot, averaged over replications. Dashed: 100% (full capacity);
    dotted: 110% (over capacity); dash-dot purple: the scenario's interventions
    (`mark_interventions`), labelled in the panels of the LDUs they change.
    """
    run = _as_run(run)
    q = capacity_quantiles(run, grade)
    present = set(q.index.get_level_values("ldu"))
    ldus = [name for name in run.ldu_names if name in present]
    with matplotlib.rc_context(STYLE):
        nrows, ncols = _grid(max(len(ldus), 1))
        fig = _figure(max(3.2 * ncols, 7.0), (2.1 if ncols > 1 else 3.0) * nrows + 0.5)
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, ldu in zip(axes, ldus):
            d = q.loc[ldu]
            ax.fill_between(d.index, d[0.1], d[0.9], color=BAND, alpha=0.45, lw=0,
                            label="10th–90th")
            ax.fill_between(d.index, d[0.25], d[0.75], color=BAND, alpha=0.9, lw=0,
                            label="25th–75th")
            ax.plot(d.index, d[0.5], color=ACCENT, lw=1.4, label="median")
            _thresholds(ax)
            ax.set_title(ldu, loc="left", color=INK)
            _date_axis(ax)
            mark_interventions(ax, run, ldu=ldu)
        for ax in axes[len(ldus):]:
            ax.set_visible(False)
        for ax in axes[::ncols]:
            ax.set_ylabel("capacity %")
        if not ldus:
            axes[0].text(0.5, 0.5, f"no {grade} holds a caseload", ha="center",
                         transform=axes[0].transAxes)
        if ldus:
            axes[0].legend(loc="lower left", ncols=3, fontsize=7, handlelength=1.2,
                           columnspacing=0.8)
        fig.suptitle(f"{grade} capacity % over time by LDU: median officer and spread "
                     f"(mean of {run.replications} replications)", x=0.01, ha="left", fontsize=10,
                     color=INK)
    return fig


def lorenz_points(capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Lorenz curve of capacity %: (share of officers, share of total capacity %, Gini).

    The Gini is twice the area between the curve and the diagonal, which is
    the engine's formula Σ (2i − n − 1) xᵢ / (n² x̄) (docs/model.md §16.2).
    """
    x = np.sort(np.asarray(capacity, dtype=float))
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0 or x.sum() == 0:
        return np.array([0.0, 1.0]), np.array([0.0, 1.0]), math.nan
    share = np.concatenate([[0.0], np.arange(1, n + 1) / n])
    cum = np.concatenate([[0.0], np.cumsum(x) / x.sum()])
    gini = 1.0 - np.sum((cum[1:] + cum[:-1]) / n)
    return share, cum, float(gini)


def lorenz(run, day: float | None = None, grade: str | None = None) -> Figure:
    """Lorenz curve of capacity % at the last snapshot (or `day`), one line per replication.

    Over every officer holding a caseload (or one `grade`). The further the
    curve sags below the diagonal, the more unevenly the work falls; the
    legend gives each replication's Gini index.
    """
    run = _as_run(run)
    day = float(run.snapshot_days[-1]) if day is None else float(day)
    parts = []
    for rep in run.replication_indices:  # one replication and one snapshot at a time
        snaps = run.read_officer_snapshots(rep, columns=["capacity_percent"], days=day)
        keep = snaps["capacity_percent"].notna()
        if grade is not None:
            keep &= snaps["grade_then"] == grade
        parts.append(snaps.loc[keep, ["replication", "capacity_percent"]])
        del snaps
    at = pd.concat(parts)
    with matplotlib.rc_context(STYLE):
        fig = _figure(5.2, 4.6)
        ax = fig.subplots()
        ax.plot([0, 1], [0, 1], color=MUTED, lw=0.8, ls="--", label="perfect equality")
        colours = matplotlib.colormaps["Blues"](np.linspace(0.55, 0.95, max(run.replications, 1)))
        for colour, (rep, d) in zip(colours, at.groupby("replication")):
            share, cum, gini = lorenz_points(d["capacity_percent"].to_numpy())
            ax.plot(share, cum, color=colour, lw=1.3, label=f"replication {rep}: Gini {gini:.3f}")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("officers, least loaded first")
        ax.set_ylabel("share of all capacity % used")
        who = f"{grade}s" if grade else "all officers holding a caseload"
        date = (pd.Timestamp(run.start_date) + pd.Timedelta(days=day)).strftime("%-d %B %Y")
        ax.set_title(f"Lorenz curve of capacity %\n{who}, {date}", loc="left", color=INK)
        ax.legend(loc="upper left", fontsize=8)
    return fig


def capacity_grid(run: Run, grade: str = "PO") -> pd.DataFrame:
    """Mean capacity % of a grade by LDU (rows) and snapshot date (columns), mean of replications."""
    cells = run.ldu_grade
    mine = cells[cells["grade"] == grade]
    return (mine.groupby(["ldu", "date"], observed=True)["mean"].mean().unstack("date")
            .reindex(run.ldu_names))


def capacity_heatmap(run, grade: str = "PO", span: float | None = None) -> Figure:
    """LDU × week heatmap of the mean capacity % of a grade (mean over replications).

    White is 100% (full capacity); red is over, blue under, on a scale
    symmetric about 100 reaching 100 ± `span` (by default the largest distance
    from 100 in the data; pass the same span to compare two runs).
    """
    run = _as_run(run)
    grid = capacity_grid(run, grade)
    return _heatmap(grid, centre=100.0, span=span, colour_label=f"mean {grade} capacity %",
                    title=f"Mean {grade} capacity % by LDU and week, {run.label} (mean of "
                          f"{run.replications} replications; white = 100%)", runs=(run,))


def capacity_difference_heatmap(comparison: Comparison, grade: str = "PO") -> Figure:
    """LDU × week heatmap of the change in mean capacity % of a grade, variant − base.

    Mean over replications of the variant's cell mean minus the base's:
    where in the division, and when, the change lands. White is no change.
    """
    if not isinstance(comparison, Comparison):
        raise TypeError("capacity_difference_heatmap() takes a Comparison")
    grid = capacity_grid(comparison.variant, grade) - capacity_grid(comparison.base, grade)
    return _heatmap(grid, centre=0.0, span=None, colour_label=f"change in {grade} capacity % (points)",
                    title=f"Change in mean {grade} capacity % by LDU and week, variant − base "
                          f"(mean of {comparison.base.replications} paired replications; "
                          f"white = no change)", runs=(comparison.variant, comparison.base))


def _heatmap(grid: pd.DataFrame, centre: float, span: float | None, colour_label: str,
             title: str, runs=()) -> Figure:
    """A rows × dates heatmap on a diverging scale centred on `centre`, with the interventions of
    `runs` marked."""
    values = grid.to_numpy(dtype=float)
    ldus = list(grid.index)
    with matplotlib.rc_context({**STYLE, "axes.grid": False}):
        fig = _figure(10, 0.36 * len(ldus) + 1.6)
        ax = fig.subplots()
        if span is None:
            finite = values[np.isfinite(values)]
            span = float(np.max(np.abs(finite - centre))) if finite.size else 1.0
            span = max(span, 1.0 if centre == 0 else 5.0)
        dates = (mdates.date2num(grid.columns.to_pydatetime()) if len(grid.columns)
                 else np.array([0.0, 1.0]))
        step = (dates[1] - dates[0]) if len(dates) > 1 else 7.0
        image = ax.imshow(np.ma.masked_invalid(values), aspect="auto", cmap="RdBu_r",
                          norm=Normalize(centre - span, centre + span), interpolation="nearest",
                          extent=(dates[0] - step / 2, dates[-1] + step / 2, len(ldus) - 0.5, -0.5))
        ax.set_yticks(range(len(ldus)), ldus)
        ax.xaxis_date()
        _date_axis(ax)
        if runs:
            mark_interventions(ax, *runs)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        bar = fig.colorbar(image, ax=ax, pad=0.01, fraction=0.04)
        bar.set_label(colour_label)
        bar.outline.set_visible(False)
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, color=INK)
    return fig


def timeliness(run, kinds=("court_reports", "plan_review", "parole_report", "victim_first_contact",
                           "victim_contact"), versus=None) -> Figure:
    """Share of tasks done on time, per task kind and LDU, with 95% intervals.

    Means and Student-t intervals across replications come from the
    `statistics` table (`<kind>_share_on_time`); the division is the
    coloured point at the top. Kinds with nothing due are left out. Pass
    another run as `versus` (e.g. a comparison's base) to draw its points
    in grey just above, on the same scale.
    """
    run = _as_run(run)
    runs = [run] if versus is None else [_as_run(versus), run]
    rows = ["division", *run.ldu_names]

    def shares(r: Run, kind: str) -> pd.DataFrame:
        s = r.statistics
        return s[s["figure"] == f"{kind}_share_on_time"].set_index("ldu").reindex(rows)

    shown = [k for k in kinds if any(shares(r, k)["mean"].notna().any() for r in runs)]
    offsets = [0.0] if versus is None else [-0.18, 0.18]
    with matplotlib.rc_context(STYLE):
        fig = _figure(min(1.65 * max(len(shown), 1) + 2.4, 10.3),
                      (0.3 if versus is None else 0.38) * len(rows) + 1.5)
        axes = np.atleast_1d(fig.subplots(1, max(len(shown), 1), sharey=True, squeeze=False)).ravel()
        y = np.arange(len(rows))
        for ax, kind in zip(axes, shown):
            lows = []
            for r, offset in zip(runs, offsets):
                d = shares(r, kind)
                grey = versus is not None and r is runs[0]
                colours = [MUTED if grey else ACCENT if row == "division" else INK for row in rows]
                # Whiskers cut at the possible range of a share, 0–100%.
                ci_low, ci_high = (labels.clip(f"{kind}_share_on_time", d[c].to_numpy(float))
                                   for c in ("ci_low", "ci_high"))
                low = np.clip(d["mean"].to_numpy(float) - ci_low, 0, None)
                high = np.clip(ci_high - d["mean"].to_numpy(float), 0, None)
                if np.isfinite(low).any():  # no intervals from a single replication
                    ax.errorbar(d["mean"], y + offset, xerr=[low, high], fmt="none",
                                ecolor="#c4c4c4" if grey else MUTED, elinewidth=1, capsize=2)
                ax.scatter(d["mean"], y + offset, c=colours, zorder=3, label=r.label,
                           s=[34 if row == "division" else 18 for row in rows])
                lows.append(np.r_[ci_low, d["mean"].to_numpy()])
            ax.set_title(textwrap.fill(labels.TASK_KINDS.get(kind, kind), 16), loc="left",
                         color=INK, fontsize=9)
            finite = np.concatenate(lows)
            finite = finite[np.isfinite(finite)]
            lo = max(0.0, min(finite.min(), 0.95) - 0.03) if finite.size else 0.0
            ax.set_xlim(lo, 1.005)
            ax.xaxis.set_major_locator(MaxNLocator(3))
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(y, rows)
        axes[0].invert_yaxis()
        for label in axes[0].get_yticklabels():
            if label.get_text() == "division":
                label.set_fontweight("bold")
        if not shown:
            axes[0].text(0.5, 0.5, "no tasks were due", ha="center", transform=axes[0].transAxes)
        title = (f"Share of tasks done by their deadline, {run.label}: mean and 95% interval "
                 f"across {run.replications} replications")
        if versus is not None:
            title = (f"Share of tasks done by their deadline: {run.label} (dark) and "
                     f"{runs[0].label} (grey, above); 95% intervals")
        fig.suptitle(title, x=0.01, ha="left", fontsize=10, color=INK)
    return fig


def vlo_caseload_series(run) -> pd.DataFrame:
    """Victim cases per VLO in post, per snapshot: one column per LDU and one for the division.

    Mean over replications; NaN where an LDU has no VLO in post.
    """
    def per_vlo(cells: pd.DataFrame, by: list[str]) -> pd.Series:
        vlo = cells[cells["grade"] == "VLO"]
        ratio = vlo["victim_cases"] / vlo["in_post"].where(vlo["in_post"] > 0)
        return ratio.groupby([vlo[c] for c in by], observed=True).mean()

    ldus = per_vlo(run.ldu_grade, ["ldu", "date"]).unstack("ldu").reindex(columns=run.ldu_names)
    ldus.columns = list(ldus.columns)
    ldus["division"] = per_vlo(run.division_grade, ["date"])
    return ldus


def vlo_caseloads(run) -> Figure:
    """Victim cases per VLO over time, by LDU, with the division in bold (mean over replications)."""
    run = _as_run(run)
    series = vlo_caseload_series(run)
    with matplotlib.rc_context(STYLE):
        fig = _figure(9, 4.2)
        ax = fig.subplots()
        colours = matplotlib.colormaps["tab10"](np.linspace(0, 1, 10))
        for i, ldu in enumerate(run.ldu_names):
            if series[ldu].notna().any():
                ax.plot(series.index, series[ldu], lw=1.0, alpha=0.8, color=colours[i % 10], label=ldu)
        ax.plot(series.index, series["division"], lw=2.4, color=INK, label="division")
        _date_axis(ax)
        mark_interventions(ax, run)
        ax.set_ylabel("victim cases per VLO")
        ax.set_ylim(bottom=0)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
        ax.set_title(f"Victim cases per VLO in post (mean of {run.replications} replications)",
                     loc="left", color=INK)
    return fig


def staffing_series(run, grade: str = "PO") -> pd.DataFrame:
    """Staff in post and establishment of one grade per LDU and snapshot, mean over replications.

    Columns: date, ldu, in_post, establishment, vacancy_rate (1 − in post ÷ establishment).
    """
    cells = run.ldu_grade
    cells = cells[cells["grade"] == grade]
    out = (cells.groupby(["ldu", "date"], observed=True)[["in_post", "establishment"]].mean().reset_index())
    out["vacancy_rate"] = 1.0 - out["in_post"] / out["establishment"].where(out["establishment"] > 0)
    return out


def staffing(run, grades=("PO", "PSO", "VLO")) -> Figure:
    """Staff in post against funded posts over time, one panel per LDU, one line per grade;
    and each grade's vacancy rate by LDU below. Mean over replications."""
    run = _as_run(run)
    frames = {g: staffing_series(run, g) for g in grades}
    n = len(run.ldu_names)
    with matplotlib.rc_context(STYLE):
        rows, cols = _grid(n + len(grades))
        fig = _figure(3.2 * cols, 2.4 * rows)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        colours = dict(zip(grades, matplotlib.colormaps["tab10"](np.arange(len(grades)))))
        for ax, ldu in zip(axes, run.ldu_names):
            for g, frame in frames.items():
                f = frame[frame["ldu"] == ldu]
                if f.empty or not (f["establishment"] > 0).any():
                    continue
                ax.plot(f["date"], f["in_post"], color=colours[g], lw=1.4, label=f"{g} in post")
                ax.plot(f["date"], f["establishment"], color=colours[g], lw=0.8, ls="--")
            ax.set_title(ldu, loc="left", fontsize=9, color=INK)
            ax.set_ylim(bottom=0)
            _date_axis(ax)
            mark_interventions(ax, run, ldu=ldu)
        for ax, g in zip(axes[n:], grades):
            frame = frames[g]
            for i, ldu in enumerate(run.ldu_names):
                f = frame[frame["ldu"] == ldu]
                ax.plot(f["date"], 100 * f["vacancy_rate"], lw=1.0, alpha=0.8,
                        color=matplotlib.colormaps["tab10"](i % 10), label=ldu)
            ax.set_title(f"{g} posts vacant, % by LDU", loc="left", fontsize=9, color=INK)
            ax.set_ylim(bottom=0)
            _date_axis(ax)
            mark_interventions(ax, run)
        for ax in axes[n + len(grades):]:
            ax.set_visible(False)
        axes[0].legend(fontsize=7, loc="lower left")
        axes[n].legend(fontsize=6, loc="upper left", ncol=2)
        fig.suptitle(f"Staff in post (solid) against funded posts (dashed), mean of {run.replications} "
                     "replications", x=0.01, ha="left", fontsize=10, color=INK)
    return fig


# --------------------------------------------------------------------------- comparisons and sweeps

def change_colour(figure: str, difference: float, clear: bool) -> str:
    """The colour of a change: red worse, blue better (by `labels.BETTER`), dark ink for a clear
    change of a figure without a direction, grey when the interval includes zero."""
    if not clear:
        return UNCLEAR
    return {"worse": WORSE, "better": BETTER}.get(labels.verdict(figure, difference), INK)


def _tiny(difference: float, base: float) -> bool:
    """True for a difference that is floating-point noise (e.g. 1e-12 of a 17,000 mean)."""
    return abs(difference) <= 1e-9 * max(1.0, abs(base))


def forest_unit(figure: str, units: str) -> tuple[str, float]:
    """The axis a figure's change is drawn on in the forest plot, and the scale from the
    file's value to it: shares in percentage points (×100), capacity % in points of
    capacity %, days in days, an index as itself, anything else in its own units."""
    s = labels.style(figure, units)
    if s == "share":
        return "percentage points", 100.0
    if s == "percent":
        return "points of capacity %", 1.0
    if s == "days":
        return "days", 1.0
    if s == "index":
        return "index (0 = even)", 1.0
    return units or "number", 1.0


def forest(comparison: Comparison, figures=None, ldu: str = "division") -> Figure:
    """Forest plot of paired differences (variant − base) with their 95% intervals.

    One panel per unit (`forest_unit`): each change is drawn in the figure's own
    units (percentage points, points of capacity %, days, cases, …), as the
    tables write it, and never against another unit on one axis. (A change
    relative to the base mean would magnify the changes of small figures, a
    share over 110% going from 2% to 4% being +100%, and make figures of
    different kinds look alike.) Clear differences (the interval excludes
    zero) are solid and coloured by what they mean (`change_colour`: red worse,
    blue better), the others hollow and grey. Figures equal in every
    replication say nothing and are left out.
    """
    if not isinstance(comparison, Comparison):
        raise TypeError("forest() takes a Comparison (a file written by caseload compare)")
    table = comparison.comparison
    table = table[table["ldu"] == ldu].set_index("figure")
    wanted = [f for f in (figures or labels.HEADLINE) if f in table.index]
    rows = table.loc[wanted]
    rows = rows[rows["difference"].notna()]
    unchanged = np.array([_tiny(d, b) and _tiny(h, b) for d, h, b in
                          zip(rows["difference"], rows["difference_half_width"], rows["base_mean"])],
                         dtype=bool)
    rows = rows[~unchanged]
    panels: dict[str, list[str]] = {}
    for f, r in rows.iterrows():
        panels.setdefault(forest_unit(f, r["units"])[0], []).append(f)
    with matplotlib.rc_context(STYLE):
        heights = [len(fs) + 1.8 for fs in panels.values()] or [2.0]
        fig = _figure(9.5, 0.3 * sum(heights) + 0.6)
        axes = np.atleast_1d(fig.subplots(len(heights), 1, squeeze=False,
                                          gridspec_kw={"height_ratios": heights})).ravel()
        for ax, (unit, names) in zip(axes, panels.items()):
            names_shown, colours = [], []
            for i, f in enumerate(names):
                r = rows.loc[f]
                scale = forest_unit(f, r["units"])[1]
                clear = bool(r["significant"]) and not _tiny(r["difference"], r["base_mean"])
                colour = change_colour(f, r["difference"], clear)
                ax.plot([scale * r["difference_low"], scale * r["difference_high"]], [i, i],
                        color=colour, lw=1.6)
                ax.scatter([scale * r["difference"]], [i], s=30, zorder=3,
                           color=colour if clear else "white", edgecolors=colour, linewidths=1.2)
                names_shown.append(f"{labels.label(f)}  ({labels.number(f, r['base_mean'], r['units'])} → "
                                   f"{labels.number(f, r['variant_mean'], r['units'])})")
                colours.append(INK if clear else MUTED)
            ax.axvline(0, color=INK, lw=0.8)
            ax.set_yticks(np.arange(len(names)), names_shown)
            ax.set_ylim(len(names) - 0.5, -0.5)
            for tick, colour in zip(ax.get_yticklabels(), colours):
                tick.set_color(colour)
            ax.xaxis.set_major_formatter(FuncFormatter(_signed))
            ax.set_xlabel(f"change, {unit}", labelpad=1)
            ax.grid(axis="y", visible=False)
        if not panels:
            axes[0].text(0.5, 0.5, "no headline figure differs in any replication", ha="center",
                         transform=axes[0].transAxes)
        fig.suptitle(f"{comparison.variant.label} vs {comparison.base.label} ({ldu}): paired "
                     "differences (variant − base) with 95% intervals, in each figure's own units\n"
                     "solid: the interval excludes 0; red: worse, blue: better, dark: neither",
                     x=0.01, ha="left", fontsize=10, color=INK)
    return fig


def _signed(value: float, _position=None) -> str:
    """A tick of a change: +2, −0.5 (a true minus sign), 0."""
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + f"{abs(value):,.4g}"


def sweep_figures(sweep: Sweep, figures=("capacity_mean_PO", "share_over_110",
                                         "plan_review_share_on_time", "gini"),
                  ldu: str = "division") -> Figure:
    """Headline figures against the swept value, with 95% intervals, one panel per figure."""
    if not isinstance(sweep, Sweep):
        raise TypeError("sweep_figures() takes a Sweep (a file written by caseload run --vary)")
    table = sweep.sweep
    table = table[table["ldu"] == ldu]
    figures = [f for f in figures if (table["figure"] == f).any()]
    values = sweep.vary_values
    with matplotlib.rc_context(STYLE):
        nrows, ncols = _grid(max(len(figures), 1), 4)
        fig = _figure(min(2.5 * ncols + 0.4, 10.3), 2.6 * nrows + 0.5)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        x = np.arange(len(values))
        for ax, f in zip(axes, figures):
            d = table[table["figure"] == f].set_index("value").reindex(values)
            units = d["units"].iloc[0]
            scale = 100.0 if labels.style(f, units) == "share" else 1.0
            mean = d["mean"].to_numpy(float) * scale
            # The band is cut at what the figure can be (a share in 0–100%, a count >= 0).
            low, high = (labels.clip(f, d[c].to_numpy(float), units) * scale for c in ("ci_low", "ci_high"))
            ax.fill_between(x, low, high, color=BAND, alpha=0.6, lw=0)
            ax.plot(x, mean, color=ACCENT, marker="o", ms=4, lw=1.4)
            ax.set_xticks(x, values)
            ax.set_xlabel(sweep.vary_key)
            title = labels.label(f) + (" (%)" if scale == 100.0 else "")
            ax.set_title(textwrap.fill(title, 34), loc="left", color=INK, fontsize=9)
        for ax in axes[len(figures):]:
            ax.set_visible(False)
        fig.suptitle(f"Division figures by {sweep.vary_key}: mean and 95% interval", x=0.01,
                     ha="left", fontsize=10, color=INK)
    return fig


def _effect_axis_label(figure: str, units: str) -> str:
    style = labels.style(figure, units)
    if style == "share":
        return "change from low to high, percentage points"
    if style == "percent":
        return "change from low to high, points of capacity %"
    return f"change from low to high ({units})" if units else "change from low to high"


def tornado(sensitivity: Sensitivity, figure: str) -> Figure:
    """Tornado plot of one division figure in a sensitivity file.

    One bar per parameter: the effect of moving it from its low to its high
    value (the paired difference high − low), with its 95% interval as a
    whisker; the parameter that moves the figure most at the top. Bars whose
    interval excludes zero are in colour (red: the figure gets worse as the
    parameter goes from low to high, blue: better; `change_colour`), the
    others grey; an effect that is undefined (the figure does not exist at
    either end) has no bar.
    """
    if not isinstance(sensitivity, Sensitivity):
        raise TypeError("tornado() takes a Sensitivity (a file written by caseload sensitivity)")
    rows = sensitivity.ranked(figure)
    units = rows["units"].iloc[0]
    scale = 100.0 if labels.style(figure, units) == "share" else 1.0
    effect, low, high = (rows[c].to_numpy(float) * scale for c in ("effect", "ci_low", "ci_high"))
    defined = np.isfinite(effect)
    # Rounding (the file holds no figure levels, so "tiny" is absolute here) is no effect.
    clear = defined & ((low > 0) | (high < 0)) & (np.abs(effect) > scale * 1e-9)
    with matplotlib.rc_context(STYLE):
        fig = _figure(9.5, 0.34 * len(rows) + 1.3)
        ax = fig.subplots()
        y = np.arange(len(rows))
        ax.barh(y[defined], effect[defined], height=0.6, zorder=2,
                color=[change_colour(figure, e, c) for e, c in zip(effect[defined], clear[defined])])
        whiskers = defined & np.isfinite(low) & np.isfinite(high)
        ax.errorbar(effect[whiskers], y[whiskers],
                    xerr=[effect[whiskers] - low[whiskers], high[whiskers] - effect[whiskers]],
                    fmt="none", ecolor=INK, elinewidth=1, capsize=3, zorder=3)
        ax.axvline(0, color=INK, lw=0.8)
        names = [f"{p}  ({lo:g} → {hi:g})" + ("" if d else "  (undefined)")
                 for p, lo, hi, d in zip(rows["parameter"], rows["low"], rows["high"], defined)]
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        for tick, is_clear in zip(ax.get_yticklabels(), clear):
            tick.set_color(INK if is_clear else MUTED)
        ax.set_xlabel(_effect_axis_label(figure, units) + "; whiskers: 95% interval")
        ax.grid(axis="y", visible=False)
        fig.suptitle(textwrap.fill(labels.label(figure), 80), x=0.01, ha="left", fontsize=10,
                     color=INK)
    return fig
