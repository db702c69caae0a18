#pragma once
// The reference line for the engine's event rate: a bare binary heap of
// 24-byte events (std::push_heap / std::pop_heap on (time, sequence)) in the
// classic hold model, n events pending; each step pops the earliest and
// pushes one an exponential increment later (one draw from mt19937_64).

#include "caseload/sim/event_queue.hpp"
#include "caseload/sim/random.hpp"

#include <boost/random/exponential_distribution.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace caseload::bench {

class BareHeapHold {
public:
  explicit BareHeapHold(std::size_t pending) : rng_(12345), increment_(1.0) {
    heap_.reserve(pending + 1);
    for (std::size_t i = 0; i < pending; ++i) push(increment_(rng_));
  }
  void step() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const double t = heap_.back().time;
    heap_.pop_back();
    push(t + increment_(rng_));
  }
  [[nodiscard]] double top_time() const { return heap_.front().time; }

private:
  struct Later { // a type, not a function pointer, so that the comparison is inlined
    bool operator()(const sim::Event& a, const sim::Event& b) const { return sim::runs_before(b, a); }
  };
  void push(double time) {
    heap_.push_back(sim::Event{time, seq_++, 0, 0});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  std::vector<sim::Event> heap_;
  std::uint64_t seq_ = 0;
  sim::Engine rng_;
  boost::random::exponential_distribution<double> increment_;
};

// Seconds `hold` takes for `steps` steps.
inline double time_hold_steps(BareHeapHold& hold, std::uint64_t steps) {
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < steps; ++i) hold.step();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  volatile double sink = hold.top_time();
  (void)sink;
  return took.count();
}

} // namespace caseload::bench
