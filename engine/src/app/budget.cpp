#include "caseload/app/budget.hpp"

#include "caseload/model/results.hpp"
#include "caseload/model/state.hpp"
#include "caseload/sim/record_window.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace caseload::app {
namespace {

using model::kDaysPerYear;

// The mean length of a case of `type`, with the phases it `becomes` after it.
double case_days(const model::Scenario& s, model::CaseType type) {
  double days = 0.0;
  std::optional<model::CaseType> t = type;
  for (int hop = 0; t && hop < model::kCaseTypeCount; ++hop) {
    const auto& p = s.case_types[static_cast<std::size_t>(*t)];
    days += p.duration.mean();
    t = p.becomes;
  }
  return days;
}

// The largest demand factor any intervention sets (factors replace each other).
double peak_demand(const model::Scenario& s) {
  double factor = 1.0;
  for (const auto& in : s.interventions)
    if (in.demand_factor) factor = std::max(factor, *in.demand_factor);
  return factor;
}

// Bytes of one officer's row of every per-officer series, per snapshot.
constexpr double kOfficerRowBytes = 4 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 1 + 1;
// Bytes of one (LDU, grade) cell of the group series, and of an imbalance row.
constexpr double kCellBytes = 8 * 4 + 9 * 8;
constexpr double kImbalanceRowBytes = 10 * 8 + 4;
// Per event-list entry, per open case and per officer, the engine's working
// state (the event list holds about one pending event per open case).
constexpr double kEventBytes = 24;
constexpr double kOfficerStateBytes = sizeof(model::Officer) + sizeof(model::OfficerLife) + 64;
// The records a replication holds: the record windows' blocks at least
// (sim::RecordWindow), and about this many bytes of them an open case once a
// run is large.
using TaskWindow = sim::RecordWindow<model::Task>;
constexpr double kRecordBytesPerCase = 64;

} // namespace

RunEstimate estimate_run(const model::Scenario& s, int replications, int threads) {
  RunEstimate e;
  const double horizon = s.horizon_days;
  const double years = horizon / kDaysPerYear;
  const double demand = peak_demand(s);
  const bool steady = s.initial_state == model::InitialState::steady_state;
  double in_post = 0.0, establishment = 0.0, court_reports = 0.0, arrivals = 0.0, risk_changes = 0.0,
         victims = 0.0;
  for (const auto& ldu : s.ldus) {
    for (const auto& g : ldu.staff) in_post += g.in_post, establishment += g.establishment;
    court_reports += ldu.court_reports_per_week * demand * horizon / model::kDaysPerWeek;
    for (int t = 0; t < model::kCaseTypeCount; ++t) {
      const double per_day = ldu.arrivals_per_week[static_cast<std::size_t>(t)] / model::kDaysPerWeek * demand;
      if (per_day <= 0.0) continue;
      const auto type = static_cast<model::CaseType>(t);
      const double days = case_days(s, type);
      const double held = per_day * days; // Little's law
      e.cases_held += held;
      const double created = per_day * horizon + (steady ? held : 0.0);
      arrivals += created;
      const auto& p = s.case_types[static_cast<std::size_t>(t)];
      double rate = 0.0;
      for (int level = 0; level < model::kProtectLevelCount; ++level)
        rate = std::max(rate, p.escalations_per_year[static_cast<std::size_t>(level)] +
                                  p.deescalations_per_year[static_cast<std::size_t>(level)]);
      // Each case lives at most the run: changes while it is open.
      risk_changes += created * rate * std::min(days, horizon) / kDaysPerYear;
      victims += created * p.victim_probability;
    }
  }
  e.cases_created = arrivals;
  double staff_events = 0.0, joiners = 0.0;
  if (s.staffing) {
    const auto& p = *s.staffing;
    double leave = 0.0;
    for (const double rate : p.leavers_per_year) leave = std::max(leave, rate);
    joiners = establishment * leave * years;
    staff_events = (in_post + joiners) * (p.short_sickness_per_year + p.long_sickness_per_year) * years * 3.0;
  }
  e.officers = std::max(in_post, establishment) + joiners;
  e.snapshots = std::floor(horizon / s.snapshot_every_days) + 1.0;
  // Court reports, parole reports, reviews and victim contacts (about four a victim case).
  e.tasks = court_reports + risk_changes + victims * 4.0 + arrivals * 0.1;
  // A case arrives, is allocated, changes phase and ends; each risk change is
  // an event and a review; each task is created and done; staff join, leave
  // and fall sick; each snapshot is one.
  e.events = arrivals * 4.0 + risk_changes * 3.0 + e.tasks * 2.0 + joiners * 3.0 + staff_events + e.snapshots;

  const double ldus = static_cast<double>(s.ldus.size());
  const double officer_series = e.snapshots * e.officers * kOfficerRowBytes;
  const double series =
      e.snapshots * ((ldus + 1.0) * model::kGradeCount * kCellBytes + (ldus + 1.0) * kImbalanceRowBytes);
  e.result_bytes = officer_series + series + e.tasks * sizeof(model::Task) + victims * sizeof(model::VictimCase) +
                   e.officers * sizeof(model::OfficerInfo);
  // Held while a replication runs: its working state, its cell and
  // imbalance series (its officer series go a snapshot at a time: to the
  // file with -o, a band of them gathered first; else dropped once the
  // cells are made), and of its task and victim records only those that may still change (a
  // few blocks of each kind at least; about 60 bytes an open case in large
  // runs: bench/README.md, "Memory"): the rest go to the file or the summary
  // as they become final (docs/architecture.md, "Records").
  const double open_records =
      std::max(static_cast<double>(TaskWindow::default_max_blocks * TaskWindow::block_records) *
                   static_cast<double>(sizeof(model::Task) + sizeof(model::VictimCase)),
               e.cases_held * kRecordBytesPerCase);
  const double officer_band =
      std::min(officer_series, static_cast<double>(model::kOfficerBandCells) * kOfficerRowBytes);
  const double finished = series + officer_band + e.officers * sizeof(model::OfficerInfo);
  const double working =
      e.cases_held * (sizeof(model::Case) + kEventBytes) + e.officers * kOfficerStateBytes + finished + open_records;
  // Each finished replication is handed on (to its figures, and with -o to
  // its part file, written while the next one runs: one a thread at most,
  // app::ClosingWriters) and dropped: at most twice as many replications as
  // threads are held, the finished ones without their records.
  const int at_once = std::max(1, std::min(threads, replications));
  e.memory_bytes = at_once * (working + finished);
  e.output_bytes = replications * e.result_bytes;
  // Deflate level 1 keeps about a quarter (Midlands: 7.3 MB written of 31 MB
  // estimated); a third is taken, so that a run is not refused for want of
  // space it would not use.
  e.compressed_output_bytes = e.output_bytes / 3.0;
  return e;
}

std::string describe_bytes(double bytes) {
  if (!std::isfinite(bytes)) return "without bound";
  if (bytes >= 1e9) return fmt::format("{:.3g} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.3g} MB", bytes / 1e6);
  return fmt::format("{:.3g} kB", bytes / 1e3);
}

std::optional<std::string> over_limits(const RunEstimate& e, const RunLimits& limits) {
  // NaN and inf (a rate of 1e300 times a duration) count as over.
  if (!(e.events <= limits.max_events))
    return fmt::format("about {:.3g} events per replication, over the limit of {:.3g} (--max-events)", e.events,
                       limits.max_events);
  if (!(e.memory_bytes <= limits.max_memory_bytes))
    return fmt::format("about {} of memory at its peak, over the limit of {} (--max-memory)",
                       describe_bytes(e.memory_bytes), describe_bytes(limits.max_memory_bytes));
  const double output = limits.compressed ? e.compressed_output_bytes : e.output_bytes;
  if (limits.max_output_bytes > 0.0 && !(output <= limits.max_output_bytes))
    return fmt::format("an output file of about {}, over the limit of {} (--max-output; by default half the free "
                       "space where it goes, as the replications' parts and the file stand side by side while it is "
                       "written)",
                       describe_bytes(output), describe_bytes(limits.max_output_bytes));
  return std::nullopt;
}

} // namespace caseload::app
