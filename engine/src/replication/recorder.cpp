#include "caseload/replication/recorder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

namespace caseload::replication {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kExcessiveDays = 28.0; // over 110% for 4 consecutive weeks (docs/model.md, "Metrics")

// Appends an ascending run to an ascending vector, keeping it ascending: the
// officers' capacity % is sorted once per cell, then merged for LDU and division.
void merge_sorted(std::vector<double>& into, std::span<const double> run) {
  const auto middle = static_cast<std::ptrdiff_t>(into.size());
  into.insert(into.end(), run.begin(), run.end());
  std::inplace_merge(into.begin(), into.begin() + middle, into.end());
}

// `values`, ascending runs one after another, each ending at `ends` (the
// last at values.size()), merged into one ascending run: pairs of runs in
// turn, through `scratch`, so O(n log runs) without allocating once the
// buffers have grown (merging each run into the whole as it came was
// O(n × runs): the national division merged ~100 LDUs a snapshot).
void merge_runs(std::vector<double>& values, std::vector<std::size_t>& ends, std::vector<double>& scratch) {
  while (ends.size() > 1) {
    scratch.resize(values.size());
    std::size_t begin = 0, kept = 0;
    for (std::size_t i = 0; i < ends.size(); i += 2) {
      const std::size_t middle = ends[i], end = i + 1 < ends.size() ? ends[i + 1] : middle;
      std::merge(values.begin() + static_cast<std::ptrdiff_t>(begin), values.begin() + static_cast<std::ptrdiff_t>(middle),
                 values.begin() + static_cast<std::ptrdiff_t>(middle), values.begin() + static_cast<std::ptrdiff_t>(end),
                 scratch.begin() + static_cast<std::ptrdiff_t>(begin));
      ends[kept++] = end;
      begin = end;
    }
    ends.resize(kept);
    values.swap(scratch);
  }
}

} // namespace

void Recorder::reserve() {
  const std::size_t snapshots = snapshot_count(s_.scenario);
  snapshots_.time_days.reserve(snapshots);
  expected_snapshots_ = snapshots;
}

bool Recorder::sink_takes_officer_rows() const {
  return s_.record_sink != nullptr && s_.record_sink->officer_rows() != nullptr;
}

bool Recorder::hands_on_officer_rows() const { return !keep_officer_series_ || sink_takes_officer_rows(); }

void Recorder::reserve_officer_series() {
  // At the first snapshot, once the sink is known: rows dropped leave one
  // held at a time; a sink's are held where it keeps them.
  if (sink_takes_officer_rows()) return;
  const std::size_t rows = hands_on_officer_rows() ? 1 : expected_snapshots_;
  const std::size_t cells = rows * s_.officers.size() * 11 / 10;
  for_each_column(snapshots_.officer, [&](auto& column) { column.values.reserve(cells); });
}

void Recorder::record_officers(OfficerSeries& s, bool whole_row) {
  const double every = s_.scenario.snapshot_every_days;
  over_110_days_.resize(s_.officers.size(), 0.0);
  for (std::uint32_t i = 0; i < s_.officers.size(); ++i) {
    const Officer& o = s_.officers[i];
    const OfficerLife& life = s_.lives[i];
    const bool counts = o.has_capacity();
    over_110_days_[i] = counts && o.capacity_percent() > 110.0 ? over_110_days_[i] + every : 0.0;
    const double backlog = life.tasks.empty() ? 0.0 : s_.backlog_hours(i);
    s.hours_demanded.push_back(s_.load_hours(i) + backlog);
    s.backlog_hours.push_back(backlog);
    if (!whole_row) continue;
    s.cases.push_back(o.cases);
    s.points.push_back(o.points);
    s.capacity_percent.push_back(counts ? o.capacity_percent() : kNaN);
    s.available_points.push_back(o.available_points);
    s.victim_cases.push_back(life.victim_cases);
    s.task_hours.push_back(life.working_on == kNone ? 0.0 : life.rate * kDaysPerWeek);
    s.state.push_back(static_cast<std::int8_t>(o.state));
    s.grade.push_back(static_cast<std::int8_t>(o.grade));
  }
}

double Recorder::on_snapshot(double now) {
  Snapshots& s = snapshots_;
  if (s.time_days.empty()) reserve_officer_series();
  s.time_days.push_back(now);
  snapshot_officers_.push_back(s_.officers.size());
  // The sink's columns, if it gathers the rows: appended in place, not copied.
  OfficerSeries& rows = sink_takes_officer_rows() ? *s_.record_sink->officer_rows() : s.officer;
  // A row dropped once the cells are made needs only the columns they sum.
  record_officers(rows, !hands_on_officer_rows() || sink_takes_officer_rows());
  // This snapshot's officer rows, already computed: the cells sum them.
  const std::size_t row = rows.backlog_hours.values.size() - s_.officers.size();
  auto excessive = [&](std::uint32_t o) { return over_110_days_[o] >= kExcessiveDays - 1e-9; };

  std::vector<double>& values = scratch_;         // one LDU's capacity %
  std::vector<double>& all_values = scratch_all_; // the division's: the LDUs' runs, then merged
  std::vector<std::size_t>& all_ends = scratch_ends_;
  values.clear();
  all_values.clear();
  all_ends.clear();
  std::array<CellTotals, kGradeCount> division_cells;
  std::array<stats::TheilSums, kGradeCount> ldu_theil;
  std::vector<stats::TheilSums> ldu_totals(s_.rosters.size());
  std::int32_t division_excessive = 0;
  for (std::uint32_t l = 0; l < s_.rosters.size(); ++l) {
    s.unallocated.push_back(static_cast<std::int32_t>(s_.queues[l].size()));
    std::int32_t ldu_excessive = 0;
    for (int g = 0; g < kGradeCount; ++g) {
      CellTotals cell;
      const auto& ids = s_.rosters[l].by_grade[g];
      cell.in_post = static_cast<std::int32_t>(ids.size());
      cell.establishment = s_.establishment[l][g];
      for (std::uint32_t o : ids) {
        const Officer& officer = s_.officers[o];
        cell.case_holders += officer.takes_cases();
        cell.cases += officer.cases;
        cell.points += officer.points;
        cell.victim_cases += s_.lives[o].victim_cases;
        cell.hours_demanded += rows.hours_demanded[row + o];
        cell.backlog_hours += rows.backlog_hours[row + o];
        if (officer.has_capacity()) {
          const double pct = officer.capacity_percent();
          cell.capacity.push_back(pct);
          cell.theil.add(pct);
          cell.excessive += excessive(o);
        }
      }
      ldu_excessive += cell.excessive;
      ldu_theil[g] = cell.theil;
      cell.append_to(s.ldu_grade); // sorts the cell's capacity %
      merge_sorted(values, cell.capacity);
      division_cells[g].add(cell);
    }
    const stats::TheilParts by_grade = stats::theil(ldu_theil);
    const stats::TheilParts no_ldu_split{by_grade.total, kNaN, kNaN};
    s.ldu.append(stats::imbalance_of_sorted(values), no_ldu_split, by_grade, ldu_excessive);
    division_excessive += ldu_excessive;
    for (const auto& t : ldu_theil) ldu_totals[l] += t;
    all_values.insert(all_values.end(), values.begin(), values.end());
    all_ends.push_back(all_values.size());
    values.clear();
  }
  merge_runs(all_values, all_ends, scratch_merge_);
  std::array<stats::TheilSums, kGradeCount> grade_theil;
  for (int g = 0; g < kGradeCount; ++g) grade_theil[g] = division_cells[g].theil;
  for (CellTotals& cell : division_cells) cell.append_to(s.division_grade);
  s.division.append(stats::imbalance_of_sorted(all_values), stats::theil(ldu_totals), stats::theil(grade_theil),
                    division_excessive);
  if (sink_takes_officer_rows()) s_.record_sink->officer_row_added(now);
  else if (hands_on_officer_rows()) for_each_column(s.officer, [](auto& column) { column.values.clear(); });
  return now + s_.scenario.snapshot_every_days;
}

ReplicationResult Recorder::finish(SharedState& state, std::uint64_t events_processed,
                                   std::uint64_t other_state_bytes) {
  const double horizon = state.scenario.horizon_days;
  ReplicationResult result;
  result.events = events_processed;
  result.peak_open_cases = state.peak_open_cases;
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  // The task and victim records held (those not yet final, and the rest of
  // their blocks) are counted apart, at their peak.
  result.state_bytes = bytes(state.cases) + bytes(state.officers) +
                       bytes(state.lives) + state.events.capacity_bytes() + other_state_bytes;
  result.log_bytes = state.tasks.peak_bytes() + state.victims.peak_bytes() + state.task_tally.peak_bytes();
  for (const auto& q : state.queues) result.state_bytes += q.capacity_bytes();
  for (const auto& free : state.free_cases) result.state_bytes += bytes(free);
  for (const auto& life : state.lives) result.state_bytes += bytes(life.tasks) + bytes(life.victims_held);
  for (const auto& waiting : state.unassigned_tasks) result.state_bytes += bytes(waiting);
  for (const auto& waiting : state.unassigned_victims) result.state_bytes += bytes(waiting);
  result.officers.reserve(state.officers.size());
  for (std::uint32_t i = 0; i < state.officers.size(); ++i) {
    const Officer& o = state.officers[i];
    const OfficerLife& life = state.lives[i];
    result.officers.push_back(
        OfficerInfo{o.ldu, o.grade, life.first_grade, o.contracted_hours, o.available_points, life.joined, life.left});
  }
  for (std::uint32_t l = 0; l < state.flows.size(); ++l) {
    FlowSummary& f = state.flows[l];
    f.mean_held = state.held[l].mean(horizon);
    f.mean_waiting = state.waiting[l].mean(horizon);
    f.held_at_end = static_cast<std::int64_t>(std::llround(state.held[l].value()));
    f.waiting_at_end = static_cast<std::int64_t>(state.queues[l].size());
    result.division_flow += f;
  }
  result.ldu_flows = state.flows;

  // The records still held go out (to the summary and the sink), in id order after those released.
  state.release_all_records();
  const std::size_t ldu_count = state.ldu_count();
  result.task_summary = state.task_tally.summary();
  result.task_summary.resize(ldu_count + 1);
  for (std::size_t l = 0; l < ldu_count; ++l)
    for (int k = 0; k < kTaskKindCount; ++k) result.task_summary[ldu_count][k] += result.task_summary[l][k];

  if (!hands_on_officer_rows()) // else the sink had every row, or none was kept
    for_each_column(snapshots_.officer,
                    [&](auto& column) {
                      using T = typename std::decay_t<decltype(column.values)>::value_type;
                      column.values = padded_rows(std::span<const T>(column.values),
                                                  std::span<const std::size_t>(snapshot_officers_),
                                                  state.officers.size(), column.fill);
                    });
  result.snapshots = std::move(snapshots_);
  return result;
}

} // namespace caseload::replication
