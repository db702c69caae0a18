#pragma once
// What one replication produces: weekly snapshots, flow and timeliness
// statistics, and the records of tasks and victim cases.

#include "caseload/stats/inequality.hpp"
#include "caseload/stats/theil.hpp"
#include "caseload/model/domain.hpp"
#include "caseload/model/state.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <limits>
#include <string_view>
#include <tuple>
#include <span>
#include <vector>

namespace caseload::model {

enum class ReallocationCause : std::uint8_t { leaver, absence, escalation, intervention, step_down, duty_change };
inline constexpr int kReallocationCauseCount = 6;
inline constexpr std::array<std::string_view, kReallocationCauseCount> kReallocationCauseNames{
    "leaver", "absence", "escalation", "intervention", "step_down", "duty_change"};

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

  // Undefined (NaN) when no arrival was allocated: not 0 days while every case waits.
  [[nodiscard]] double mean_wait_days() const {
    return allocations > 0 ? total_wait_days / static_cast<double>(allocations)
                           : std::numeric_limits<double>::quiet_NaN();
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

// One series of snapshot values, declared once with its name in the results
// file, its units and the value that pads it (docs/architecture.md, "A new
// series"). The output writer, the padding and the Python reader iterate over
// a table's columns(), so a new series is its declaration here and the line
// that fills it.
template <class T> struct Column {
  std::string_view name;
  std::string_view units;
  T fill; // for an officer not yet joined
  std::vector<T> values;
  void push_back(T v) { values.push_back(v); }
  [[nodiscard]] T operator[](std::size_t i) const { return values[i]; }
};

// Calls f on each column of a series table, in its declared order.
template <class Table, class F> void for_each_column(Table& table, F&& f) {
  std::apply([&](auto&... column) { (f(column), ...); }, table.columns());
}

inline constexpr double kNaNFill = std::numeric_limits<double>::quiet_NaN();

// Rows of `values` one after another, row i `widths[i]` long, as rows all
// `width` long, each padded with `fill` (an officer series' rows, taken as
// officers joined, to the officers at the end).
template <class T>
void padded_rows(std::span<const T> values, std::span<const std::size_t> widths, std::size_t width, T fill,
                 std::vector<T>& out) {
  out.clear();
  out.reserve(widths.size() * width);
  std::size_t at = 0;
  for (const std::size_t w : widths) {
    out.insert(out.end(), values.begin() + static_cast<std::ptrdiff_t>(at),
               values.begin() + static_cast<std::ptrdiff_t>(at + w));
    out.insert(out.end(), width - w, fill);
    at += w;
  }
}
template <class T>
std::vector<T> padded_rows(std::span<const T> values, std::span<const std::size_t> widths, std::size_t width, T fill) {
  std::vector<T> out;
  padded_rows(values, widths, width, fill, out);
  return out;
}

// Figures per (LDU, grade) cell; arrays laid out [snapshot][ldu][grade].
struct GroupSeries {
  Column<std::int32_t> officers{"officers", "officers", -1, {}}; // holding a WMT caseload
  Column<std::int32_t> in_post{"in_post", "officers", -1, {}};
  Column<std::int32_t> case_holders{"case_holders", "officers", -1, {}}; // on caseload duty, in post or absent
  Column<std::int32_t> establishment{"establishment", "posts", -1, {}};
  Column<std::int32_t> cases{"cases", "cases", -1, {}};
  Column<std::int32_t> points{"points", "WMT points", -1, {}};
  Column<std::int32_t> victim_cases{"victim_cases", "victim cases", -1, {}};
  Column<std::int32_t> excessive{"excessive", "officers", -1, {}}; // over 110% for 4 weeks running
  Column<double> mean{"mean", "percent", kNaNFill, {}};
  Column<double> median{"median", "percent", kNaNFill, {}};
  Column<double> p90{"p90", "percent", kNaNFill, {}};
  Column<double> max{"max", "percent", kNaNFill, {}};
  Column<double> share_over_100{"share_over_100", "fraction of officers", kNaNFill, {}};
  Column<double> share_over_110{"share_over_110", "fraction of officers", kNaNFill, {}};
  Column<double> share_over_120{"share_over_120", "fraction of officers", kNaNFill, {}};
  Column<double> hours_demanded{"hours_demanded", "hours per officer", kNaNFill, {}};
  Column<double> backlog_hours{"backlog_hours", "hours", kNaNFill, {}};
  // The columns in the order they are written.
  template <class Self> static auto columns_of(Self& s) {
    return std::tie(s.officers, s.in_post, s.case_holders, s.establishment, s.cases, s.points, s.victim_cases, s.excessive, s.mean, s.median, s.p90, s.max, s.share_over_100, s.share_over_110, s.share_over_120, s.hours_demanded, s.backlog_hours);
  }
  auto columns() { return columns_of(*this); }
  auto columns() const { return columns_of(*this); }
};

// The officers of one cell (an LDU × grade, or a grade division-wide) at a snapshot.
struct CellTotals {
  std::int32_t cases = 0, points = 0, in_post = 0, case_holders = 0, establishment = 0, excessive = 0,
               victim_cases = 0;
  double hours_demanded = 0.0, backlog_hours = 0.0;
  std::vector<double> capacity; // of those with WMT capacity
  stats::TheilSums theil;       // of the same
  void add(const CellTotals& o);
  void append_to(GroupSeries& series); // sorts `capacity`
};

// Imbalance of capacity % across officers; [snapshot] for the division,
// [snapshot][ldu] per LDU (where the between/within-LDU split is NaN).
struct ImbalanceSeries {
  Column<double> gini{"gini", "", kNaNFill, {}};
  Column<double> cv{"cv", "", kNaNFill, {}};
  Column<double> max_over_median{"max_over_median", "", kNaNFill, {}};
  Column<double> share_over_100{"share_over_100", "fraction of officers", kNaNFill, {}};
  Column<double> share_over_110{"share_over_110", "fraction of officers", kNaNFill, {}};
  Column<double> theil{"theil", "", kNaNFill, {}};
  Column<double> theil_between_ldu{"theil_between_ldu", "", kNaNFill, {}};
  Column<double> theil_within_ldu{"theil_within_ldu", "", kNaNFill, {}};
  Column<double> theil_between_grade{"theil_between_grade", "", kNaNFill, {}};
  Column<double> theil_within_grade{"theil_within_grade", "", kNaNFill, {}};
  Column<std::int32_t> excessive{"excessive", "officers", -1, {}}; // over 110% for 4 consecutive weeks
  // The columns in the order they are written.
  template <class Self> static auto columns_of(Self& s) {
    return std::tie(s.gini, s.cv, s.max_over_median, s.share_over_100, s.share_over_110, s.theil, s.theil_between_ldu, s.theil_within_ldu, s.theil_between_grade, s.theil_within_grade, s.excessive);
  }
  auto columns() { return columns_of(*this); }
  auto columns() const { return columns_of(*this); }
  void append(const stats::Imbalance& m, const stats::TheilParts& by_ldu, const stats::TheilParts& by_grade,
              std::int32_t excessive_officers);
};

// A results file takes the officer series a band of snapshots at a time, a
// band (the file's chunk of them) this many cells of each column: what a
// replication holds of them while it runs (io's OfficerSeriesFile; the run's
// memory budget, app::estimate_run).
inline constexpr std::size_t kOfficerBandCells = 16384;

// One value per officer per snapshot, laid out [snapshot][officer]. While
// recording, each snapshot holds the officers who had joined by then; at the
// end every row is padded to all officers with the column's fill value.
struct OfficerSeries {
  Column<std::int32_t> cases{"officer_cases", "cases", -1, {}};
  Column<std::int32_t> points{"officer_points", "WMT points", -1, {}};
  Column<double> capacity_percent{"officer_capacity_percent", "percent", kNaNFill, {}}; // NaN without WMT capacity
  Column<double> available_points{"officer_available_points", "WMT points", kNaNFill, {}}; // 0 while absent or gone
  Column<double> hours_demanded{"officer_hours_demanded", "hours", kNaNFill, {}}; // a week of cases + open task hours
  Column<double> backlog_hours{"officer_backlog_hours", "hours", kNaNFill, {}};
  Column<std::int32_t> victim_cases{"officer_victim_cases", "victim cases", -1, {}};
  Column<double> task_hours{"officer_task_hours", "hours per week", kNaNFill, {}}; // the rate tasks are worked at
  Column<std::int8_t> state{"officer_state", "", -1, {}}; // 0 in post, 1 absent, 2 left, -1 not yet joined
  Column<std::int8_t> grade{"officer_grade", "", -1, {}}; // grade code then (trainees qualify)
  // The columns in the order they are written.
  template <class Self> static auto columns_of(Self& s) {
    return std::tie(s.cases, s.points, s.capacity_percent, s.available_points, s.hours_demanded, s.backlog_hours, s.victim_cases, s.task_hours, s.state, s.grade);
  }
  auto columns() { return columns_of(*this); }
  auto columns() const { return columns_of(*this); }
};

struct Snapshots {
  std::vector<double> time_days;
  OfficerSeries officer;                 // [snapshot][officer]
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

// Where a replication's task and victim records go as the engine lets them
// go: each record in id order, in spans of consecutive records (a block at a
// time), once it is final (a task completed; a victim case ended, its
// contacts done) or, at the end, as it is then. A record that stays open long
// goes with its block before it is final and comes again, once, in its final
// state (or its state at the end) through task_final / victim_final. The
// engine holds only records that may still change; without a sink, released
// ones are dropped once summarised. The output writer's sink appends them to
// the replication's part file.
struct RecordSink {
  virtual ~RecordSink() = default;
  virtual void tasks(std::span<const Task> records) = 0;
  virtual void victims(std::span<const VictimCase> records) = 0;
  virtual void task_final(std::uint32_t id, const Task& record) = 0;
  virtual void victim_final(std::uint32_t id, const VictimCase& record) = 0;
  // Where the sink gathers the officer series a snapshot at a time, so that
  // the result does not hold it (ReplicationResult::snapshots.officer then
  // comes back empty); null if it takes none. The Recorder appends each
  // snapshot's row to these columns, in place (the values of officers
  // [0, n) then; n never falls; officers who join later are the file's fill
  // values), then calls officer_row_added; it asks again at each snapshot,
  // as the sink may have handed the rows gathered on and begun afresh.
  [[nodiscard]] virtual OfficerSeries* officer_rows() { return nullptr; }
  virtual void officer_row_added(double time) { (void)time; }
};

// A sink that keeps every record in memory (tests, the writer of a whole file).
struct RecordCollector final : RecordSink {
  std::vector<Task> task_records;
  std::vector<VictimCase> victim_records;
  void tasks(std::span<const Task> records) override {
    task_records.insert(task_records.end(), records.begin(), records.end());
  }
  void victims(std::span<const VictimCase> records) override {
    victim_records.insert(victim_records.end(), records.begin(), records.end());
  }
  void task_final(std::uint32_t id, const Task& record) override { task_records.at(id) = record; }
  void victim_final(std::uint32_t id, const VictimCase& record) override { victim_records.at(id) = record; }
};

// The timeliness summary of tasks ([LDU][task kind]), each task added once
// final (or at the end), and the days to complete them summed in id order,
// whatever order they become final in, so that the sums are those of a pass
// over every record (bit for bit).
class TaskTally {
public:
  TaskTally(std::size_t ldu_count, double horizon) : buckets_(ldu_count), horizon_(horizon) {}
  // A task settled (final, or the run ended), in id order among the tasks not held.
  void settle(const Task& t);
  // A task not final handed on in id order: its place in the sums is kept.
  void hold(std::uint32_t id, const Task& t);
  // A task held before, now settled.
  void settle_held(std::uint32_t id, const Task& t);
  [[nodiscard]] std::vector<std::array<TaskSummary, kTaskKindCount>> summary() const;
  [[nodiscard]] std::size_t peak_bytes() const { return peak_bytes_; }

private:
  struct Bucket {
    TaskSummary summary;
    std::deque<double> pending; // days to add after a held task's: NaN until settled, -1 nothing
    std::uint64_t popped = 0;   // entries added from `pending` so far
  };
  Bucket& bucket(const Task& t) { return buckets_[t.ldu][static_cast<int>(t.kind)]; }
  void count(const Task& t);
  void add_days(Bucket& b, double days);
  void drain(Bucket& b);
  void note_peak();
  std::vector<std::array<Bucket, kTaskKindCount>> buckets_;
  std::unordered_map<std::uint32_t, std::uint64_t> held_; // id -> its place in its bucket's order
  double horizon_;
  std::size_t pending_ = 0;
  std::size_t peak_bytes_ = 0;
};

struct ReplicationResult {
  std::vector<OfficerInfo> officers;
  Snapshots snapshots;
  std::vector<FlowSummary> ldu_flows;
  FlowSummary division_flow;
  // [ldu or division (last)][task kind]
  std::vector<std::array<TaskSummary, kTaskKindCount>> task_summary;
  // Every task and victim record, in id order: only from runs that keep them
  // (replication::run_keeping_records); otherwise they went to a RecordSink.
  std::vector<Task> tasks;
  std::vector<VictimCase> victims;
  std::uint64_t events = 0;
  // Diagnostics for benchmarks: the most cases open at once, and the bytes of
  // model state (cases, officers, tasks in hand, events; not the recorded
  // output) at the end of the run.
  std::uint64_t peak_open_cases = 0;
  std::uint64_t state_bytes = 0;
  // The most bytes of task and victim records held at once (the records not
  // yet released, in their blocks; not what a sink keeps).
  std::uint64_t log_bytes = 0;
  double mean_pending_events = 0.0; // events in the event list, averaged over the events processed
};

} // namespace caseload::model
