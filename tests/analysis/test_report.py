"""The HTML report and its plots, as a planner reads them (issue 11, part 5): intervention days
marked and described, a comparison that leads with the LDUs, the forest plot on the figures' own
scales, colours that mean better and worse, no "up from 14.4% to 14.4%", grade names kept in
capitals, interval bands cut at a figure's bounds, and a report that reads one replication at a
time."""
import pathlib
import sys

import numpy as np
import pytest

ANALYSIS = pathlib.Path(__file__).resolve().parents[2] / "analysis"
sys.path.insert(0, str(ANALYSIS))

import caseload  # noqa: E402
from caseload import labels, plots, report  # noqa: E402


@pytest.fixture(scope="module")
def run(files):
    with caseload.open(files["run"]) as results:
        yield results


# --------------------------------------------------------------------------- memory

def test_read_officer_snapshots_reads_only_the_series_asked_for(run):
    full = run.read_officer_snapshots(replications=2)
    some = run.read_officer_snapshots(replications=2, columns=["capacity_percent"])
    assert list(some.columns) == ["replication", "day", "date", "week", "officer", "ldu",
                                  "grade_then", "state", "capacity_percent"]
    np.testing.assert_array_equal(some["capacity_percent"], full["capacity_percent"])
    assert (some["grade_then"] == full["grade_then"]).all()
    with pytest.raises(KeyError, match="no per-officer series 'nonsense'.*capacity_percent"):
        run.read_officer_snapshots(replications=2, columns=["nonsense"])
    assert run.replication_indices == [0, 1, 2]
    # Some snapshots only: the rows of those days, as in the whole frame.
    days = run.snapshot_days[[3, 7]]
    few = run.read_officer_snapshots(replications=2, days=days)
    whole = full[full.day.isin(days)].reset_index(drop=True)
    assert len(few) == len(whole) > 0 and set(few.day) == set(days)
    for column in ("officer", "capacity_percent", "cases", "week"):
        np.testing.assert_array_equal(few[column], whole[column])
    assert (few["grade_then"] == whole["grade_then"]).all()


def test_a_report_reads_the_officer_snapshots_one_replication_at_a_time(files, monkeypatch):
    # The per-officer arrays are the bulk of a file: the report never holds every
    # replication's at once (officer_snapshots, all of them, is never built).
    asked = []
    read = caseload.Run.read_officer_snapshots

    def spy(self, replications=None, columns=None, days=None):
        asked.append((replications, columns))
        return read(self, replications, columns, days)

    monkeypatch.setattr(caseload.Run, "read_officer_snapshots", spy)
    with caseload.open(files["run"]) as fresh:
        report.render(fresh)
        assert "officer_snapshots" not in fresh.__dict__
    assert asked and all(np.ndim(r) == 0 and r is not None for r, _ in asked)
    assert all(c == ["capacity_percent"] for _, c in asked)


def test_the_lorenz_plot_per_replication_is_the_curve_of_all_officers_at_the_last_snapshot(run):
    fig = plots.lorenz(run)
    s = run.officer_snapshots
    last = s[(s.day == run.snapshot_days[-1]) & s.capacity_percent.notna()]
    lines = [line for line in fig.axes[0].get_lines() if line.get_label().startswith("replication")]
    assert len(lines) == run.replications
    for line, (_, d) in zip(lines, last.groupby("replication")):
        share, cum, _ = plots.lorenz_points(d.capacity_percent.to_numpy())
        np.testing.assert_allclose(line.get_ydata(), cum)


# --------------------------------------------------------------------------- capitals

def text_of(html: str) -> str:
    """A report without its embedded images (base64 can spell anything)."""
    import re
    return re.sub(r'data:image/png;base64,[^"]*', "", html)


def test_grade_names_keep_their_capitals_in_a_sentence():
    assert labels.in_sentence("POs over 110% of capacity") == "POs over 110% of capacity"
    assert labels.in_sentence("PQiP places") == "PQiP places"
    assert labels.in_sentence("Gini index of capacity % (0 = even)").startswith("Gini")
    assert labels.in_sentence("Risk plan reviews on time") == "risk plan reviews on time"
    assert labels.in_sentence("Trainee (PQiP) capacity used") == "trainee (PQiP) capacity used"
    for figure in labels.FIGURES:
        words = labels.in_sentence(labels.label(figure)).split()
        assert not (words[0][:1].islower() and any(c.isupper() for c in words[0])), words[0]
    # Unknown figures keep their grades and abbreviations in capitals too.
    assert labels.label("cases_per_officer_SPO") == "Cases per officer SPO"
    assert labels.label("fdr_due") == "FDR due"


def test_a_comparison_report_writes_no_lowered_grade_names(files):
    import re
    with caseload.open(files["comparison"]) as c:
        text = text_of(report.render(c))
    assert not re.search(r"\b(pOs?|pSOs?|pQiP|sPOs?|vLOs?)\b", text)
    assert re.search(r"\bPOs over 110% of capacity\b", text)


# --------------------------------------------------------------------------- bounds

def test_clip_cuts_values_at_the_figures_bounds():
    np.testing.assert_array_equal(labels.clip("plan_review_share_on_time", [-0.2, 0.5, 1.3, np.nan]),
                                  [0.0, 0.5, 1.0, np.nan])
    np.testing.assert_array_equal(labels.clip("reallocations", [-239.1, 447.0]), [0.0, 447.0])
    np.testing.assert_array_equal(labels.clip("capacity_mean_PO", [-5.0, 130.0]), [0.0, 130.0])
    assert labels.clip("gini", 1.3) == 1.0 and labels.clip("theil", 1.8) == 1.8
    # A figure the labels do not know is bounded by its units.
    assert labels.clip("sdr_share_on_time", 1.2, "fraction of tasks due") == 1.0
    assert labels.interval("share_over_110", -0.55, 1.24) == "0.0 – 100.0%"


def test_sweep_bands_and_timeliness_whiskers_stay_within_the_bounds(files):
    with caseload.open(files["sweep"]) as s:
        table = s.sweep[s.sweep.ldu == "division"].set_index("figure")
        # Two replications: these intervals do reach past the bounds.
        assert (table.loc["share_over_110", "ci_low"] < 0).any()
        assert (table.loc["plan_review_share_on_time", "ci_high"] > 1).any()
        fig = plots.sweep_figures(s)
        for ax in fig.axes:
            if not ax.get_visible() or not ax.collections:
                continue
            y = ax.collections[0].get_paths()[0].vertices[:, 1]
            assert y.min() >= 0, ax.get_title()
            if "(%)" in ax.get_title():
                assert y.max() <= 100, ax.get_title()
        run = s.runs[0]
        stats = run.statistics
        shares = stats[stats.figure.str.endswith("_share_on_time")]
        assert (shares.ci_high > 1).any() or (shares.ci_low < 0).any()
        fig = plots.timeliness(run)
        for ax in fig.axes:
            for collection in ax.collections:
                for segment in getattr(collection, "get_segments", lambda: [])():
                    assert 0 <= segment[:, 0].min() and segment[:, 0].max() <= 1


# --------------------------------------------------------------------------- better and worse

def test_every_figure_has_a_direction_and_a_change_a_verdict():
    assert set(labels.BETTER) == set(labels.FIGURES)
    assert set(labels.BETTER.values()) == {"higher", "lower", None}
    assert labels.BETTER["plan_review_share_on_time"] == "higher"
    for lower in ("mean_wait_days", "share_over_110_PO", "plan_review_mean_days", "vacancy_rate_PO"):
        assert labels.BETTER[lower] == "lower"
    assert labels.verdict("plan_review_share_on_time", 0.05) == "better"
    assert labels.verdict("plan_review_share_on_time", -0.05) == "worse"
    assert labels.verdict("capacity_mean_PO", 12.0) == "worse"
    assert labels.verdict("mean_wait_days", -1.5) == "better"
    assert labels.verdict("mean_held", 300.0) is None           # demand: no direction
    assert labels.verdict("capacity_mean_PO", 0.0) is None
    assert labels.verdict("not_a_figure", 1.0) is None


def _row_html(html: str, figure: str) -> str:
    start = html.index(f'<td title="{figure}">')
    return html[start:html.index("</tr>", start)]


def test_a_comparison_colours_its_clear_changes_by_what_they_mean(files):
    with caseload.open(files["comparison"]) as c:
        html = report.comparison_table(c)
        d = c.comparison[c.comparison.ldu == "division"].set_index("figure")
        words = report.change_words(c)
    seen = set()
    for f in labels.HEADLINE:
        if f not in d.index or not np.isfinite(d.loc[f, "difference"]):
            continue
        r = d.loc[f]
        clear = bool(r["significant"]) and abs(r["difference"]) > 1e-9 * max(1, abs(r["base_mean"]))
        row = _row_html(html, f)
        expected = (labels.verdict(f, r["difference"]) or "clear") if clear else None
        for css in ("worse", "better", "clear"):
            assert (f'class="{css}"' in row) == (css == expected), (f, css, row)
        seen.add(expected)
    assert {"worse", "better"} <= seen      # the fixture has changes both ways
    # More vacant POs: their capacity % rises, which is worse, and the words say so.
    assert d.loc["capacity_mean_PO", "difference"] > 0
    assert ('PO capacity used, mean</strong>: up from' in words
            and '<span class="worse">worse</span>' in words)


def test_a_change_that_rounds_away_is_unchanged_not_up_from_a_number_to_itself():
    import pandas as pd
    row = pd.Series({"units": "fraction of officers", "base_mean": 0.14412, "variant_mean": 0.14441,
                     "difference": 0.00029, "difference_low": 0.00011, "difference_high": 0.00047,
                     "significant": True})
    text = report.change_sentence("share_over_110", row)
    assert "unchanged at 14.4%" in text
    assert "from 14.4% to 14.4%" not in text
    assert "+0.029 points" in text and "+0.011 to +0.047 points" in text   # not "+0.0 points"
    assert '<span class="worse">worse</span>' in text
    row = row.copy()
    row["variant_mean"], row["difference"] = 0.1612, 0.0171
    row["difference_low"], row["difference_high"] = 0.012, 0.022
    assert report.change_sentence("share_over_110", row).startswith("up from 14.4% to 16.1% (+1.7 points")
    # A difference that is not zero is never written as zero.
    assert labels.change("share_over_110", 0.0003) == "+0.030 points"
    assert labels.change("share_over_110", -0.192) == "−19.2 points"
    assert labels.change_interval("share_over_110", 0.0001, 0.0005) == "+0.010 to +0.050 points"
    assert labels.change_interval("share_over_110", -0.0004, 0.052) == "−0.0 to +5.2 points"


# --------------------------------------------------------------------------- forest and tornado

def test_the_forest_plot_draws_each_change_in_its_figures_own_units(files):
    from matplotlib.colors import to_hex
    with caseload.open(files["comparison"]) as c:
        fig = plots.forest(c)
        d = c.comparison[c.comparison.ldu == "division"].set_index("figure")
    shown = {}
    for ax in fig.axes:
        unit = ax.get_xlabel().removeprefix("change, ")
        assert ax.get_xlabel().startswith("change, ")
        names = [t.get_text().split("  (")[0] for t in ax.get_yticklabels()]
        figures = [next(f for f in labels.HEADLINE if labels.label(f) == n) for n in names]
        # One unit per panel, and the points are the differences in that unit (not % of the base).
        assert {plots.forest_unit(f, d.loc[f, "units"])[0] for f in figures} == {unit}
        for f, points in zip(figures, ax.collections):
            scale = plots.forest_unit(f, d.loc[f, "units"])[1]
            assert points.get_offsets()[0][0] == pytest.approx(scale * d.loc[f, "difference"])
            clear = bool(d.loc[f, "significant"])
            assert to_hex(points.get_edgecolor()[0]) == plots.change_colour(f, d.loc[f, "difference"], clear)
            shown[f] = unit
    assert shown["capacity_mean_PO"] == "points of capacity %"
    assert shown["vacancy_rate_PO"] == "percentage points"
    assert shown["plan_review_mean_days"] == "days" and shown["gini"] == "index (0 = even)"
    assert len(set(shown.values())) == len(fig.axes) > 3
    assert plots.change_colour("capacity_mean_PO", 5.0, True) == plots.WORSE
    assert plots.change_colour("plan_review_share_on_time", 0.1, True) == plots.BETTER
    assert plots.change_colour("mean_held", 10.0, True) == plots.INK
    assert plots.change_colour("capacity_mean_PO", 5.0, False) == plots.UNCLEAR


def test_tornado_bars_are_coloured_by_what_the_effect_means(sensitivity_file):
    from matplotlib.colors import to_hex
    with caseload.open(sensitivity_file) as s:
        for figure in ("capacity_mean_PO", "plan_review_share_on_time"):
            rows = s.ranked(figure)
            fig = plots.tornado(s, figure)
            bars = [p for p in fig.axes[0].patches]
            defined = rows[rows.effect.notna()]
            assert len(bars) == len(defined)
            for bar, (_, r) in zip(bars, defined.iterrows()):
                clear = (r.ci_low > 0 or r.ci_high < 0) and abs(r.effect) > 1e-9
                assert to_hex(bar.get_facecolor()) == plots.change_colour(figure, r.effect, clear)
        # More arrivals load the POs more: a clear effect for the worse, in red.
        top = s.ranked("capacity_mean_PO").iloc[0]
        assert top.effect > 0 and top.ci_low > 0
        assert plots.change_colour("capacity_mean_PO", top.effect, True) == plots.WORSE


# --------------------------------------------------------------------------- interventions

def marks(ax):
    """The x positions (date numbers) of the intervention lines on an axis, and the labels."""
    lines = [line.get_xdata()[0] for line in ax.get_lines()
             if line.get_linestyle() == "-." and line.get_color() == plots.MARK]
    texts = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_color() == plots.MARK]
    return lines, texts


def day_x(run, day):
    import matplotlib.dates as mdates
    return mdates.date2num(iv.date(run, day))


from caseload import interventions as iv  # noqa: E402


def test_the_interventions_of_a_run_in_words(intervened):
    with caseload.open(intervened["run"]) as r:
        found = iv.interventions(r)
    assert [(i.day, i.ldu, i.where) for i in found] == [
        (20.0, "South", "South"), (140.0, "North & East", "North & East"), (140.0, None, "every LDU"),
        (200.0, "South", "South")]
    assert found[0].text == "1 more PSO post, filled at once by experienced staff"
    assert found[1].text.startswith("3 more PO posts, filled at once by trainees")
    assert found[1].short == "+3 PO (trainees)"
    assert found[2].text == "case arrivals and court reports at 1.2 times the scenario's rates (+20%)"
    assert found[2].short == "demand ×1.2"
    assert found[3].text == "2 fewer PO posts: the 2 most recent POs to join leave"
    assert found[3].short == "−2 PO"
    # Keys of a newer engine are still shown; none at all is no list.
    assert iv._words({"at_day": 5, "overflow": True, "cap_percent": 110, "new_key": 3}) == (
        ["overflow to neighbouring LDUs switched on", "the allocation cap set to 110% of capacity",
         "new_key = 3"], ["overflow on", "cap 110%", "new_key = 3"])


def test_a_run_report_describes_the_interventions_and_says_which_days_the_plots_mark(intervened):
    with caseload.open(intervened["run"]) as r:
        text = text_of(report.render(r))
        d140 = report._date(r, 140)
    section = text[text.index("<h2>Interventions</h2>"):text.index("<h2>Headline figures</h2>")]
    assert "(4 interventions)" in section and "purple dash-dot line" in section
    assert "<strong>Day 20 (26 January 2020), in the warm-up before the measured period (not on the plots)</strong>" in section
    assert f"<strong>Day 140 ({d140})</strong>:<ul><li>North &amp; East: 3 more PO posts" in section
    assert "every LDU: case arrivals and court reports at 1.2 times" in section
    assert "South: 2 fewer PO posts: the 2 most recent POs to join leave." in section
    assert text.count("Dash-dot purple lines: the interventions, listed above.") == 4  # every plot over time


def test_every_plot_over_time_marks_the_intervention_days(intervened):
    with caseload.open(intervened["run"]) as r:
        x140, x200, x20 = day_x(r, 140), day_x(r, 200), day_x(r, 20)
        fig = plots.capacity_over_time(r)
        panels = {ax.get_title(loc="left"): ax for ax in fig.axes if ax.get_visible()}
        lines, texts = marks(panels["North & East"])
        assert lines == [x140, x200] and texts == ["+3 PO (trainees); demand ×1.2"]
        lines, texts = marks(panels["South"])         # South's own change is labelled there
        assert lines == [x140, x200] and texts == ["demand ×1.2", "−2 PO"]
        for make in (plots.capacity_heatmap, plots.vlo_caseloads):
            lines, texts = marks(make(r).axes[0])
            assert lines == [x140, x200], make.__name__                 # not day 20: in the warm-up
            assert texts == ["North & East: +3 PO (trainees); demand ×1.2", "South: −2 PO"]
        staffing = plots.staffing(r)
        assert all(marks(ax)[0] == [x140, x200] for ax in staffing.axes if ax.get_visible())
        assert x20 < panels["South"].get_xlim()[0]
    with caseload.open(intervened["comparison"]) as c:
        lines, texts = marks(plots.capacity_difference_heatmap(c).axes[0])
        assert lines == [x140, x200] and "South: −2 PO" in texts
        assert marks(plots.capacity_heatmap(c.base).axes[0]) == ([], [])


def test_a_comparison_describes_the_variants_interventions_not_as_raw_settings(intervened):
    with caseload.open(intervened["comparison"]) as c:
        assert not any(d.startswith("intervention") for d in report.scenario_differences(c.base, c.variant))
        text = text_of(report.render(c))
    assert "The variant changes during the run (4 interventions)" in text
    assert "The base changes" not in text
    assert "every LDU: case arrivals and court reports at 1.2 times" in text


# --------------------------------------------------------------------------- comparison: LDUs first

def test_a_comparison_leads_with_the_ldus_where_the_change_happened(intervened):
    with caseload.open(intervened["comparison"]) as c:
        found = report.ldu_changes(c)
        table = c.comparison.set_index(["ldu", "figure"])
        text = text_of(report.render(c))
    assert sorted(ldu for ldu, _ in found) == sorted(["North & East", "South"])
    counts = [len(clear) for _, clear in found]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    for ldu, clear in found:
        for f in labels.LDU_CHANGES:
            r = table.loc[(ldu, f)]
            is_clear = bool(r["significant"]) and abs(r["difference"]) > 1e-9 * max(1, abs(r["base_mean"]))
            assert (f in clear) == is_clear, (ldu, f)
    # The LDUs come before the division, the LDU with most clear changes first.
    where = text.index("<h2>Where the change happened: the LDUs</h2>")
    division = text.index("<h2>The division</h2>")
    assert where < division < text.index("These differences are real")
    first = found[0][0].replace("&", "&amp;")
    assert f"most in {first}" in text[where:division] or f"one LDU of 2: {first}" in text[where:division]
    line = text[text.index(f"<li><strong>{first}</strong>: ", where):]
    line = line[:line.index("</li>")]
    assert text.index(line) < division
    for f in found[0][1]:   # the first LDU's line names each of its clear changes
        assert labels.in_sentence(labels.SHORT.get(f, labels.label(f))) in line
    # The LDU table follows the same order.
    rows = text[text.index("<th>LDU</th>", where):division]
    assert rows.index(f"<td>{first}</td>") < rows.index(f"<td>{found[1][0].replace('&', '&amp;')}</td>")
