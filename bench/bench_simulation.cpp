// Whole replications of real scenarios, without output.

#include "caseload/io/scenario_loader.hpp"
#include "caseload/model/simulation.hpp"

#include <benchmark/benchmark.h>

namespace {

void BM_MidlandsReplication(benchmark::State& state) {
  const auto loaded =
      caseload::io::load_scenario(std::string(CASELOAD_SOURCE_DIR) + "/scenarios/midlands-2018.toml");
  std::uint64_t events = 0;
  std::uint32_t replication = 0;
  for (auto _ : state) {
    caseload::model::Simulation sim(loaded.scenario, replication++);
    const auto result = sim.run();
    events += result.events;
    benchmark::DoNotOptimize(result.division_flow.mean_held);
  }
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MidlandsReplication)->Unit(benchmark::kMillisecond);

} // namespace
