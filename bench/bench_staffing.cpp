// `caseload staff` on the Midlands baseline: the search for PO and VLO posts
// in all nine LDUs (18 groups) under two targets. Arguments: replications per
// candidate and the most posts the plan may add. /10/200 is the whole solve
// the issue asks about (a minute or two); /3/4 bounds it to a few batches for
// the benchmarks' smoke run.

#include "caseload/app/staffing.hpp"
#include "caseload/io/scenario_loader.hpp"

#include <benchmark/benchmark.h>

#include <string>

using namespace caseload;

namespace {

void BM_StaffMidlands(benchmark::State& state) {
  model::Scenario scenario =
      io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/midlands-2018.toml").scenario;
  scenario.replications = static_cast<int>(state.range(0));
  const auto max_added = static_cast<int>(state.range(1));
  const std::vector targets{app::parse_target("share_over_110<=0.15"), app::parse_target("vlo_caseload<=180")};
  std::vector<app::StaffChoice> choices;
  for (std::size_t l = 0; l < scenario.ldus.size(); ++l)
    for (model::Grade g : {model::Grade::PO, model::Grade::VLO})
      choices.push_back({static_cast<int>(l), g, 1.0, scenario.ldus[l].name + " " + std::string(model::name(g))});
  std::size_t candidates = 0;
  int added = 0;
  bool met = false;
  for (auto _ : state) {
    const auto solution =
        app::solve_staffing(targets, choices, max_added, app::simulated_evaluation(scenario, choices, targets, 0));
    candidates += solution.steps.size();
    added = 0;
    for (int k : solution.plan) added += k;
    met = solution.all_met;
    benchmark::DoNotOptimize(solution.plan.data());
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["candidates"] = static_cast<double>(candidates) / iterations;
  state.counters["posts_added"] = added;
  state.counters["all_met"] = met ? 1.0 : 0.0;
}
BENCHMARK(BM_StaffMidlands)->Args({3, 4})->Args({10, 200})->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

} // namespace
