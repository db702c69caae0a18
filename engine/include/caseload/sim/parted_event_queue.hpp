#pragma once
// A future-event list split into parts that never touch each other's state
// between shared moments, run a part at a time in blocks of time
// (docs/architecture.md, "Parts and blocks").
//
// Each part has its own EventQueue (all sharing one pool of blocks); events
// that concern every part (snapshots, interventions, the end of the warm-up)
// wait in a shared list. The loop runs each part's events up to the next
// shared moment or the end of a block, part after part, then the shared
// event. Within a part, events run in the same total order on (time, order of
// scheduling) as in one list, so a part's history is the same whatever else
// runs; what differs from one list is only which part's events run first
// between two shared moments. A shared event runs after every part's events
// at or before its time (a snapshot at day t sees what happened at t).
// Consecutive events then touch one part's officers, cases
// and queues, which stay in cache: run as one list at 10⁷ case lifetimes,
// each event touched the model at random over 1.3 GB (bench/README.md).
//
// Events are scheduled by *unit* (an LDU), each unit belonging to one part.

#include "caseload/sim/event_queue.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace caseload::sim {

class PartedEventQueue {
public:
  static constexpr std::uint32_t kNoPart = std::numeric_limits<std::uint32_t>::max();

  // `part_of_unit[u]` is unit u's part, parts numbered 0..n-1.
  explicit PartedEventQueue(std::vector<std::uint32_t> part_of_unit) : part_of_unit_(std::move(part_of_unit)) {
    std::uint32_t parts = 0;
    for (std::uint32_t p : part_of_unit_) parts = std::max(parts, p + 1);
    parts_.reserve(parts);
    for (std::uint32_t p = 0; p < parts; ++p) parts_.emplace_back(1.0, std::size_t{1} << 16, &pool_);
  }
  PartedEventQueue(const PartedEventQueue&) = delete;
  PartedEventQueue& operator=(const PartedEventQueue&) = delete;

  // An event about `unit`, in its part's list. While a part runs, only its
  // own units' events may be scheduled (what a part does stays in the part).
  void push(std::uint32_t unit, double time, std::uint32_t kind, std::uint32_t id) {
    const std::uint32_t part = part_of_unit_[unit];
    assert((running_ == kNoPart || running_ == part) && "a part scheduled an event of another part");
    parts_[part].push(time, kind, id);
    ++pending_;
  }
  // An event of every part: it runs when all parts have reached its time.
  void push_shared(double time, std::uint32_t kind, std::uint32_t id) {
    assert(running_ == kNoPart && "a part scheduled a shared event");
    shared_.push(time, kind, id);
    ++pending_;
  }

  // The time of the next shared event, +infinity if none.
  [[nodiscard]] double next_shared_time() {
    return shared_.empty() ? std::numeric_limits<double>::infinity() : shared_.top().time;
  }
  // Runs the next shared event, as run_part runs a part's: `run(event)`,
  // with the clock at its time.
  template <class Run> void run_shared(Run&& run) {
    const Event e = shared_.pop();
    now_ = e.time;
    run(e); // may schedule
    --pending_;
  }

  // Runs part p's events at or before `until`, in order: `run(event)` for
  // each, with the clock at its time. The events it schedules in the part run
  // in the same block if they fall in it.
  template <class Run>
  void run_part(std::uint32_t p, double until, Run&& run) {
    EventQueue& q = parts_[p];
    running_ = p;
    while (!q.empty()) {
      if (q.top().time > until) break;
      const Event e = q.pop();
      now_ = e.time;
      run(e); // may schedule
      --pending_;
    }
    running_ = kNoPart;
  }

  // Removes part p's next event, the clock at its time, without running it
  // (tests that drive a part's handlers by hand).
  Event pop(std::uint32_t p) {
    const Event e = parts_[p].pop();
    --pending_;
    now_ = e.time;
    return e;
  }

  [[nodiscard]] std::uint32_t part_count() const noexcept { return static_cast<std::uint32_t>(parts_.size()); }
  [[nodiscard]] std::uint32_t part_of(std::uint32_t unit) const noexcept { return part_of_unit_[unit]; }
  // The time of the event being run (or of the last one).
  [[nodiscard]] double now() const noexcept { return now_; }
  // Events waiting in every list, counting the one being run.
  [[nodiscard]] std::size_t size() const noexcept { return pending_; }
  [[nodiscard]] bool empty() const noexcept { return pending_ == 0; }
  [[nodiscard]] std::size_t capacity_bytes() const noexcept {
    std::size_t bytes = pool_.capacity_bytes() + shared_.capacity_bytes() + parts_.capacity() * sizeof(EventQueue) +
                        part_of_unit_.capacity() * sizeof(std::uint32_t);
    for (const EventQueue& q : parts_) bytes += q.capacity_bytes();
    return bytes;
  }

private:
  std::vector<std::uint32_t> part_of_unit_;
  EventBlockPool pool_; // before the queues that use it
  std::vector<EventQueue> parts_;
  EventQueue shared_;
  std::uint32_t running_ = kNoPart;
  std::size_t pending_ = 0;
  double now_ = 0.0;
};

} // namespace caseload::sim
