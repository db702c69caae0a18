// Allocation alone, per policy, against the number of eligible officers in
// an LDU: each step allocates one case (choose, then the officer's points
// rise) and ends another (a random officer's points fall), so loads keep
// moving as in a run.

#include "caseload/policy/allocation.hpp"

#include <benchmark/benchmark.h>
#include <boost/random/uniform_int_distribution.hpp>

namespace {

using namespace caseload;

void allocation(benchmark::State& state, model::PolicyKind kind) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  std::vector<model::Officer> officers;
  std::vector<model::LduRoster> rosters(1);
  sim::Engine rng(7);
  boost::random::uniform_int_distribution<std::int32_t> load(500, 2500);
  for (std::uint32_t i = 0; i < n; ++i) {
    officers.push_back(model::Officer{0, model::Grade::PO, model::OfficerState::in_post, model::Duty::caseload,
                                      37.0, 2176.0, load(rng), 0, 10});
    rosters[0].by_grade[0].push_back(i);
  }
  model::AllocationParameters params;
  params.policy = kind;
  params.cap_percent = 1e9; // never refuse: measure the choice, not the queue
  auto policy = policy::make_policy(params, 1, {sim::make_stream({1, 0, 7, 0})});
  policy->attach(officers, rosters);
  boost::random::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
  const policy::AllocationRequest request{0, 0, 150};
  for (auto _ : state) {
    const std::uint32_t o = policy->choose(request, {officers, rosters[0]});
    officers[o].points += 150;
    policy->load_changed(o, officers);
    const std::uint32_t r = pick(rng);
    if (officers[r].points >= 150) {
      officers[r].points -= 150;
      policy->load_changed(r, officers);
    }
  }
  state.counters["allocations_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_AllocateLeastLoaded(benchmark::State& s) { allocation(s, model::PolicyKind::least_loaded); }
void BM_AllocateCapped(benchmark::State& s) { allocation(s, model::PolicyKind::capped); }
void BM_AllocateRoundRobin(benchmark::State& s) { allocation(s, model::PolicyKind::round_robin); }
void BM_AllocateRandom(benchmark::State& s) { allocation(s, model::PolicyKind::random); }

BENCHMARK(BM_AllocateLeastLoaded)->RangeMultiplier(10)->Range(10, 10000);
BENCHMARK(BM_AllocateCapped)->RangeMultiplier(10)->Range(10, 10000);
BENCHMARK(BM_AllocateRoundRobin)->RangeMultiplier(10)->Range(10, 10000);
BENCHMARK(BM_AllocateRandom)->RangeMultiplier(10)->Range(10, 10000);

} // namespace
