"""A run's interventions (the scenario's `[[intervention]]` tables) in words and as marks on plots.

The reader keeps the resolved scenario (`Run.scenario`, the TOML the engine
stored in the file); its `intervention` list holds each change with its
`at_day`. `interventions(run)` turns them into `Intervention`s: the day, the
LDU it applies to (None: every LDU, or the division), a sentence for the
report and a short label for a plot. Keys this module does not know (a newer
engine's) are still shown, as `key = value`.
"""

from __future__ import annotations

import dataclasses
import datetime
import textwrap

from . import labels


@dataclasses.dataclass(frozen=True)
class Intervention:
    """One `[[intervention]]` of a scenario, in words."""

    day: float
    """The day of the change (days since day 0, `at_day`)."""
    ldu: str | None
    """The LDU it applies to; None for every LDU (or a division-wide setting)."""
    where: str
    """Where, in words: the LDU's name, "every LDU" (staff and demand without an LDU) or "the
    division" (allocation policy, cap and overflow)."""
    text: str
    """What it does, in a sentence without the day: "5 more PO posts, filled by trainees"."""
    short: str
    """A few characters for a plot: "+5 PO (trainees)", "demand ×1.15"."""


def _number(x) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,g}"


def _staff(grade: str, value, recruits: str) -> tuple[str, str] | None:
    """The words and the short label of `add_staff.<GRADE> = value`: a number of posts, or a
    percentage given as "10%"; None for a value this module cannot read."""
    percent = isinstance(value, str) and value.strip().endswith("%")
    try:
        n = float(value.strip().rstrip("%")) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    if n == 0:
        return None
    one, many = labels.GRADE_WORDS.get(grade, (grade, grade + "s"))
    size = f"{_number(abs(n))}%" if percent else _number(abs(n))
    posts = f"{grade} posts" if percent or abs(n) != 1 else f"{grade} post"
    if n > 0:
        who = ("trainees (PQiPs, who fill the PO posts on qualifying)" if recruits == "trainee"
               else "experienced staff")
        return (f"{size} more {posts}, filled at once by {who}",
                f"+{size} {grade}" + (" (trainees)" if recruits == "trainee" else ""))
    people = many if percent or abs(n) != 1 else one
    return (f"{size} fewer {posts}: the {size} most recent {people} to join leave",
            f"−{size} {grade}")


def _words(entry: dict) -> tuple[list[str], list[str]]:
    """The sentences and short labels of what one intervention table changes."""
    texts, shorts = [], []
    recruits = entry.get("recruits", "experienced")
    for key, value in entry.items():
        if key in ("at_day", "ldu", "recruits"):
            continue
        if key == "add_staff" and isinstance(value, dict):
            for grade, n in value.items():
                words = _staff(grade, n, recruits)
                if words is None and n:
                    words = (f"add_staff.{grade} = {n}", f"{grade} {n}")
                if words:
                    texts.append(words[0])
                    shorts.append(words[1])
        elif key == "demand_factor":
            f = float(value)
            texts.append("no new cases or court reports from then on" if f == 0 else
                         f"case arrivals and court reports at {f:g} times the scenario's rates "
                         f"({100 * (f - 1):+.0f}%)")
            shorts.append(f"demand ×{f:g}")
        elif key == "policy":
            texts.append(f"allocation policy changed to {value}")
            shorts.append(f"policy: {value}")
        elif key == "cap_percent":
            texts.append(f"the allocation cap set to {_number(float(value))}% of capacity")
            shorts.append(f"cap {_number(float(value))}%")
        elif key == "overflow":
            texts.append(f"overflow to neighbouring LDUs switched {'on' if value else 'off'}")
            shorts.append(f"overflow {'on' if value else 'off'}")
        else:
            texts.append(f"{key} = {value}")
            shorts.append(f"{key} = {value}")
    return texts, shorts


def interventions(run) -> list[Intervention]:
    """The interventions of a `Run`'s scenario, in the order the engine applies them (by day, then
    file order). Empty when the scenario has none."""
    entries = run.scenario.get("intervention", []) or []
    out = []
    for entry in entries:
        ldu = entry.get("ldu")
        if isinstance(ldu, int) and 0 <= ldu < len(run.ldu_names):
            ldu = run.ldu_names[ldu]
        texts, shorts = _words(entry)
        if not texts:
            texts, shorts = ["no change"], ["no change"]
        where = ldu if ldu is not None else ("every LDU" if {"add_staff", "demand_factor"} & set(entry)
                                             else "the division")
        out.append(Intervention(day=float(entry.get("at_day", 0.0)), ldu=ldu, where=where,
                                text="; ".join(texts), short=", ".join(shorts)))
    return sorted(out, key=lambda i: i.day)  # stable: file order on the same day


def date(run, day: float) -> datetime.date:
    """The calendar date of a day of a run."""
    return run.start_date + datetime.timedelta(days=float(day))


def on_plots(run, day: float) -> bool:
    """Whether a day falls within the snapshots the plots over time show."""
    days = run.snapshot_days
    return len(days) > 0 and float(days[0]) <= day <= float(days[-1])


def plot_label(items: list[Intervention], ldu: str | None = None) -> str:
    """The label of one day's mark on a plot: the changes that apply to `ldu` (every change, for
    None), with the LDU named where the plot shows more than one; "" when none applies there."""
    mine = [i for i in items if ldu is None or i.ldu in (None, ldu)]
    if not mine:
        return ""
    parts = [i.short if ldu is not None or i.ldu is None else f"{i.ldu}: {i.short}" for i in mine]
    if len(parts) > 2:
        return textwrap.shorten(f"{len(parts)} changes: " + ", ".join(dict.fromkeys(i.where for i in mine)),
                                70, placeholder=" …")
    return "; ".join(parts)


def by_day(run) -> list[tuple[float, list[Intervention]]]:
    """The interventions grouped by day, in order."""
    days: dict[float, list[Intervention]] = {}
    for i in interventions(run):
        days.setdefault(i.day, []).append(i)
    return list(days.items())
