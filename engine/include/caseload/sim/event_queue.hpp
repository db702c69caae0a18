#pragma once
// A future-event list ordered by (time, insertion sequence), so events at
// equal times run in the order they were scheduled. The order is total (no two
// events share a sequence number), so any correct structure pops the same
// events in the same order.
//
// Two tiers, because most pending events are far off (a case's end, its next
// risk change, years ahead) while the next few thousand are all the loop
// touches: events in the current *bucket* of time (a day by default) sit in a
// small 4-ary heap that stays in cache; later ones are appended, unsorted, to
// their bucket's array (a sequential write, not a walk down a heap of
// millions), and a bucket becomes the heap when the clock reaches it. Events
// past the last bucket wait apart and join the heap if the clock gets there.
// (bench/README.md: at 10⁶–10⁷ case lifetimes a single heap of millions of
// events was a third of the run, nearly all of it cache misses.)

#include <cassert>
#include <cstdint>
#include <utility>
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
  // Buckets of `bucket_days` each, at most `max_buckets` of them from day 0.
  explicit EventQueue(double bucket_days = 1.0, std::size_t max_buckets = std::size_t{1} << 16)
      : per_day_(1.0 / bucket_days), max_buckets_(max_buckets) {
    assert(bucket_days > 0.0 && max_buckets > 0);
  }

  void reserve(std::size_t n) { heap_.reserve(n); }

  void push(double time, std::uint32_t kind, std::uint32_t id) {
    assert(time >= now_ && "events cannot be scheduled in the past");
    const Event e{time, next_seq_++, kind, id};
    const std::size_t b = bucket_of(time);
    if (b <= current_) {
      heap_.push_back(e);
      sift_up(heap_.size() - 1);
      return;
    }
    ++later_;
    if (b >= max_buckets_) {
      beyond_.push_back(e);
      return;
    }
    if (b >= buckets_.size()) buckets_.resize(b + 1);
    buckets_[b].push_back(e);
  }

  // Removes and returns the next event, advancing the clock to its time.
  Event pop() {
    if (heap_.empty()) refill();
    assert(!heap_.empty());
    Event top = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    now_ = top.time;
    return top;
  }

  // The next event (the clock does not move; a later bucket may become the heap).
  [[nodiscard]] const Event& top() {
    if (heap_.empty()) refill();
    assert(!heap_.empty());
    return heap_.front();
  }
  [[nodiscard]] bool empty() const noexcept { return heap_.empty() && later_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return heap_.size() + later_; }
  [[nodiscard]] double now() const noexcept { return now_; }
  [[nodiscard]] std::uint64_t scheduled() const noexcept { return next_seq_; }
  [[nodiscard]] std::size_t capacity_bytes() const noexcept {
    std::size_t n = heap_.capacity() + beyond_.capacity();
    for (const auto& b : buckets_) n += b.capacity();
    return n * sizeof(Event) + buckets_.capacity() * sizeof(buckets_[0]);
  }

private:
  static constexpr std::size_t kArity = 4;
  static constexpr std::size_t kAllNear = static_cast<std::size_t>(-1);

  // Monotone in time, so every event of an earlier bucket runs before every
  // event of a later one, and equal times share a bucket.
  [[nodiscard]] std::size_t bucket_of(double time) const noexcept {
    const double b = time * per_day_;
    return b >= static_cast<double>(max_buckets_) ? max_buckets_ : static_cast<std::size_t>(b);
  }

  // The heap is empty: the next bucket with events becomes the heap.
  void refill() {
    while (heap_.empty() && later_ > 0) {
      ++current_;
      if (current_ < buckets_.size()) {
        heap_.swap(buckets_[current_]);
        std::vector<Event>().swap(buckets_[current_]); // the old heap's storage: a past bucket, never used again
      } else {
        // Past the last bucket in use: what is left waits beyond the buckets,
        // and from now on every event goes to the heap.
        heap_.swap(beyond_);
        current_ = kAllNear;
      }
      later_ -= heap_.size();
      for (std::size_t i = heap_.size() / kArity + 1; i-- > 0;)
        if (i < heap_.size()) sift_down(i);
    }
  }

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

  double per_day_;
  std::size_t max_buckets_;
  std::vector<Event> heap_;                  // events of buckets up to current_, a 4-ary heap
  std::vector<std::vector<Event>> buckets_;  // later events by bucket, unsorted
  std::vector<Event> beyond_;                // events at or past the last bucket
  std::size_t current_ = 0;                  // the bucket the heap holds (kAllNear: all of them)
  std::size_t later_ = 0;                    // events in buckets_ and beyond_
  std::uint64_t next_seq_ = 0;
  double now_ = 0.0;
};

} // namespace caseload::sim
