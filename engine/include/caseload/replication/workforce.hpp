#pragma once
// Staff: funded posts and officers in post, trainees' reduction schedule and
// qualification, leavers and refills after a time to hire, sickness absence,
// and staff added or removed by interventions (docs/model.md, "Staffing").

#include "caseload/replication/shared_state.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace caseload::replication {

class CaseFlow;
class TaskWork;

class Workforce {
public:
  explicit Workforce(SharedState& state);
  void connect(CaseFlow& cases, TaskWork& work) {
    cases_ = &cases;
    work_ = &work;
  }

  // The day-0 staff of every LDU, and the recruitment already under way.
  // With a snapshot, its officers come first, as officers 0 … n-1 in the
  // file's order (CaseFlow places the snapshot's cases with them).
  void build_staff();
  // The intervention's change of this LDU's staff of `grade`: n = add_staff,
  // or add_staff_percent of those in post now (model::staff_change). n > 0: n
  // recruits join (of `recruits` kind) on new posts, or with keep_posts into
  // vacant posts only, as many as there are; n < 0: the n most recent joiners
  // leave and their posts are cut, or with keep_posts left vacant.
  void change_staff(std::uint32_t ldu, Grade grade, const Intervention& in, double now);

  void on_staff_step(std::uint32_t officer, double now);
  void on_leave(std::uint32_t officer, double now);
  void on_hire(std::uint32_t hire, double now);
  void on_absence_start(std::uint32_t officer, double now);
  void on_absence_end(std::uint32_t officer, double now);
  void on_reallocate_absent(std::uint32_t officer, double now);

  // Bytes of the workforce's own state (the hires under way), for the memory diagnostic.
  [[nodiscard]] std::uint64_t state_bytes() const { return hires_.capacity() * sizeof(Hire); }

private:
  struct Hire {
    std::uint32_t ldu;
    Grade post;
    RecruitKind kind;
  };

  // `known`: an officer of the day-0 snapshot, whose duty, hours and
  // absence are as the file gives them.
  std::uint32_t add_officer(std::uint32_t ldu, Grade post, RecruitKind kind, double now,
                            double training_elapsed_days, const SnapshotOfficer* known = nullptr);
  // Days into training of a day-0 trainee whose reduction is this fraction of
  // their hours: a uniform point in the schedule step nearest it.
  double training_elapsed_at(double reduction, sim::SmallEngine& engine) const;
  // An officer absent at day 0 is caught in the middle of an absence.
  void start_day0_absence(std::uint32_t officer);
  void update_capacity(std::uint32_t officer, double now);
  void schedule_step(std::uint32_t officer, double now, double step_elapsed_days);
  void schedule_leave(std::uint32_t officer, double now);
  void schedule_absence(std::uint32_t officer, double now);
  void remove_officer(std::uint32_t officer, ReallocationCause cause, double now);
  void recruit_day0_vacancies(std::uint32_t ldu);
  void advertise(std::uint32_t ldu, Grade post, double hire_at);
  void move_work_away(std::uint32_t officer, ReallocationCause cause, double now);
  [[nodiscard]] bool post_filled(std::uint32_t ldu, Grade post) const;
  // The duty a new officer of the group takes: the one furthest below its share.
  [[nodiscard]] Duty duty_for_newcomer(std::uint32_t ldu, Grade grade) const;
  // The LDU's own figures where it has them, else the division's.
  [[nodiscard]] double leavers_per_year(std::uint32_t ldu, Grade grade) const;
  [[nodiscard]] const sim::Distribution& time_to_hire(std::uint32_t ldu, Grade grade) const;
  // Days from a post falling vacant to its recruit filling it: the time to
  // hire, and for a PO post refilled by a trainee, the training too.
  [[nodiscard]] double mean_lead_days(std::uint32_t ldu, Grade post) const;
  // The vacancy rate recruitment holds for this LDU and grade, if any.
  [[nodiscard]] std::optional<double> target_vacancy_rate(std::uint32_t ldu, Grade grade) const;
  // Recruitments already under way at day 0 for this LDU and grade.
  int day0_recruitments(std::uint32_t ldu, Grade grade); // draws from the recruitment stream

  SharedState& s_;
  CaseFlow* cases_ = nullptr;
  TaskWork* work_ = nullptr;
  const StaffingParameters& params_; // the scenario's, or defaults (no leavers, no sickness)
  std::vector<ReductionStep> schedule_; // the trainee steps, then the newly qualified steps
  std::vector<std::array<std::uint32_t, kGradeCount>> joined_count_; // officers ever added, per LDU and grade
  std::vector<Hire> hires_;
  std::vector<sim::Engine> recruitment_streams_; // per (LDU, grade): day-0 recruitment
};

} // namespace caseload::replication
