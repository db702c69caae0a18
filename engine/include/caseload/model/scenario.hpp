#pragma once
// A validated scenario: plain values only. io/ builds it from a file; the
// engine never sees a file format.

#include "caseload/model/domain.hpp"
#include "caseload/model/workload.hpp"
#include "caseload/sim/distribution.hpp"

#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace caseload::model {

enum class PolicyKind : std::uint8_t { least_loaded, round_robin, random, capped };
inline constexpr std::array<std::string_view, 4> kPolicyNames{"least_loaded", "round_robin",
                                                              "random", "capped"};

// How day 0 starts: a synthetic steady state, nothing, or a snapshot of real
// staff and cases (InitialSnapshot, below).
enum class InitialState : std::uint8_t { steady_state, empty, snapshot };

// How arrivals (cases and court reports) are spaced: Poisson, or exactly
// evenly (for scenarios whose answer is worked out by hand).
enum class ArrivalProcess : std::uint8_t { poisson, regular };
inline constexpr std::array<std::string_view, 2> kArrivalProcessNames{"poisson", "regular"};
// The names a scenario gives as a string; `snapshot` is given as a table instead.
inline constexpr std::array<std::string_view, 2> kInitialStateNames{"steady_state", "empty"};

// Which grades may hold cases of each protect level (tier letter): levels of
// preference, most preferred first, each one or more grades of equal standing.
using PreferenceLevel = std::vector<Grade>;
using EligibilityRow = std::vector<PreferenceLevel>;
using EligibilityTable = std::array<EligibilityRow, kProtectLevelCount>;

inline bool eligible(const EligibilityRow& row, Grade grade) {
  for (const auto& level : row)
    for (Grade g : level)
      if (g == grade) return true;
  return false;
}

// The preference level (0 = most preferred) of a grade in a row; -1 if not eligible.
inline int preference_rank(const EligibilityRow& row, Grade grade) {
  for (std::size_t level = 0; level < row.size(); ++level)
    for (Grade g : row[level])
      if (g == grade) return static_cast<int>(level);
  return -1;
}

inline EligibilityTable default_eligibility() {
  // High and very high RoSH (A, B) to POs only (docs/model.md §7.1). Below that,
  // PSOs and trainees alike, by capacity % (a trainee's is of their reduced
  // hours), and POs only when both are full.
  return {{{{Grade::PO}},
           {{Grade::PO}},
           {{Grade::PSO, Grade::PQiP}, {Grade::PO}},
           {{Grade::PSO, Grade::PQiP}, {Grade::PO}}}};
}

inline constexpr double kNoCap = std::numeric_limits<double>::infinity();

struct AllocationParameters {
  PolicyKind policy = PolicyKind::least_loaded;
  double cap_percent = 100.0;
  // No case goes to an officer of a grade at or over its cap, whatever the
  // policy (e.g. PQiPs' protected caseload: up to their reduced capacity).
  std::array<double, kGradeCount> grade_cap_percent{kNoCap, kNoCap, kNoCap, kNoCap, kNoCap};
  // least_loaded and capped move down the preference list while every officer
  // of the preferred grade is at or above this capacity %.
  double preference_threshold_percent = 100.0;
  EligibilityTable eligibility = default_eligibility();
  // When every eligible local officer is refused (at the cap, or none in
  // post), try the LDU's neighbours in the order listed before queueing.
  bool overflow = false;
  // After a de-escalation review is done, and this many days more (a
  // handover; illustrative), a case held by a less preferred grade than its
  // new protect level asks for moves to a preferred officer with room.
  bool step_down = true;
  double step_down_delay_days = 28.0;
};

struct CaseTypeParameters {
  sim::Distribution duration = sim::Distribution::fixed(365.0);
  std::array<double, kTierCount> tier_mix{}; // sums to 1
  std::optional<CaseType> becomes;           // custody → licence on release
  // Victim contact: the chance that a case of this type, at sentence, has a
  // victim who joins the Victim Contact Scheme (qualifying offence and opt-in).
  double victim_probability = 0.0;
  // Risk changes per case-year, by protect level (A, B, C, D): escalation
  // moves the tier up one protect level, de-escalation down one.
  std::array<double, kProtectLevelCount> escalations_per_year{};
  std::array<double, kProtectLevelCount> deescalations_per_year{};
};

// Officer time and tasks (docs/model.md §8).
struct TaskParameters {
  // Written court reports are FDR or SDR; the SDR share of written reports
  // (2019/20: 45% FDR, 3% SDR → 3/48).
  double sdr_share = 0.0625;
  double fdr_deadline_working_days = 5.0; // illustrative: a fast report within the week
  double sdr_deadline_working_days = 15.0;
  std::vector<Grade> court_grades{Grade::PSO, Grade::PO};
  bool parole_reports = true;
  // Parole reports for custody phases at least this long, due this many days
  // before release, created this many days before release.
  double parole_min_custody_days = 730.0;
  double parole_lead_days = 112.0;
  double parole_due_before_release_days = 28.0;
  // WMT counts a report's points for this many days, so a report takes the
  // hours those points stand for over the period (SDR 138 points: 10.1 hours).
  double report_points_period_days = 30.0;
  double review_hours = 3.0;
  // Share of a court-team officer's available hours that court duty takes
  // (oral reports, attendance, liaison), before written reports: their
  // written reports then compete with it as a caseload does (docs/model.md §9).
  double court_duty_share = 0.0;
  // A de-escalation also gets a review of the plan (HMIP 2018: plans reviewed
  // in response to changes in risk of harm), less urgent (illustrative).
  double deescalation_review_deadline_working_days = 10.0;
  // The share of their available hours an officer at exactly 100% gives to
  // tasks; the share falls smoothly with load either side (model/officer_time.hpp,
  // docs/model.md §8). 0: no task work at or over 100% (illustrative: 0.1).
  double task_share_at_capacity = 0.1;
  double review_deadline_working_days = 5.0;
};

// Victim contact (docs/model.md §12).
struct VictimParameters {
  double first_contact_working_days = 40.0;
  double contact_hours = 1.5;
  double contact_deadline_working_days = 10.0; // contacts at parole, release and sentence end
  double hours_per_case_per_week = 0.15;
  double opt_out_per_year = 0.1;
  // One victim contact unit for the division: victim cases go to the least
  // loaded VLO of any LDU, not only their own.
  bool pooled = false;
};

enum class RecruitKind : std::uint8_t { experienced, trainee };
inline constexpr std::array<std::string_view, 2> kRecruitNames{"experienced", "trainee"};

struct ReductionStep {
  double months = 6.0;
  double percent = 0.0;
};

// Staffing dynamics (docs/model.md §13). Present = staff join, train, fall sick and leave.
struct StaffingParameters {
  std::array<double, kGradeCount> leavers_per_year{};
  sim::Distribution time_to_hire_days = sim::Distribution::lognormal(120.0, 40.0);
  bool refill_vacancies = true;         // posts vacated during the run are refilled
  // Grades whose day-0 vacancies are already in recruitment (the others' stay
  // vacant: a structural shortage).
  std::array<bool, kGradeCount> fill_initial_vacancies{};
  // Grades whose day-0 vacancy rate each LDU holds through the run (as if each
  // group's target_vacancy_rate were its day-0 rate): shortages that persist
  // where they are, rather than close as recruitment catches up.
  std::array<bool, kGradeCount> hold_initial_vacancies{};
  // PO posts are refilled by trainees (a PQiP who fills the post on qualifying,
  // docs/sources.md: training takes about two years) or by experienced POs.
  RecruitKind refill_po_with = RecruitKind::trainee;
  std::vector<ReductionStep> trainee_reductions{{6, 80}, {6, 60}, {6, 40}};
  std::vector<ReductionStep> newly_qualified_reductions{{9, 20}};
  double short_sickness_per_year = 0.0;
  sim::Distribution short_sickness_days = sim::Distribution::lognormal(5.0, 4.0);
  double long_sickness_per_year = 0.0;
  sim::Distribution long_sickness_days = sim::Distribution::lognormal(90.0, 60.0);
  double reallocate_after_weeks = 4.0; // a long-term absence's cases move after this
};

// How a post of this grade is refilled: PQiP places take new trainees; PO
// posts take trainees (who fill the post on qualifying) or experienced POs,
// as the scenario says; other posts experienced staff.
inline RecruitKind recruit_kind_for(Grade post, const StaffingParameters& p) {
  return post == Grade::PQiP || (post == Grade::PO && p.refill_po_with == RecruitKind::trainee)
             ? RecruitKind::trainee
             : RecruitKind::experienced;
}

// A trainee recruited against a PO post takes a PQiP place until they qualify.
inline Grade grade_on_joining(Grade post, RecruitKind kind) {
  return kind == RecruitKind::trainee && post == Grade::PO ? Grade::PQiP : post;
}

// A trainee's time to qualify: the steps of the trainee reduction schedule.
inline double training_days(const StaffingParameters& p) {
  double days = 0.0;
  for (const auto& step : p.trainee_reductions) days += step.months * kDaysPerMonth;
  return days;
}

// What-if changes on a timeline.
struct Intervention {
  double at_day = 0.0;
  std::optional<int> ldu; // none = every LDU
  std::array<int, kGradeCount> add_staff{}; // negative removes staff (and their posts, unless keep_posts)
  // A change of staff as a percentage of the grade's staff in post on the day
  // (−25: a quarter leave), rounded to whole officers; a grade takes this or add_staff.
  std::array<double, kGradeCount> add_staff_percent{};
  // Posts stay as they are: leavers leave their posts vacant, and joiners
  // fill vacant posts only (as many as there are), creating none.
  bool keep_posts = false;
  RecruitKind recruits = RecruitKind::experienced;
  std::optional<double> demand_factor;      // multiplies arrivals and court reports from now on
  std::optional<PolicyKind> policy;
  std::optional<double> cap_percent;
  std::optional<bool> overflow;
};

// The officers an intervention's add_staff_percent moves: `percent` of the
// `in_post`, to the nearest whole officer (halves away from zero).
inline int staff_change(double percent, int in_post) {
  return static_cast<int>(std::lround(percent / 100.0 * in_post));
}

struct StaffGroup {
  int establishment = 0; // funded posts
  int in_post = 0;       // officers actually employed
  double contracted_hours = 37.0;
  double reduction_percent = 0.0; // of contracted hours
  // Shares of the group on court-team duty and on other duties; the rest
  // hold cases. New staff take whichever duty is furthest below its share.
  double court_share = 0.0;
  double other_share = 0.0;
  // Local staffing, where it differs from the division's [staffing] (some
  // LDUs are harder to recruit to and keep staff in than others).
  std::optional<double> leavers_per_year;
  std::optional<sim::Distribution> time_to_hire_days;
  // Recruitment aims to hold this vacancy rate (1 − in post ÷ establishment)
  // through the run: the day-0 recruitment is only the pipeline that replaces
  // leavers (Little's law), so the gap persists instead of closing.
  std::optional<double> target_vacancy_rate;
};

// A group's own leaving rate and time to hire where it sets them, else the division's.
inline double leavers_per_year(const StaffGroup& group, const StaffingParameters& p, Grade grade) {
  return group.leavers_per_year ? *group.leavers_per_year : p.leavers_per_year[static_cast<int>(grade)];
}
inline const sim::Distribution& time_to_hire(const StaffGroup& group, const StaffingParameters& p) {
  return group.time_to_hire_days ? *group.time_to_hire_days : p.time_to_hire_days;
}

struct LduParameters {
  std::string name;
  std::vector<int> neighbours; // indices of other LDUs
  std::array<StaffGroup, kGradeCount> staff{};
  std::array<double, kCaseTypeCount> arrivals_per_week{};
  double court_reports_per_week = 0.0;
};

// An assumption to screen with `caseload sensitivity` (docs/model.md §17.4):
// an override key, as `caseload run --vary` takes it, and the two values of
// its range.
struct SensitivityParameter {
  std::string key;
  double low = 0.0;
  double high = 0.0;
};

// Day 0 taken from a snapshot of the real staff and caseload (docs/model.md §6.1),
// as plain values: io/ reads and checks the files, the engine sees only these.
struct SnapshotOfficer {
  std::string id;
  int ldu = 0;
  Grade grade = Grade::PO;
  Duty duty = Duty::caseload;
  double contracted_hours = 37.0;
  double reduction_hours = 0.0;
  bool absent = false; // absent at day 0 (back after the rest of an absence)
};

struct SnapshotCase {
  std::string id;
  int ldu = 0;
  std::optional<std::uint32_t> officer; // index into InitialSnapshot::officers; none: unallocated
  CaseType type = CaseType::community;
  int tier = 0;
  double served_days = 0.0;             // of the current phase, at day 0
  std::optional<double> remaining_days; // to the expected end; none: drawn given served_days
  bool victim = false;                  // has a victim case in the scheme
};

// Where a snapshot file came from, for the record (the results file keeps it).
struct SnapshotFile {
  std::string path;
  std::string sha256; // of the file's bytes, hex
  std::int64_t rows = 0;
};

struct InitialSnapshot {
  std::string date; // ISO date of day 0
  SnapshotFile staff_file;
  SnapshotFile cases_file;
  std::vector<SnapshotOfficer> officers;
  std::vector<SnapshotCase> cases;
};

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  std::string start_date = "2018-08-01"; // ISO date of day 0
  double horizon_days = 1095.0;
  double warmup_days = 0.0;
  double snapshot_every_days = 7.0;
  int replications = 1;
  InitialState initial_state = InitialState::steady_state;
  std::optional<InitialSnapshot> snapshot; // set exactly when initial_state is snapshot
  ArrivalProcess arrival_process = ArrivalProcess::poisson;
  WorkloadParameters workload;
  AllocationParameters allocation;
  std::array<CaseTypeParameters, kCaseTypeCount> case_types{};
  std::vector<LduParameters> ldus;
  TaskParameters tasks;     // tasks arise only from court reports, parole, escalations, victims
  VictimParameters victims; // used only where a case type has a victim_probability
  std::optional<StaffingParameters> staffing;
  std::vector<Intervention> interventions; // sorted by at_day
  // [sensitivity] parameters, in key order: what `caseload sensitivity`
  // screens when the command line names none. The simulation ignores them.
  std::vector<SensitivityParameter> sensitivity;
};

// The snapshots a replication takes: at the end of the warm-up, then every
// snapshot_every_days to the horizon, each day the last plus the step, as
// the engine schedules them (so exact, floating-point rounding and all).
[[nodiscard]] inline std::size_t snapshot_count(const Scenario& s) {
  assert(s.snapshot_every_days > 0.0 && "validated by the scenario's schema");
  std::size_t n = 0;
  for (double day = s.warmup_days; day <= s.horizon_days; day += s.snapshot_every_days) ++n;
  return n;
}

} // namespace caseload::model
