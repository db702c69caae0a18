// Weekly snapshots and the end-of-run results.

#include "caseload/model/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <limits>

namespace caseload::model {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kExcessiveDays = 28.0; // over 110% for 4 consecutive weeks (DESIGN.md §2)

// Pads a [snapshot][officers then] series to [snapshot][officers at the end].
template <class T>
std::vector<T> pad(const std::vector<T>& ragged, const std::vector<std::size_t>& widths,
                   std::size_t width, T fill) {
  std::vector<T> out;
  out.reserve(widths.size() * width);
  std::size_t at = 0;
  for (std::size_t w : widths) {
    out.insert(out.end(), ragged.begin() + static_cast<std::ptrdiff_t>(at),
               ragged.begin() + static_cast<std::ptrdiff_t>(at + w));
    out.insert(out.end(), width - w, fill);
    at += w;
  }
  return out;
}

// Appends an ascending run to an ascending vector, keeping it ascending: the
// officers' capacity % is sorted once per cell, then merged for LDU and division.
void merge_sorted(std::vector<double>& into, std::span<const double> run) {
  const auto middle = static_cast<std::ptrdiff_t>(into.size());
  into.insert(into.end(), run.begin(), run.end());
  std::inplace_merge(into.begin(), into.begin() + middle, into.end());
}

} // namespace

void ImbalanceSeries::append(const stats::Imbalance& m, const stats::TheilParts& by_ldu,
                             const stats::TheilParts& by_grade, std::int32_t excessive_officers) {
  gini.push_back(m.gini);
  cv.push_back(m.cv);
  max_over_median.push_back(m.max_over_median);
  share_over_100.push_back(m.share_over_100);
  share_over_110.push_back(m.share_over_110);
  theil.push_back(by_grade.total);
  theil_between_ldu.push_back(by_ldu.between);
  theil_within_ldu.push_back(by_ldu.within);
  theil_between_grade.push_back(by_grade.between);
  theil_within_grade.push_back(by_grade.within);
  excessive.push_back(excessive_officers);
}

void Simulation::on_snapshot(double now) {
  Snapshots& s = snapshots_;
  s.time_days.push_back(now);
  snapshot_officers_.push_back(officers_.size());
  const double every = scenario_.snapshot_every_days;
  for (std::uint32_t i = 0; i < officers_.size(); ++i) {
    const Officer& o = officers_[i];
    OfficerLife& life = lives_[i];
    const bool holds = o.holds_caseload();
    life.over_110_days = holds && o.capacity_percent() > 110.0 ? life.over_110_days + every : 0.0;
    const double backlog = life.tasks.empty() ? 0.0 : backlog_hours(i);
    s.officer_cases.push_back(o.cases);
    s.officer_points.push_back(o.points);
    s.officer_capacity_percent.push_back(holds ? o.capacity_percent() : kNaN);
    s.officer_available_points.push_back(o.available_points);
    s.officer_hours_demanded.push_back(load_hours(i) + backlog);
    s.officer_backlog_hours.push_back(backlog);
    s.officer_victim_cases.push_back(life.victim_cases);
    s.officer_state.push_back(static_cast<std::int8_t>(o.state));
    s.officer_grade.push_back(static_cast<std::int8_t>(o.grade));
  }
  auto excessive = [&](std::uint32_t o) { return lives_[o].over_110_days >= kExcessiveDays - 1e-9; };

  std::vector<double>& values = scratch_;      // one LDU's capacity %
  std::vector<double>& all_values = scratch_all_; // the division's
  values.clear();
  all_values.clear();
  std::array<CellTotals, kGradeCount> division_cells;
  std::array<stats::TheilSums, kGradeCount> ldu_theil;
  std::vector<stats::TheilSums> ldu_totals(rosters_.size());
  std::int32_t division_excessive = 0;
  for (std::uint32_t l = 0; l < rosters_.size(); ++l) {
    s.unallocated.push_back(static_cast<std::int32_t>(queues_[l].size()));
    std::int32_t ldu_excessive = 0;
    for (int g = 0; g < kGradeCount; ++g) {
      CellTotals cell;
      const auto& ids = rosters_[l].by_grade[g];
      cell.in_post = static_cast<std::int32_t>(ids.size());
      cell.establishment = establishment_[l][g];
      for (std::uint32_t o : ids) {
        cell.cases += officers_[o].cases;
        cell.points += officers_[o].points;
        cell.victim_cases += lives_[o].victim_cases;
        const double b = lives_[o].tasks.empty() ? 0.0 : backlog_hours(o);
        cell.hours_demanded += load_hours(o) + b;
        cell.backlog_hours += b;
        if (officers_[o].holds_caseload()) {
          const double pct = officers_[o].capacity_percent();
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
    merge_sorted(all_values, values);
    values.clear();
  }
  std::array<stats::TheilSums, kGradeCount> grade_theil;
  for (int g = 0; g < kGradeCount; ++g) grade_theil[g] = division_cells[g].theil;
  for (CellTotals& cell : division_cells) cell.append_to(s.division_grade);
  s.division.append(stats::imbalance_of_sorted(all_values), stats::theil(ldu_totals), stats::theil(grade_theil),
                    division_excessive);

  const double next = now + every;
  if (next <= scenario_.horizon_days) events_.push(next, kSnapshot, 0);
}

ReplicationResult Simulation::finish() {
  const double horizon = scenario_.horizon_days;
  ReplicationResult result;
  result.events = processed_;
  result.peak_open_cases = peak_open_cases_;
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  // The task and victim records double as the output's logs: counted apart.
  result.state_bytes = bytes(cases_) + bytes(free_cases_) + bytes(officers_) + bytes(lives_) + bytes(hires_) +
                       events_.capacity_bytes();
  result.log_bytes = bytes(tasks_) + bytes(victims_);
  for (const auto& q : queues_) result.state_bytes += bytes(q);
  for (const auto& life : lives_) result.state_bytes += bytes(life.tasks);
  result.officers.reserve(officers_.size());
  for (std::uint32_t i = 0; i < officers_.size(); ++i) {
    const Officer& o = officers_[i];
    result.officers.push_back(OfficerInfo{o.ldu, o.grade, lives_[i].first_grade, o.contracted_hours,
                                          o.available_points, lives_[i].joined, lives_[i].left});
  }
  for (std::uint32_t l = 0; l < flows_.size(); ++l) {
    FlowSummary& f = flows_[l];
    f.mean_held = held_[l].mean(horizon);
    f.mean_waiting = waiting_[l].mean(horizon);
    f.held_at_end = static_cast<std::int64_t>(std::llround(held_[l].value()));
    f.waiting_at_end = static_cast<std::int64_t>(queues_[l].size());
    result.division_flow += f;
  }
  result.ldu_flows = flows_;

  const std::size_t ldu_count = scenario_.ldus.size();
  result.task_summary.resize(ldu_count + 1);
  for (const Task& t : tasks_) {
    TaskSummary& ts = result.task_summary[t.ldu][static_cast<int>(t.kind)];
    const bool done = t.completed >= 0.0;
    ++ts.total_created;
    if (done) ++ts.total_completed;
    else ++ts.open_at_end;
    if (!t.in_window) continue;
    ++ts.created;
    if (done) {
      ++ts.completed;
      ts.total_days += t.completed - t.created;
    }
    if (t.deadline <= horizon) {
      ++ts.due;
      if (done && t.completed <= t.deadline) ++ts.on_time;
    }
  }
  for (std::size_t l = 0; l < ldu_count; ++l)
    for (int k = 0; k < kTaskKindCount; ++k) result.task_summary[ldu_count][k] += result.task_summary[l][k];

  Snapshots& s = snapshots_;
  const std::size_t width = officers_.size();
  s.officer_cases = pad(s.officer_cases, snapshot_officers_, width, std::int32_t{-1});
  s.officer_points = pad(s.officer_points, snapshot_officers_, width, std::int32_t{-1});
  s.officer_capacity_percent = pad(s.officer_capacity_percent, snapshot_officers_, width, kNaN);
  s.officer_available_points = pad(s.officer_available_points, snapshot_officers_, width, kNaN);
  s.officer_hours_demanded = pad(s.officer_hours_demanded, snapshot_officers_, width, kNaN);
  s.officer_backlog_hours = pad(s.officer_backlog_hours, snapshot_officers_, width, kNaN);
  s.officer_victim_cases = pad(s.officer_victim_cases, snapshot_officers_, width, std::int32_t{-1});
  s.officer_state = pad(s.officer_state, snapshot_officers_, width, std::int8_t{-1});
  s.officer_grade = pad(s.officer_grade, snapshot_officers_, width, std::int8_t{-1});
  result.snapshots = std::move(s);
  result.tasks = std::move(tasks_);
  result.victims = std::move(victims_);
  return result;
}

} // namespace caseload::model
