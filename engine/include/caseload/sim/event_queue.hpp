#pragma once
// A future-event list: a binary min-heap ordered by (time, insertion sequence),
// so events at equal times run in the order they were scheduled.

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
  void sift_up(std::size_t i) {
    const Event moving = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
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
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && runs_before(heap_[child + 1], heap_[child])) ++child;
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
