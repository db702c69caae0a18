#!/usr/bin/env python3
"""The core of the Midlands 2018 baseline as a SimPy model, for timing against
caseload on the same scenario (bench/reference/README.md).

The same process as `caseload run bench/reference/midlands-core.toml`: Poisson
arrivals per LDU and case type with tiers from the type's mix; lognormal
durations; custody becoming licence with the same officer; the day-0 caseload
synthesised at steady state (Poisson counts, equilibrium residual durations);
least-loaded allocation by preference levels of grades with the 100%
threshold; weekly snapshots of every officer's capacity % with the division's
LDU x grade and division figures caseload records. No output file. Parameters come from the resolved scenario that
caseload wrote into an HDF5 file (attribute `scenario`), so both models run
exactly the same inputs.

Usage: midlands_simpy.py RESULTS.h5 [SEED]
"""
import math
import random
import sys
import time
import tomllib

import h5py
import simpy

TIERS = ["A3", "A2", "A1", "A0", "B3", "B2", "B1", "B0", "C3", "C2", "C1", "C0", "D3", "D2", "D1", "D0"]


def lognormal_parameters(mean, sd):
    sigma2 = math.log1p(sd * sd / (mean * mean))
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


class Model:
    def __init__(self, scenario, seed):
        self.s = scenario
        self.rng = random.Random(seed)
        self.env = simpy.Environment()
        w = scenario["workload"]
        self.points = {t: [w["case_points"][t][tier] for tier in TIERS] for t in w["case_points"]}
        self.types = scenario["case_types"]
        self.duration = {t: lognormal_parameters(c["duration_days"]["mean"], c["duration_days"]["sd"])
                         for t, c in self.types.items()}
        self.tier_weights = {t: [c["tier_mix"].get(tier, 0.0) for tier in TIERS] for t, c in self.types.items()}
        self.eligibility = scenario["allocation"]["eligibility"]
        self.threshold = scenario["allocation"]["preference_threshold_percent"]
        # Officers: [ldu, grade, available points, points held]
        self.officers = []
        self.by_ldu_grade = {}
        target, default_hours = w["nominal_target_points"], w["default_contracted_hours"]
        for l, ldu in enumerate(scenario["ldu"]):
            for grade, group in ldu["staff"].items():
                if grade in ("SPO", "VLO"):
                    continue
                reduction = 0.6 if grade == "PQiP" else group["reduction_percent"] / 100
                available = target * group["contracted_hours"] * (1 - reduction) / default_hours
                for _ in range(group["in_post"]):
                    self.by_ldu_grade.setdefault((l, grade), []).append(len(self.officers))
                    self.officers.append([l, grade, available, 0])
        self.snapshots = []

    def draw_duration(self, case_type, residual=False):
        mu, sigma = self.duration[case_type]
        if not residual:
            return self.rng.lognormvariate(mu, sigma)
        # Equilibrium residual: a uniform point in a length-biased length.
        return self.rng.random() * self.rng.lognormvariate(mu + sigma * sigma, sigma)

    def choose(self, ldu, tier):
        best_overall, best_overall_pct = None, math.inf
        for level in self.eligibility[TIERS[tier][0]]:
            grades = level if isinstance(level, list) else [level]
            best, best_pct = None, math.inf
            for grade in grades:
                for o in self.by_ldu_grade.get((ldu, grade), ()):
                    officer = self.officers[o]
                    pct = 100 * officer[3] / officer[2]
                    if pct < best_pct:
                        best, best_pct = o, pct
            if best is None:
                continue
            if best_pct < self.threshold:
                return best
            if best_pct < best_overall_pct:
                best_overall, best_overall_pct = best, best_pct
        return best_overall

    def case(self, ldu, case_type, tier, first_phase_days):
        officer = self.officers[self.choose(ldu, tier)]
        phase, days = case_type, first_phase_days
        while True:
            officer[3] += self.points[phase][tier]
            yield self.env.timeout(days)
            officer[3] -= self.points[phase][tier]
            following = self.types[phase].get("becomes")
            if following is None:
                return
            phase, days = following, self.draw_duration(following)

    def arrivals(self, ldu, case_type, per_week):
        rate = per_week / 7
        while True:
            yield self.env.timeout(self.rng.expovariate(rate))
            tier = self.rng.choices(range(16), self.tier_weights[case_type])[0]
            self.env.process(self.case(ldu, case_type, tier, self.draw_duration(case_type)))

    def seed_steady_state(self):
        for l, ldu in enumerate(self.s["ldu"]):
            for source, per_week in ldu["arrivals_per_week"].items():
                phase = source
                while phase is not None:
                    mean = self.types[phase]["duration_days"]["mean"]
                    for _ in range(poisson(self.rng, per_week / 7 * mean)):
                        tier = self.rng.choices(range(16), self.tier_weights[source])[0]
                        self.env.process(self.case(l, phase, tier, self.draw_duration(phase, residual=True)))
                    phase = self.types[phase].get("becomes")

    def snapshot(self):
        """The figures caseload records each week: every officer's cases,
        points and capacity %; per LDU and grade the mean, median, p90, max and
        shares over 100/110/120%; per LDU and for the division the Gini, CV,
        max/median, shares over 100/110% and the Theil index with its parts."""
        every = self.s["snapshot_every_days"]
        n_ldu = len(self.s["ldu"])
        while True:
            per_officer = [(o[0], o[1], o[3], 100 * o[3] / o[2]) for o in self.officers]
            cells = {}
            for ldu, grade, _, pct in per_officer:
                cells.setdefault((ldu, grade), []).append(pct)
            cell_figures = {key: spread(sorted(values)) for key, values in cells.items()}
            by_ldu = [sorted(p for l, _, _, p in per_officer if l == ldu) for ldu in range(n_ldu)]
            ldu_figures = [imbalance(values) for values in by_ldu]
            everyone = sorted(p for *_, p in per_officer)
            division = imbalance(everyone)
            theil_ldu = theil_parts([[p for l, _, _, p in per_officer if l == ldu] for ldu in range(n_ldu)])
            theil_grade = theil_parts([[p for _, g, _, p in per_officer if g == grade]
                                       for grade in ("PO", "PQiP", "PSO")])
            self.snapshots.append((self.env.now, division, theil_ldu, theil_grade, cell_figures, ldu_figures,
                                   [(c, p) for *_, c, p in per_officer]))
            yield self.env.timeout(every)

    def run(self):
        self.seed_steady_state()
        for l, ldu in enumerate(self.s["ldu"]):
            for case_type, per_week in ldu["arrivals_per_week"].items():
                if per_week > 0:
                    self.env.process(self.arrivals(l, case_type, per_week))
        self.env.process(self.snapshot())
        self.env.run(until=self.s["horizon_days"] + 1e-9)


def quantile(sorted_values, q):
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (pos - lo) * (sorted_values[hi] - sorted_values[lo])


def share_over(sorted_values, threshold):
    return sum(1 for v in sorted_values if v > threshold) / len(sorted_values)


def spread(values):
    return (sum(values) / len(values), quantile(values, 0.5), quantile(values, 0.9), values[-1],
            share_over(values, 100), share_over(values, 110), share_over(values, 120))


def imbalance(values):
    n, mean = len(values), sum(values) / len(values)
    gini = sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(values)) / (n * n * mean)
    cv = math.sqrt(sum((x - mean) ** 2 for x in values) / n) / mean
    median = quantile(values, 0.5)
    return gini, cv, values[-1] / median if median > 0 else math.nan, share_over(values, 100), share_over(values, 110)


def theil_parts(groups):
    everyone = [x for g in groups for x in g]
    total_sum, n = sum(everyone), len(everyone)
    mean = total_sum / n
    total = sum(x / mean * math.log(x / mean) for x in everyone if x > 0) / n
    between = within = 0.0
    for g in groups:
        if not g or sum(g) <= 0:
            continue
        share, g_mean = sum(g) / total_sum, sum(g) / len(g)
        between += share * math.log(g_mean / mean)
        within += share * sum(x / g_mean * math.log(x / g_mean) for x in g if x > 0) / len(g)
    return total, between, within


def poisson(rng, mean):
    # Knuth's method in blocks, fine for the means here (up to a few thousand).
    count, remaining = 0, mean
    while remaining > 0:
        step = min(remaining, 500.0)
        remaining -= step
        limit, product = math.exp(-step), rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
    return count


def main():
    with h5py.File(sys.argv[1], "r") as f:
        scenario = tomllib.loads(f.attrs["scenario"])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    start = time.perf_counter()
    model = Model(scenario, seed)
    model.run()
    seconds = time.perf_counter() - start
    day, division, theil_ldu, theil_grade, *_ = model.snapshots[-1]
    print(f"simpy: {seconds:.2f} s; {len(model.snapshots)} snapshots; day {day:g}: "
          f"Gini {division[0]:.3f}, Theil {theil_grade[0]:.3f} (between grades {theil_grade[1]:.3f})")


if __name__ == "__main__":
    main()
