#pragma once
// A future-event list: a 4-ary min-heap ordered by (time, insertion sequence),
// so events at equal times run in the order they were scheduled. The order is
// total (no two events share a sequence number), so any correct heap pops the
// same events in the same order; four children a node halve the depth of a
// binary heap and put a node's children in adjacent cache lines, which is what
// counts once millions of events are pending (bench/README.md).

#include <cassert>
#include <cstdint>
#include <vector>

namespace caseload::sim {

struct Event {
  double time = 0.0;     // days since the start
  std::uint64_t seq = 0; // insertion order, breaks ties
  std::uint32_t kind = 0;
  std::uint32_t id = 0;
};
static_assert(sizeof(Event) == 24, "an event is three words");

inline bool runs_before(const Event& a, const Event& b) noexcept {
  return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

class EventQueue {
public:
  void reserve(std::size_t n) { heap_.reserve(n); }

  void push(double time, std::uint32_t kind, std::uint32_t id) {
    assert(time >= now_ && "events cannot be scheduled in the past");
    heap_.push_back(Event{time, next_seq_++, kind, id});
    sift_up(heap_.size() - 1);
  }

  // Removes and returns the next event, advancing the clock to its time.
  Event pop() {
    assert(!heap_.empty());
    Event top = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    now_ = top.time;
    return top;
  }

  [[nodiscard]] const Event& top() const {
    assert(!heap_.empty());
    return heap_.front();
  }
  [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }
  [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }
  [[nodiscard]] double now() const noexcept { return now_; }
  [[nodiscard]] std::uint64_t scheduled() const noexcept { return next_seq_; }
  [[nodiscard]] std::size_t capacity_bytes() const noexcept { return heap_.capacity() * sizeof(Event); }

private:
  static constexpr std::size_t kArity = 4;

  void sift_up(std::size_t i) {
    const Event moving = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / kArity;
      if (!runs_before(moving, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = moving;
  }

  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    const Event moving = heap_[i];
    for (;;) {
      const std::size_t first = kArity * i + 1;
      if (first >= n) break;
      std::size_t child = first;
      const std::size_t last = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < last; ++c)
        if (runs_before(heap_[c], heap_[child])) child = c;
      if (!runs_before(heap_[child], moving)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = moving;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
  double now_ = 0.0;
};

} // namespace caseload::sim
