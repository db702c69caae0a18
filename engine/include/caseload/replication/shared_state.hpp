#pragma once
// The state one replication's components share (docs/architecture.md): the
// scenario, the event list, the officers, cases, tasks and victim cases in
// contiguous arrays, and the flow statistics. Each component (case flow,
// workforce, task work, recorder) owns whatever else it needs; what two of
// them read or change lives here, as plain data.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"
#include "caseload/model/state.hpp"
#include "caseload/policy/allocation.hpp"
#include "caseload/sim/classed_fifo.hpp"
#include "caseload/sim/parted_event_queue.hpp"
#include "caseload/sim/record_window.hpp"
#include "caseload/sim/random.hpp"
#include "caseload/stats/time_average.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace caseload::replication {

// A replication is built on the model's vocabulary and data types.
using namespace caseload::model;

// Purposes of random streams (docs/model.md, "Randomness"). Each (seed,
// replication, purpose, index) has its own stream, so that e.g. staffing
// never shifts the arrivals (common random numbers).
enum class StreamPurpose : std::uint32_t {
  arrivals = 1,
  durations = 2,
  risk = 3,
  staffing = 4,
  sickness = 5,
  victims = 6,
  policy = 7,
  initial_state = 8,
  court = 9,
  recruitment = 10,
};

sim::StreamKey stream_key(std::uint64_t seed, std::uint32_t replication, StreamPurpose purpose,
                          std::uint32_t index, std::uint32_t sub = 0);

// What an event does; its id names the case, officer, LDU, flow, hire or
// intervention it is about. Events at equal times run in insertion order.
enum EventKind : std::uint32_t {
  kArrival, kRelease, kCaseEnd, kSnapshot, kWarmupEnd, kCourtReport, kTaskDone, kRiskChange,
  kParoleReport, kVictimOptOut, kStaffStep, kLeave, kHire, kAbsenceStart, kAbsenceEnd,
  kReallocateAbsent, kIntervention, kStepDown, kReportPointsEnd,
};

// An arrival flow is one (LDU, case type) pair.
constexpr std::uint32_t flow_index(std::uint32_t ldu, CaseType type) {
  return ldu * kCaseTypeCount + static_cast<std::uint32_t>(type);
}
constexpr std::uint32_t ldu_of_flow(std::uint32_t flow) { return flow / kCaseTypeCount; }
constexpr CaseType type_of_flow(std::uint32_t flow) { return CaseType(flow % kCaseTypeCount); }

// The time to the next event of a process with this rate: exponential, or
// exactly 1 / rate for the hand-checkable `regular` process.
double next_gap(ArrivalProcess process, double rate_per_day, sim::Engine& engine);

// After a rate is scaled from `before` to `factor`, the time left to a pending
// event of the process is scaled by before / factor. For an exponential gap
// (memoryless) that is exact, and it keeps the draw, so a variant stays paired
// with its base (common random numbers). The event already queued goes stale:
// its handler compares its time with `next`. A rate of 0 stops the process;
// one starting again draws afresh through `restart`.
template <class Restart>
void rescale_pending(double& next, double now, double before, double factor, sim::PartedEventQueue& events,
                     std::uint32_t ldu, EventKind kind, std::uint32_t id, Restart restart) {
  if (factor <= 0.0) {
    next = -1.0;
  } else if (next < 0.0) {
    restart();
  } else {
    next = now + (next - now) * before / factor;
    events.push(ldu, next, kind, id);
  }
}

// The escalation and de-escalation rates of a case at its tier (none past the ends).
struct RiskRates {
  double up = 0.0;
  double down = 0.0;
};
RiskRates risk_rates(const CaseTypeParameters& type, int tier);

using WaitingQueue = sim::ClassedFifo<kProtectLevelCount>;

// The parts of a division that never share work, by LDU: LDUs that may send
// cases to each other (neighbours, when overflow is on at any time), or whose
// day-0 files give a case of one to an officer of the other, are one part,
// and a pooled victim unit makes the whole division one. Each part's
// events run as a block between the division's shared moments
// (sim/parted_event_queue.hpp).
std::vector<std::uint32_t> independent_parts(const Scenario& scenario);

// How a replication's events are run: in the independent parts, or as one
// list, event after event across the division (the same figures; tests
// compare the two).
enum class Partition { independent, whole };

struct SharedState {
  SharedState(const Scenario& scenario, std::uint32_t replication, Partition partition = Partition::independent);

  const Scenario& scenario;
  std::uint32_t replication;
  double hours_per_point; // a week's hours per WMT point held
  // Events by LDU, in independent parts; snapshots, interventions and the
  // warm-up's end shared.
  sim::PartedEventQueue events;
  bool in_window = true; // inside the statistics window (after the warm-up)

  // Allocation: interventions may change the parameters and the policy.
  AllocationParameters allocation;
  std::unique_ptr<policy::AllocationPolicy> policy;

  // Staff: every officer who ever joined, by index; rosters hold those in
  // post or absent by LDU and grade; funded posts by LDU and grade.
  std::vector<Officer> officers;
  std::vector<OfficerLife> lives;
  std::vector<LduRoster> rosters;
  std::vector<std::array<int, kGradeCount>> establishment;

  // Cases: slots reused through free_cases, by part (so a part's cases stay
  // near each other); unallocated cases per LDU, FIFO, filed by protect level
  // (a waiting case's `queued` is its sequence number).
  std::vector<Case> cases;
  std::vector<std::vector<std::uint32_t>> free_cases;
  std::uint64_t open_cases = 0;
  std::vector<WaitingQueue> queues;

  // Tasks and victim cases by id, in order of creation. Only a window is
  // held (sim/record_window.hpp): a record leaves once final (a task
  // completed; a victim case ended with no contact left to make), to the
  // timeliness summary and to `record_sink` (docs/architecture.md, "Records").
  sim::RecordWindow<Task> tasks;
  sim::RecordWindow<VictimCase> victims;
  RecordSink* record_sink = nullptr;
  TaskTally task_tally; // the timeliness of the tasks let go so far
  // Work that nobody could take yet, per LDU.
  std::vector<std::vector<std::uint32_t>> unassigned_tasks;
  std::vector<std::vector<std::uint32_t>> unassigned_victims;

  std::vector<double> demand_factor; // per LDU: scales arrivals and court reports

  // Flow statistics per LDU, and exact time averages of cases held and waiting.
  std::vector<FlowSummary> flows;
  std::vector<stats::TimeAverage> held, waiting;
  // The most case slots in use at once as the run went (parts run apart, so
  // not the division's count at one instant): what the case array holds.
  std::uint64_t peak_open_cases = 0;

  [[nodiscard]] std::size_t ldu_count() const { return scenario.ldus.size(); }
  // A victim case that ended (released ones did).
  [[nodiscard]] bool victim_ended(std::uint32_t victim) const {
    return victims.released(victim) || victims[victim].ended >= 0.0;
  }
  // After task `task` completed, or victim case `victim` ended or made its
  // last contact (kNone: neither): lets go of the records that are final.
  // Call once no reference to a record is kept (its block may be reused).
  void release_records(std::uint32_t task, std::uint32_t victim);
  // At the end: every record left goes out, final or not.
  void release_all_records();
  [[nodiscard]] sim::StreamKey key(StreamPurpose purpose, std::uint32_t index, std::uint32_t sub = 0) const {
    return stream_key(scenario.seed, replication, purpose, index, sub);
  }
  // One stream per index 0..n-1 of a purpose.
  [[nodiscard]] std::vector<sim::Engine> streams(StreamPurpose purpose, std::uint32_t n) const;

  [[nodiscard]] std::int32_t points_of(const Case& c) const { return scenario.workload.points(c.type, c.tier); }
  // Hours a week the standing work takes: cases and victim cases held, and a
  // court-team officer's court duty. Reports in hand count in WMT points but
  // their hours are the tasks' own, so not here.
  [[nodiscard]] double load_hours(std::uint32_t officer) const {
    const Officer& o = officers[officer];
    const OfficerLife& life = lives[officer];
    const double court_duty =
        o.duty == Duty::court ? scenario.tasks.court_duty_share * life.available_hours : 0.0;
    return (o.points - o.report_points) * hours_per_point +
           life.victim_cases * scenario.victims.hours_per_case_per_week + court_duty;
  }
  // Hours left of the officer's open tasks, now.
  [[nodiscard]] double backlog_hours(std::uint32_t officer) const {
    const OfficerLife& life = lives[officer];
    double hours = life.task_hours;
    if (life.working_on != kNone) // progress since the last update
      hours -= std::min(tasks[life.working_on].hours_left, life.rate * (events.now() - life.work_since));
    return std::max(0.0, hours);
  }
};

} // namespace caseload::replication
