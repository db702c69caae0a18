"""Plots of a staffing plan (a `Staffing` file, written by `caseload staff`).

Each function returns a matplotlib Figure, made as in `caseload.plots`
(no pyplot): `posts_added` (bars by LDU and grade), `search_path` (cost
against the first target's bound, candidate by candidate) and, for a file
made with `--by-day`, `recruitment_starts` (experienced hires and trainee
starts per quarter).
"""

from __future__ import annotations

import textwrap

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from . import labels
from .plots import ACCENT, INK, MUTED, STYLE, WARM, _figure
from .results import Staffing


def _check(staffing) -> None:
    if not isinstance(staffing, Staffing):
        raise TypeError("takes a Staffing (a file written by caseload staff)")


def posts_added(staffing: Staffing) -> Figure:
    """Posts the plan adds, one bar per LDU, stacked by grade."""
    _check(staffing)
    plan = staffing.plan
    ldus = list(dict.fromkeys(plan["ldu"]))
    grades = list(dict.fromkeys(plan["grade"]))
    colours = [ACCENT, WARM, "#6b8e23", "#8a6bbe", MUTED]
    with matplotlib.rc_context(STYLE):
        fig = _figure(9.5, 0.32 * len(ldus) + 1.5)
        ax = fig.subplots()
        y = np.arange(len(ldus))
        left = np.zeros(len(ldus))
        for k, grade in enumerate(grades):
            rows = plan[plan["grade"] == grade].set_index("ldu")
            counts = np.array([float(rows["added"].get(l, 0)) for l in ldus])
            ax.barh(y, counts, left=left, height=0.6, color=colours[k % len(colours)], label=grade, zorder=2)
            left += counts
        ax.set_yticks(y, ldus)
        ax.invert_yaxis()
        ax.set_xlabel("posts added")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="lower right", frameon=False)
        ax.grid(axis="y", visible=False)
        fig.suptitle("Posts added by LDU and grade", x=0.01, ha="left", fontsize=10, color=INK)
    return fig


def search_path(staffing: Staffing, target: int = 0) -> Figure:
    """Each candidate's cost against the bound of one target (the first by default).

    Grey dots: every candidate considered; the line joins those the search
    moved to (greedy steps, then kept removals); the dashed line is the target.
    """
    _check(staffing)
    search, row = staffing.search, staffing.targets.iloc[target]
    bound = search[f"bound_{target}"].to_numpy(float)
    cost = search["cost"].to_numpy(float)
    accepted = search["accepted"].to_numpy(bool)
    with matplotlib.rc_context(STYLE):
        fig = _figure(9.5, 3.6)
        ax = fig.subplots()
        ax.scatter(cost, bound, s=12, color="#c8c8c8", zorder=2, label="candidates")
        ax.plot(cost[accepted], bound[accepted], color=ACCENT, marker="o", ms=4, lw=1.4, zorder=3,
                label="the search's path")
        ax.axhline(row["value"], color=WARM, lw=1, ls="--", label=f"target {row['op']} {row['value']:g}")
        ax.set_xlabel("cost of the candidate plan")
        side = "upper" if row["op"] == "<=" else "lower"
        ax.set_ylabel(f"{side} bound of the {100 * staffing.confidence:g}% interval")
        ax.legend(frameon=False)
        where = "" if row["ldu"] == "division" else f" ({row['ldu']})"
        fig.suptitle(textwrap.fill(labels.label(row["figure"]) + where, 80), x=0.01, ha="left",
                     fontsize=10, color=INK)
    return fig


def _day_month_year(date) -> str:
    return f"{date.day} {date:%b %Y}"


def recruitment_starts(staffing: Staffing) -> Figure:
    """Starts per quarter over every LDU and grade: experienced hires and trainee starts stacked.

    Each bar stands at its quarter's start day (labelled with the day and the
    date); the dashed line is the day the staff must be in post by. Raises
    ValueError for a file without a recruitment plan (made without `--by-day`).
    """
    _check(staffing)
    plan = staffing.recruitment_plan
    if plan is None:
        raise ValueError("the file has no recruitment plan (caseload staff was run without --by-day)")
    by_day = staffing.recruitment_by_day
    quarters = plan.groupby("quarter_start_day", sort=True)[["experienced_hires", "trainee_starts"]].sum()
    dates = plan.drop_duplicates("quarter_start_day").set_index("quarter_start_day")["quarter_start_date"]
    days = quarters.index.to_numpy(float)
    quarter = 365.25 / 4
    width = 0.45 * quarter
    experienced = quarters["experienced_hires"].to_numpy(float)
    trainees = quarters["trainee_starts"].to_numpy(float)
    top = max(float((experienced + trainees).max(initial=0.0)), 1.0)
    with matplotlib.rc_context(STYLE):
        fig = _figure(9.5, 3.4)
        ax = fig.subplots()
        ax.bar(days, experienced, width=width, color=ACCENT, label="experienced hires", zorder=2)
        ax.bar(days, trainees, width=width, bottom=experienced, color=WARM, label="trainee starts", zorder=2)
        # Behind the bars: a start on the quarter before the day may stand across it.
        ax.axvline(by_day, color=INK, lw=1, ls="--", zorder=1, label=f"in post by day {by_day:g}")
        ax.set_xticks(days, [f"day {d:,.0f}\n{_day_month_year(dates[d])}" for d in days])
        low, high = min([*days, by_day]), max([*days, by_day])
        ax.set_xlim(low - quarter / 2, high + quarter / 2)
        ax.set_ylim(0, top * 1.2)
        ax.set_ylabel("starts in the quarter")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        fig.suptitle(f"Starts per quarter, every LDU and grade, to reach the plan's staff by day {by_day:g}",
                     x=0.01, ha="left", fontsize=10, color=INK)
    return fig
