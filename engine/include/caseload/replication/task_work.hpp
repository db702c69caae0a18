#pragma once
// Officer time and the work with deadlines that competes for it: court
// reports, parole reports, risk changes and their plan reviews, and victim
// contact (docs/model.md, "Officer time and tasks").
//
// Each officer's week: available hours (contracted, less reductions; none
// while absent) minus the hours the cases held take (in proportion to their
// points, the nominal target being a full week) leaves spare hours, which
// serve the officer's tasks earliest deadline first.

#include "caseload/replication/shared_state.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace caseload::replication {

class CaseFlow;

class TaskWork {
public:
  explicit TaskWork(SharedState& state);
  void connect(CaseFlow& cases) { cases_ = &cases; }

  // Sizes the table of report credits from the expected court reports in a counting period.
  void reserve();
  void schedule_first_court_reports();

  // Officer time: book the work done so far; re-plan after the officer's load changed.
  void advance_work(std::uint32_t officer, double now);
  void officer_load_changed(std::uint32_t officer, double now);
  // Chooses who does the task, or leaves it waiting in its LDU.
  void place_task(std::uint32_t task, double now);
  // Offers the LDU's waiting victim cases and tasks again (someone joined or returned).
  void retry_unassigned(std::uint32_t ldu, double now);
  // Someone joined or left the LDU's roster, or changed grade or duty.
  void roster_changed(std::uint32_t ldu);
  // The case has a new holder: the reviews and parole reports that waited for it follow.
  void case_held(std::uint32_t id, std::uint32_t officer, double now);
  // A case ended while it waited for an officer (its generation moved on).
  void case_ended_waiting(std::uint32_t id, double now);

  void schedule_risk(std::uint32_t id, double now);
  void schedule_parole_report(std::uint32_t id, double now);
  // With the given probability (that of the case's type at sentence), opens a
  // victim case; a day-0 case has made its first contact before the run.
  void maybe_open_victim_case(std::uint32_t id, double probability, double now, bool initial);
  void assign_victim_case(std::uint32_t victim, double now);
  // A VLO joined or came back: victim cases move to them from the most loaded
  // VLOs of their unit until they hold their share.
  void rebalance_victims(std::uint32_t vlo, double now);
  void victim_contact(std::uint32_t victim, double now);
  void close_victim_case(std::uint32_t victim, bool opted_out, double now);
  // Court reports follow the LDU's demand factor (see rescale_pending).
  void rescale_court_reports(std::uint32_t ldu, double before, double factor, double now);

  void on_task_done(std::uint32_t officer, double now);
  void on_court_report(std::uint32_t ldu, double now);
  void on_risk_change(std::uint32_t id, double now);
  void on_parole_report(std::uint32_t id, double now);
  void on_victim_opt_out(std::uint32_t victim, double now);
  void on_report_points_end(std::uint32_t credit, double now);

private:
  // Removes from the LDU's waiting tasks those following case `id` of this generation.
  std::vector<std::uint32_t> take_waiting_tasks_of(std::uint32_t id, std::uint32_t generation);
  std::uint32_t new_task(TaskKind kind, std::uint16_t ldu, std::uint32_t subject, double hours,
                         double deadline, double now);
  void assign_task(std::uint32_t task, std::uint32_t officer, double now);
  void reschedule_work(std::uint32_t officer, double now);
  void schedule_next_court_report(std::uint32_t ldu, double now);
  // The officer on this duty, of these grades, in the LDU with the lowest
  // share of hours committed.
  [[nodiscard]] std::uint32_t least_loaded_by_hours(std::uint32_t ldu, std::span<const Grade> grades,
                                                    Duty duty = Duty::caseload) const;
  // The LDU's court team if it has anyone in post, else its case holders of the court grades.
  [[nodiscard]] std::uint32_t court_writer(std::uint32_t ldu);
  // A report's WMT points go to its writer for the counting period.
  void credit_report(std::uint32_t task, std::uint32_t officer, double now);
  // The LDUs whose VLOs serve an LDU's victims: its own, or all when pooled.
  [[nodiscard]] std::pair<std::uint32_t, std::uint32_t> victim_unit(std::uint32_t ldu) const;
  void move_victim_case(std::uint32_t victim, std::uint32_t to, double now);
  // The hours a report takes: its WMT points are a load carried for the counting period.
  [[nodiscard]] double report_hours(int points) const;

  SharedState& s_;
  CaseFlow* cases_ = nullptr;
  std::vector<sim::Engine> court_streams_;  // per LDU
  std::vector<sim::Engine> risk_streams_;   // per LDU
  std::vector<sim::Engine> victim_streams_; // per LDU
  std::vector<double> next_court_report_;   // per LDU; -1 when none is pending
  // Per LDU: its court-team officers in roster order, rebuilt after the roster changed.
  std::vector<std::vector<std::uint32_t>> court_teams_;
  std::vector<bool> court_team_stale_;
  // Per LDU: victim cases ended while in its unassigned list, not yet dropped from it.
  std::vector<std::uint32_t> ended_waiting_victims_;
  // The WMT points of reports in hand, until their counting period ends (by slot, reused).
  struct ReportCredit {
    std::uint32_t officer = kNone;
    std::int32_t points = 0;
  };
  std::vector<ReportCredit> credits_;
  std::vector<std::uint32_t> free_credits_;
};

} // namespace caseload::replication
