// The classic hold model: a queue kept at n pending events; each step pops
// the earliest and pushes one a random increment later. It measures the
// future-event list alone, at the sizes a division or a nation keeps pending.

#include "caseload/sim/event_queue.hpp"
#include "caseload/sim/random.hpp"
#include "hold_loop.hpp"

#include <benchmark/benchmark.h>
#include <boost/random/exponential_distribution.hpp>

namespace {

void BM_EventQueueHold(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  caseload::sim::Engine rng(12345);
  boost::random::exponential_distribution<double> increment(1.0);
  caseload::sim::EventQueue q;
  q.reserve(n + 1);
  for (std::size_t i = 0; i < n; ++i) q.push(increment(rng), 0, static_cast<std::uint32_t>(i));
  for (auto _ : state) {
    const caseload::sim::Event e = q.pop();
    q.push(e.time + increment(rng), e.kind, e.id);
  }
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EventQueueHold)->Arg(10)->Arg(1000)->Arg(100000)->Arg(1000000)->Arg(8000000);

// The reference line: the same hold model on a bare binary heap (std::push_heap
// and std::pop_heap), which the whole-run benchmarks also run at their own
// pending counts.
void BM_BareHeapHold(benchmark::State& state) {
  caseload::bench::BareHeapHold hold(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) hold.step();
  benchmark::DoNotOptimize(hold.top_time());
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BareHeapHold)->Arg(10)->Arg(1000)->Arg(100000)->Arg(1000000)->Arg(8000000);

} // namespace
