#pragma once
// The model's state during a replication: officers, cases, tasks and victim
// cases in contiguous arrays, addressed by index.

#include "caseload/model/domain.hpp"
#include "caseload/sim/random.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

namespace caseload::model {

inline constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint32_t kNoOfficer = kNone;

enum class OfficerState : std::uint8_t { in_post, absent, left };

struct Officer {
  std::uint32_t ldu = 0;
  Grade grade = Grade::PO;
  OfficerState state = OfficerState::in_post;
  Duty duty = Duty::caseload;
  double contracted_hours = 0.0;
  double available_points = 0.0; // 0 for staff who hold no WMT caseload, or are absent or gone
  std::int32_t points = 0;        // WMT points: the cases held and the reports in hand
  std::int32_t report_points = 0; // of those, the reports' (the WMT counts them for a period)
  std::int32_t cases = 0;

  // May be allocated cases: a caseload grade on caseload duty.
  [[nodiscard]] bool takes_cases() const { return duty == Duty::caseload && grade_holds_caseload(grade); }

  // Has WMT capacity now: a caseload grade, in post. Absent officers keep
  // their cases but have none, so they drop out of capacity figures.
  [[nodiscard]] bool has_capacity() const { return available_points > 0.0; }
  [[nodiscard]] double capacity_percent() const { return 100.0 * points / available_points; }
};

// A task in an officer's queue, its deadline beside its id so that ordering
// the queue reads no task record (they are scattered over the records held).
struct QueuedTask {
  double deadline = 0.0;
  std::uint32_t id = 0;
};

// What the staffing and task models keep per officer, beside the policy's view.
struct OfficerLife {
  // The officer's own streams, keyed by (LDU, grade on joining, ordinal), so
  // that adding or removing one officer leaves every other officer's draws alone.
  sim::SmallEngine staffing;
  sim::SmallEngine sickness;
  double joined = 0.0;
  double left = -1.0;
  Grade first_grade = Grade::PO;
  double static_reduction = 0.0;   // fraction of contracted hours, from the scenario
  double schedule_reduction = 0.0; // trainee / newly qualified
  std::uint32_t schedule_step = kNone; // index into the trainee + newly-qualified steps
  double leave_at = -1.0;          // scheduled departure (stale events compare against it)
  double absent_until = -1.0;
  double reallocate_at = -1.0;
  std::int32_t victim_cases = 0;
  std::vector<std::uint32_t> victims_held; // the victim cases (VLOs), as many as victim_cases
  std::uint32_t first_case = kNone; // the cases held, as a list through Case::next_held
  // Task work: an EDF heap of tasks, worked at `rate` hours a day.
  std::vector<QueuedTask> tasks;
  double task_hours = 0.0; // hours left of the queued tasks, as of work_since
  double available_hours = 0.0; // a week, after reductions; 0 while absent or gone
  std::uint32_t working_on = kNone;
  double work_since = 0.0;
  double rate = 0.0;
  double next_done = -1.0;
};

struct Case {
  double arrived = 0.0;         // day the case arrived (day 0 for the initial caseload)
  double phase_days = 0.0;      // length of the current phase, counted from allocation
  double next_phase_days = 0.0; // length of the licence that follows custody, if any
  double phase_ends = -1.0;     // day the current phase ends, once supervision started
  double next_risk = -1.0;      // scheduled risk change (stale events compare against it)
  double step_down_at = -1.0;   // scheduled step down to a preferred grade, after a de-escalation review
  std::uint32_t officer = kNoOfficer;
  std::uint32_t victim = kNone;         // victim case, if any
  std::uint32_t generation = 0;         // bumped as each case in the slot ends
  std::uint32_t prev_held = kNone;      // the officer's other cases (a doubly linked list)
  std::uint32_t next_held = kNone;
  std::uint32_t queued = kNone;         // while waiting: its place in the LDU's queue (sequence number)
  std::uint16_t ldu = 0;
  std::uint16_t reallocations = 0;
  CaseType type = CaseType::community;
  std::uint8_t tier = 0;
  // One byte of flags, so that a case stays at 80 bytes.
  bool in_window : 1 = false;       // arrived inside the statistics window
  bool started : 1 = false;         // supervision has begun (first allocation)
  bool parole_eligible : 1 = false; // a custody term long enough for a parole report
};
static_assert(sizeof(Case) == 80, "a case is 80 bytes");

// plan_review follows a risk escalation; deescalation_review a de-escalation,
// after which the case may step down to a lower grade.
enum class TaskKind : std::uint8_t {
  fdr, sdr, parole_report, plan_review, victim_first_contact, victim_contact, deescalation_review
};
inline constexpr int kTaskKindCount = 7;
inline constexpr std::array<std::string_view, kTaskKindCount> kTaskKindNames{
    "fdr", "sdr", "parole_report", "plan_review", "victim_first_contact", "victim_contact", "deescalation_review"};

// Tasks about one offender case, which follow the case to its next holder.
constexpr bool follows_case(TaskKind k) {
  return k == TaskKind::parole_report || k == TaskKind::plan_review || k == TaskKind::deescalation_review;
}

// Tasks about a victim case (their subject): contacts with the victim.
constexpr bool for_victim(TaskKind k) {
  return k == TaskKind::victim_first_contact || k == TaskKind::victim_contact;
}

struct Task {
  double created = 0.0;
  double deadline = 0.0;
  double started = -1.0;
  double completed = -1.0;
  double hours = 0.0;
  double hours_left = 0.0;
  std::uint32_t officer = kNone;
  std::uint32_t credited = kNone; // whose WMT points hold the report (its first writer)
  std::uint32_t subject = kNone; // case or victim case
  std::uint32_t subject_generation = 0; // of a case subject, to tell a reused slot
  std::uint16_t ldu = 0;
  TaskKind kind = TaskKind::fdr;
  bool in_window = false;
};
static_assert(sizeof(Task) == 72, "a task is 72 bytes");

struct VictimCase {
  double created = 0.0;
  double ended = -1.0;
  double opt_out_at = -1.0;
  std::uint32_t vlo = kNone;
  std::uint32_t offender_case = kNone;
  std::uint32_t first_contact = kNone; // task
  std::uint16_t ldu = 0;
  bool opted_out = false;
  std::uint8_t open_tasks = 0; // contacts not yet made: the record is final once ended with none
};
static_assert(sizeof(VictimCase) == 40, "a victim case is 40 bytes");

// Officers of one LDU who are in post or absent (not those who left),
// grouped by grade, as indices into the officer array.
struct LduRoster {
  std::array<std::vector<std::uint32_t>, kGradeCount> by_grade;
};

} // namespace caseload::model
