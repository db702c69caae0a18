#pragma once
// `caseload staff`: the command line's targets, grades, LDUs and costs turned
// into the search's inputs (each error an io::InputError naming the text),
// and the terminal's view of the plan it finds (docs/model.md §17.5).

#include "caseload/app/recruitment.hpp"
#include "caseload/app/staffing.hpp"
#include "caseload/model/scenario.hpp"

#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace caseload::cli {

struct StaffRequest {
  std::vector<std::string> targets; // [LDU:]FIGURE<=V or >=V
  std::vector<std::string> grades;  // each may be a comma-separated list; default PO
  std::vector<std::string> ldus;    // default every LDU
  std::vector<std::string> costs;   // GRADE=COST
};

std::vector<app::StaffingTarget> staffing_targets(const model::Scenario& scenario, std::span<const std::string> texts);

// The allowed (LDU, grade) groups in LDU then grade order, with their costs.
std::vector<app::StaffChoice> staffing_choices(const model::Scenario& scenario, const StaffRequest& request);

void print_staffing(std::FILE* out, const model::Scenario& scenario, std::span<const app::StaffingTarget> targets,
                    std::span<const app::StaffChoice> choices, const app::StaffingSolution& solution,
                    double confidence);

// The recruitment plan by LDU, grade and quarter, and each target from its day on.
void print_recruitment(std::FILE* out, const model::Scenario& scenario, std::span<const app::StaffingTarget> targets,
                       const app::RecruitmentPlan& plan, std::span<const app::TargetCheck> checks);

} // namespace caseload::cli
