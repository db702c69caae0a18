// `caseload staff` on the Midlands baseline: the greedy search for PO and
// VLO posts under two targets, with few replications. A full solve adds many
// posts, each greedy round running the scenario once per LDU and grade (18
// runs), so the benchmark bounds the plan at two added posts: the base, two
// greedy rounds (36 candidates) and no pruning (the targets still fail).

#include "caseload/app/staffing.hpp"
#include "caseload/io/scenario_loader.hpp"

#include <benchmark/benchmark.h>

#include <string>

using namespace caseload;

namespace {

void BM_StaffMidlandsTwoRounds(benchmark::State& state) {
  model::Scenario scenario =
      io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/midlands-2018.toml").scenario;
  scenario.replications = 3;
  const std::vector targets{app::parse_target("plan_review_share_on_time>=0.45"),
                            app::parse_target("victim_first_contact_share_on_time>=0.6")};
  std::vector<app::StaffChoice> choices;
  for (std::size_t l = 0; l < scenario.ldus.size(); ++l)
    for (model::Grade g : {model::Grade::PO, model::Grade::VLO})
      choices.push_back({static_cast<int>(l), g, 1.0, scenario.ldus[l].name + " " + std::string(model::name(g))});
  std::size_t candidates = 0;
  for (auto _ : state) {
    const auto solution =
        app::solve_staffing(targets, choices, 2, app::simulated_evaluation(scenario, choices, targets, 0));
    candidates += solution.steps.size();
    benchmark::DoNotOptimize(solution.plan.data());
  }
  state.counters["candidates"] = static_cast<double>(candidates) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_StaffMidlandsTwoRounds)->Unit(benchmark::kSecond)->Iterations(1);

} // namespace
