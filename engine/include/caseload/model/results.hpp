#pragma once
// What one replication produces: weekly snapshots, flow and timeliness
// statistics, and the records of tasks and victim cases.

#include "caseload/stats/inequality.hpp"
#include "caseload/stats/theil.hpp"
#include "caseload/model/domain.hpp"
#include "caseload/model/state.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace caseload::model {

enum class ReallocationCause : std::uint8_t { leaver, absence, escalation, intervention };
inline constexpr int kReallocationCauseCount = 4;
inline constexpr std::array<std::string_view, kReallocationCauseCount> kReallocationCauseNames{
    "leaver", "absence", "escalation", "intervention"};

// Flows and exact time averages over the statistics window [warm-up, horizon],
// plus whole-run totals for the conservation check.
struct FlowSummary {
  // window
  std::int64_t arrivals = 0;
  std::int64_t allocations = 0; // of cases that arrived in the window
  std::int64_t closures = 0;
  std::int64_t waited = 0;      // window arrivals not allocated on arrival
  double total_wait_days = 0.0; // over window arrivals since allocated
  double mean_held = 0.0;       // time-averaged cases held by officers
  double mean_waiting = 0.0;    // time-averaged unallocated cases
  std::int64_t overflow_allocations = 0; // placed with a neighbour LDU's officer
  std::array<std::int64_t, kReallocationCauseCount> reallocations{};
  std::int64_t closed_reallocated = 0; // window closures of cases reallocated at least once
  std::int64_t escalations = 0;
  std::int64_t deescalations = 0;
  std::int64_t victim_cases = 0;       // created in the window
  // whole run
  std::int64_t initial_cases = 0;
  std::int64_t total_arrivals = 0;
  std::int64_t total_closures = 0;
  std::int64_t held_at_end = 0;
  std::int64_t waiting_at_end = 0;

  [[nodiscard]] double mean_wait_days() const {
    return allocations > 0 ? total_wait_days / static_cast<double>(allocations) : 0.0;
  }
  [[nodiscard]] double share_waited() const {
    return arrivals > 0 ? static_cast<double>(waited) / static_cast<double>(arrivals) : 0.0;
  }
  [[nodiscard]] std::int64_t total_reallocations() const {
    std::int64_t n = 0;
    for (auto r : reallocations) n += r;
    return n;
  }
  FlowSummary& operator+=(const FlowSummary& o);
};

// Timeliness of one kind of task over the statistics window: tasks created in
// the window, judged on time if done by their deadline.
struct TaskSummary {
  std::int64_t created = 0;
  std::int64_t completed = 0;
  std::int64_t due = 0;          // deadline inside the window
  std::int64_t on_time = 0;      // of those due, done by the deadline
  double total_days = 0.0;       // creation to completion, over completed
  std::int64_t open_at_end = 0;  // whole run: created and not completed
  std::int64_t total_created = 0;
  std::int64_t total_completed = 0;

  [[nodiscard]] double share_on_time() const {
    return due > 0 ? static_cast<double>(on_time) / static_cast<double>(due)
                   : std::numeric_limits<double>::quiet_NaN();
  }
  [[nodiscard]] double mean_days() const {
    return completed > 0 ? total_days / static_cast<double>(completed) : 0.0;
  }
  TaskSummary& operator+=(const TaskSummary& o);
};

// Figures per (LDU, grade) cell; arrays laid out [snapshot][ldu][grade].
struct GroupSeries {
  std::vector<std::int32_t> officers, cases, points, in_post, establishment, excessive, victim_cases;
  std::vector<double> mean, median, p90, max, share_over_100, share_over_110, share_over_120,
      hours_demanded, backlog_hours;
};

// The officers of one cell (an LDU × grade, or a grade division-wide) at a snapshot.
struct CellTotals {
  std::int32_t cases = 0, points = 0, in_post = 0, establishment = 0, excessive = 0, victim_cases = 0;
  double hours_demanded = 0.0, backlog_hours = 0.0;
  std::vector<double> capacity; // of those holding a caseload
  stats::TheilSums theil;     // of the same
  void add(const CellTotals& o);
  void append_to(GroupSeries& series); // sorts `capacity`
};

struct ImbalanceSeries {
  std::vector<double> gini, cv, max_over_median, share_over_100, share_over_110, theil,
      theil_between_ldu, theil_within_ldu, theil_between_grade, theil_within_grade;
  std::vector<std::int32_t> excessive; // officers over 110% for 4 consecutive weeks
  void append(const stats::Imbalance& m, const stats::TheilParts& by_ldu,
              const stats::TheilParts& by_grade, std::int32_t excessive_officers);
};

struct Snapshots {
  std::vector<double> time_days;
  // [snapshot][officer] once finished (officers who join later are padded:
  // -1 for counts, NaN for figures); capacity is NaN for staff without a caseload
  std::vector<std::int32_t> officer_cases;
  std::vector<std::int32_t> officer_points;
  std::vector<double> officer_capacity_percent;
  std::vector<double> officer_available_points; // after reductions; 0 while absent or gone
  std::vector<double> officer_hours_demanded; // hours a week of cases held + open task hours
  std::vector<double> officer_backlog_hours;
  std::vector<std::int32_t> officer_victim_cases;
  std::vector<std::int8_t> officer_state; // 0 in post, 1 absent, 2 left, -1 not yet joined
  std::vector<std::int8_t> officer_grade; // grade code at the snapshot (trainees qualify), -1 not yet joined
  std::vector<std::int32_t> unallocated; // [snapshot][ldu]
  GroupSeries ldu_grade;                 // [snapshot][ldu][grade]
  GroupSeries division_grade;            // [snapshot][grade]
  ImbalanceSeries division;              // [snapshot]
  ImbalanceSeries ldu;                   // [snapshot][ldu]
  [[nodiscard]] std::size_t count() const { return time_days.size(); }
};

struct OfficerInfo {
  std::uint32_t ldu = 0;
  Grade grade = Grade::PO;       // at the end
  Grade first_grade = Grade::PO; // on joining
  double contracted_hours = 0.0;
  double available_points = 0.0; // at the end (0 when absent or gone)
  double joined_day = 0.0;
  double left_day = -1.0;
};

struct ReplicationResult {
  std::vector<OfficerInfo> officers;
  Snapshots snapshots;
  std::vector<FlowSummary> ldu_flows;
  FlowSummary division_flow;
  // [ldu or division (last)][task kind]
  std::vector<std::array<TaskSummary, kTaskKindCount>> task_summary;
  std::vector<Task> tasks;
  std::vector<VictimCase> victims;
  std::uint64_t events = 0;
  // Diagnostics for benchmarks: the most cases open at once, and the bytes of
  // model state (cases, officers, tasks, events; not the recorded output) then.
  std::uint64_t peak_open_cases = 0;
  std::uint64_t state_bytes = 0;
  std::uint64_t log_bytes = 0; // task and victim records
};

} // namespace caseload::model
