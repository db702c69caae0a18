#pragma once
// One replication of a scenario: the event loop over the model state.

#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"
#include "caseload/model/state.hpp"
#include "caseload/policy/allocation.hpp"
#include "caseload/sim/event_queue.hpp"
#include "caseload/sim/random.hpp"
#include "caseload/stats/time_average.hpp"

#include <boost/random/discrete_distribution.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace caseload::model {

// Purposes of random streams (DESIGN.md §5). Each (seed, replication, purpose,
// index) has its own stream, so e.g. staffing never shifts the arrivals.
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

class Simulation {
public:
  Simulation(const Scenario& scenario, std::uint32_t replication);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Runs to the horizon and returns what was recorded.
  ReplicationResult run();

  // Read access for tests.
  [[nodiscard]] std::span<const Officer> officers() const { return officers_; }
  [[nodiscard]] std::span<const Case> cases() const { return cases_; }
  [[nodiscard]] bool case_is_open(std::uint32_t id) const {
    return std::find(free_cases_.begin(), free_cases_.end(), id) == free_cases_.end();
  }
  // Hours a week after reductions; 0 while absent or gone.
  [[nodiscard]] double available_hours(std::uint32_t officer) const { return lives_[officer].available_hours; }

private:
  enum EventKind : std::uint32_t {
    kArrival, kRelease, kCaseEnd, kSnapshot, kWarmupEnd, kCourtReport, kTaskDone, kRiskChange,
    kParoleReport, kVictimOptOut, kStaffStep, kLeave, kHire, kAbsenceStart, kAbsenceEnd,
    kReallocateAbsent, kIntervention,
  };
  struct Hire {
    std::uint32_t ldu;
    Grade grade;
    RecruitKind kind;
  };

  // --- cases (simulation.cpp)
  void reserve_for_run();
  void seed_initial_state();
  void schedule_next_arrival(std::uint32_t flow, double now);
  // The time to the next arrival of a process with this rate.
  double next_gap(double rate_per_day, sim::Engine& engine) const;
  std::uint32_t new_case(std::uint16_t ldu, CaseType type, int tier, double now);
  void on_arrival(std::uint32_t flow, double now);
  void on_release(std::uint32_t id, double now);
  void on_case_end(std::uint32_t id, double now);
  void on_warmup_end(double now);
  bool place_or_queue(std::uint32_t id, double now);
  bool try_allocate(std::uint32_t id, double now);
  void hold(std::uint32_t id, std::uint32_t officer, double now);
  void release_from_officer(std::uint32_t id, double now); // the case leaves its officer
  void reallocate(std::uint32_t id, ReallocationCause cause, double now);
  void schedule_phase_end(std::uint32_t id, double now);
  void change_points(std::uint32_t officer, std::int32_t delta, double now);
  void serve_queue(std::uint32_t ldu, double now);
  void serve_queues_near(std::uint32_t ldu, double now);
  [[nodiscard]] std::int32_t points_of(const Case& c) const {
    return scenario_.workload.points(c.type, c.tier);
  }

  // --- tasks, risk and victims (work.cpp)
  std::uint32_t new_task(TaskKind kind, std::uint16_t ldu, std::uint32_t subject, double hours,
                         double deadline, double now);
  void assign_task(std::uint32_t task, std::uint32_t officer, double now);
  void place_task(std::uint32_t task, double now); // choose who does it, or leave it unassigned
  void advance_work(std::uint32_t officer, double now);
  void reschedule_work(std::uint32_t officer, double now);
  void officer_load_changed(std::uint32_t officer, double now);
  void on_task_done(std::uint32_t officer, double now);
  void on_court_report(std::uint32_t ldu, double now);
  void schedule_next_court_report(std::uint32_t ldu, double now);
  void schedule_risk(std::uint32_t id, double now);
  void on_risk_change(std::uint32_t id, double now);
  void schedule_parole_report(std::uint32_t id, double now);
  void on_parole_report(std::uint32_t id, double now);
  // With the given probability (that of the case's type at sentence), opens a
  // victim case; a day-0 case has made its first contact before the run.
  void maybe_open_victim_case(std::uint32_t id, double probability, double now, bool initial);
  void assign_victim_case(std::uint32_t victim, double now);
  void victim_contact(std::uint32_t victim, double now);
  void close_victim_case(std::uint32_t victim, bool opted_out, double now);
  void on_victim_opt_out(std::uint32_t victim, double now);
  std::uint32_t least_loaded_by_hours(std::uint32_t ldu, std::span<const Grade> grades) const;
  // Hours a week the cases (and victim cases) held take.
  [[nodiscard]] double load_hours(std::uint32_t officer) const {
    return officers_[officer].points * hours_per_point_ +
           lives_[officer].victim_cases * scenario_.victims.hours_per_case_per_week;
  }
  // Hours left of the officer's open tasks, now.
  [[nodiscard]] double backlog_hours(std::uint32_t officer) const {
    const OfficerLife& life = lives_[officer];
    double hours = life.task_hours;
    if (life.working_on != kNone) // progress since the last update
      hours -= std::min(tasks_[life.working_on].hours_left, life.rate * (events_.now() - life.work_since));
    return std::max(0.0, hours);
  }
  void retry_unassigned(std::uint32_t ldu, double now);

  // --- staff (staff.cpp)
  void build_staff();
  std::uint32_t add_officer(std::uint32_t ldu, Grade grade, RecruitKind kind, double now,
                            double training_elapsed_days);
  void update_capacity(std::uint32_t officer, double now);
  void schedule_step(std::uint32_t officer, double now, double step_elapsed_days);
  void on_staff_step(std::uint32_t officer, double now);
  void schedule_leave(std::uint32_t officer, double now);
  void schedule_absence(std::uint32_t officer, double now);
  void on_leave(std::uint32_t officer, double now);
  void remove_officer(std::uint32_t officer, ReallocationCause cause, double now);
  void on_hire(std::uint32_t hire, double now);
  void recruit_day0_vacancies(std::uint32_t ldu);
  void advertise(std::uint32_t ldu, Grade post, double hire_at);
  void on_absence_start(std::uint32_t officer, double now);
  void on_absence_end(std::uint32_t officer, double now);
  void on_reallocate_absent(std::uint32_t officer, double now);
  void move_work_away(std::uint32_t officer, ReallocationCause cause, double now);
  void on_intervention(std::uint32_t index, double now);
  void set_demand(std::uint32_t ldu, double factor, double now);

  // --- observation (observe.cpp)
  void on_snapshot(double now);
  ReplicationResult finish();

  const Scenario& scenario_;
  std::uint32_t replication_;
  AllocationParameters allocation_;
  double days_per_month_ = 365.25 / 12.0;
  double hours_per_point_;   // a week's hours per WMT point held

  sim::EventQueue events_;
  std::vector<Officer> officers_;
  std::vector<OfficerLife> lives_;
  std::vector<LduRoster> rosters_;
  std::vector<std::array<int, kGradeCount>> establishment_;
  std::vector<std::array<std::uint32_t, kGradeCount>> joined_count_; // officers ever added
  std::vector<Case> cases_;
  std::vector<std::uint32_t> free_cases_;
  std::vector<std::vector<std::uint32_t>> queues_; // unallocated cases per LDU, FIFO
  std::vector<std::vector<std::uint32_t>> unassigned_tasks_; // per LDU
  std::vector<std::vector<std::uint32_t>> unassigned_victims_; // per LDU
  std::unique_ptr<policy::AllocationPolicy> policy_;
  std::vector<Task> tasks_;
  std::vector<VictimCase> victims_;
  std::vector<Hire> hires_;

  // The tier mix of each case type, built once (Boost's alias table is costly to set up).
  using TierDraw = boost::random::discrete_distribution<int, double>;
  std::array<TierDraw, kCaseTypeCount> tier_draws_;
  std::vector<sim::Engine> arrival_streams_;  // per (LDU, case type)
  std::vector<sim::Engine> duration_streams_; // per (LDU, case type)
  std::vector<sim::Engine> court_streams_;    // per LDU
  std::vector<sim::Engine> risk_streams_;     // per LDU
  std::vector<sim::Engine> victim_streams_;   // per LDU
  std::vector<sim::Engine> staffing_streams_; // per LDU: day-0 vacancies
  std::vector<double> arrival_rate_per_day_;  // per (LDU, case type), demand factor included
  std::vector<double> next_arrival_;          // per (LDU, case type)
  std::vector<double> demand_factor_;         // per LDU
  std::vector<double> next_court_report_;     // per LDU

  std::vector<FlowSummary> flows_;
  std::vector<stats::TimeAverage> held_, waiting_; // per LDU
  bool in_window_ = true;
  Snapshots snapshots_;
  std::vector<std::size_t> snapshot_officers_; // officers alive at each snapshot
  std::vector<double> scratch_;
  std::vector<double> scratch_all_;
  std::uint64_t processed_ = 0;
  std::uint64_t peak_open_cases_ = 0;
};

} // namespace caseload::model
