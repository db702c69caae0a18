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
// their bucket (a sequential write, not a walk down a heap of millions), and a
// bucket becomes the heap when the clock reaches it. Buckets are chains of
// fixed-size blocks from one pool, recycled as buckets empty, and a span of
// 64 buckets far ahead is one chain until the clock enters it, so memory
// stays close to the events pending, at 16 bytes an event (a chain keeps the
// order of scheduling, so the sequence number is given on entering the heap). Events past the last bucket wait apart
// and join the heap if the clock gets there. (bench/README.md: at 10⁶–10⁷
// case lifetimes a single heap of millions of events was a third of the run,
// nearly all of it cache misses.)

#include <array>
#include <cassert>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace caseload::sim {

struct Event {
  double time = 0.0;     // days since the start
  std::uint64_t seq = 0; // breaks ties: increases with the order of scheduling (numbered as the event nears)
  std::uint32_t kind = 0;
  std::uint32_t id = 0;
};
static_assert(sizeof(Event) == 24, "an event is three words");

inline bool runs_before(const Event& a, const Event& b) noexcept {
  return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

// The fixed-size blocks later events wait in, for one queue or shared by
// several (a replication's parts, sim::PartedEventQueue): recycled as
// buckets empty, so the blocks held stay close to the events pending.
class EventBlockPool {
public:
  // 7 events a block: 120 bytes with its header. A replication in parts keeps
  // a chain for every span of days ahead in every part, most of them sparse
  // (far-off case ends), so a chain's last block is mostly empty: at 10^6
  // case lifetimes (189 parts) blocks of 63 events held 130 bytes an open case
  // more than one list did, of 15 events 27, of 7 (these) 18, at no cost in
  // time (bench/README.md, "Parts and blocks").
  static constexpr std::uint32_t kBlockEvents = 7;
  static constexpr std::uint32_t kNoBlock = std::numeric_limits<std::uint32_t>::max();

  // An event not yet in a heap: its sequence number is implied by its place
  // (EventQueue), so it takes 16 bytes, not 24.
  struct Later {
    double time;
    std::uint32_t kind;
    std::uint32_t id;
  };
  static_assert(sizeof(Later) == 16);

  struct Block {
    std::array<Later, kBlockEvents> events;
    std::uint32_t size = 0;
    std::uint32_t next = kNoBlock;
  };

  Block& block(std::uint32_t i) noexcept { return (*slabs_[i / kSlabBlocks])[i % kSlabBlocks]; }

  std::uint32_t take() {
    if (free_blocks_.empty()) {
      const auto first = static_cast<std::uint32_t>(slabs_.size() * kSlabBlocks);
      slabs_.push_back(std::make_unique<Slab>());
      for (std::uint32_t i = kSlabBlocks; i-- > 0;) free_blocks_.push_back(first + i);
    }
    const std::uint32_t i = free_blocks_.back();
    free_blocks_.pop_back();
    Block& b = block(i);
    b.size = 0;
    b.next = kNoBlock;
    return i;
  }
  void give_back(std::uint32_t i) { free_blocks_.push_back(i); }

  [[nodiscard]] std::size_t capacity_bytes() const noexcept {
    return slabs_.size() * sizeof(Slab) + free_blocks_.capacity() * sizeof(std::uint32_t);
  }

private:
  static constexpr std::size_t kSlabBlocks = 256;
  using Slab = std::array<Block, kSlabBlocks>;
  std::vector<std::unique_ptr<Slab>> slabs_; // the blocks, by index / kSlabBlocks
  std::vector<std::uint32_t> free_blocks_;
};

class EventQueue {
public:
  // Buckets of `bucket_days` each, at most `max_buckets` of them from day 0.
  // With no pool given, the queue has its own.
  explicit EventQueue(double bucket_days = 1.0, std::size_t max_buckets = std::size_t{1} << 16,
                      EventBlockPool* pool = nullptr)
      : per_day_(1.0 / bucket_days), max_buckets_(max_buckets),
        own_pool_(pool == nullptr ? std::make_unique<EventBlockPool>() : nullptr),
        pool_(pool == nullptr ? own_pool_.get() : pool) {
    assert(bucket_days > 0.0 && max_buckets > 0);
  }

  void reserve(std::size_t n) { heap_.reserve(n); }

  void push(double time, std::uint32_t kind, std::uint32_t id) {
    assert(time >= now_ && "events cannot be scheduled in the past");
    ++scheduled_;
    const std::size_t b = bucket_of(time);
    if (b <= current_) {
      heap_.push_back(Event{time, next_seq_++, kind, id});
      sift_up(heap_.size() - 1);
      return;
    }
    const Later e{time, kind, id};
    ++later_;
    if (b >= max_buckets_) {
      beyond_.push_back(e);
      return;
    }
    const std::size_t coarse = b / kDaysPerCoarse;
    if (coarse <= opened_) {
      append(fine_[b % kDaysPerCoarse], e);
      return;
    }
    if (coarse >= coarse_.size()) coarse_.resize(coarse + 1);
    append(coarse_[coarse], e);
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
  [[nodiscard]] std::uint64_t scheduled() const noexcept { return scheduled_; }
  // Bytes held, with the block pool's if the queue has its own.
  [[nodiscard]] std::size_t capacity_bytes() const noexcept {
    return heap_.capacity() * sizeof(Event) + beyond_.capacity() * sizeof(Later) +
           coarse_.capacity() * sizeof(Bucket) + (own_pool_ ? own_pool_->capacity_bytes() : 0);
  }

private:
  static constexpr std::size_t kArity = 4;
  static constexpr std::size_t kAllNear = std::numeric_limits<std::size_t>::max();
  static constexpr std::uint32_t kNoBlock = EventBlockPool::kNoBlock;
  static constexpr std::uint32_t kBlockEvents = EventBlockPool::kBlockEvents;
  // Buckets come in two sizes: the current span of kDaysPerCoarse buckets,
  // one each (a ring), and later spans as one chain each, split into the
  // span's buckets when the clock enters it. So few chains are open at once
  // (a span's buckets and one chain a later span), and each holds at most one
  // part-filled block: the pool stays close to the events pending.
  static constexpr std::size_t kDaysPerCoarse = 64;
  // An event not yet in the heap: its sequence number is implied by its place,
  // because a bucket's chain holds its events in the order they were
  // scheduled (a span's chain is split before anything is added to its
  // buckets, and all of it was scheduled before the bucket became the heap).
  // So it is numbered as it enters the heap.
  using Later = EventBlockPool::Later;
  using Block = EventBlockPool::Block;
  struct Bucket {
    std::uint32_t first = kNoBlock;
    std::uint32_t last = kNoBlock;
  };

  // Monotone in time, so every event of an earlier bucket runs before every
  // event of a later one, and equal times share a bucket.
  [[nodiscard]] std::size_t bucket_of(double time) const noexcept {
    const double b = time * per_day_;
    return b >= static_cast<double>(max_buckets_) ? max_buckets_ : static_cast<std::size_t>(b);
  }

  Block& block(std::uint32_t i) noexcept { return pool_->block(i); }
  std::uint32_t new_block() { return pool_->take(); }

  void append(Bucket& bucket, const Later& e) {
    if (bucket.last == kNoBlock || block(bucket.last).size == kBlockEvents) {
      const std::uint32_t fresh = new_block();
      if (bucket.last == kNoBlock) bucket.first = fresh;
      else block(bucket.last).next = fresh;
      bucket.last = fresh;
    }
    Block& tail = block(bucket.last);
    tail.events[tail.size++] = e;
  }

  void enter_heap(const Later& e) { heap_.push_back(Event{e.time, next_seq_++, e.kind, e.id}); }

  // Moves a chain's events to `out` (a callback) and its blocks to the free list.
  template <class Out>
  void drain(Bucket& bucket, Out out) {
    for (std::uint32_t i = bucket.first; i != kNoBlock;) {
      Block& b = block(i);
      for (std::uint32_t k = 0; k < b.size; ++k) out(b.events[k]);
      const std::uint32_t next = b.next;
      pool_->give_back(i);
      i = next;
    }
    bucket = Bucket{};
  }

  // The heap is empty: the next bucket with events becomes the heap.
  void refill() {
    while (heap_.empty() && later_ > 0) {
      ++current_;
      if (current_ >= max_buckets_) {
        // Past the last bucket: what is left waits beyond the buckets, and
        // from now on every event goes to the heap.
        for (const Later& e : beyond_) enter_heap(e);
        std::vector<Later>().swap(beyond_);
        current_ = kAllNear;
      } else {
        const std::size_t coarse = current_ / kDaysPerCoarse;
        if (coarse > opened_) { // a new span of buckets: its events go to their own
          opened_ = coarse;
          if (coarse < coarse_.size())
            drain(coarse_[coarse], [&](const Later& e) { append(fine_[bucket_of(e.time) % kDaysPerCoarse], e); });
        }
        drain(fine_[current_ % kDaysPerCoarse], [&](const Later& e) { enter_heap(e); });
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
  std::vector<Event> heap_;                 // events of buckets up to current_, a 4-ary heap
  std::array<Bucket, kDaysPerCoarse> fine_{}; // later events of the current span, by bucket modulo the span
  std::vector<Bucket> coarse_;              // events of later spans, by span
  std::unique_ptr<EventBlockPool> own_pool_; // when the queue's blocks are its own
  EventBlockPool* pool_;
  std::vector<Later> beyond_;               // events at or past the last bucket, in the order scheduled
  std::size_t current_ = 0;                 // the bucket the heap holds (kAllNear: all of them)
  std::size_t opened_ = 0;                  // the span split into fine_ (the current bucket's)
  std::size_t later_ = 0;                   // events in fine_, coarse_ and beyond_
  std::uint64_t next_seq_ = 0;              // the next event to enter the heap
  std::uint64_t scheduled_ = 0;
  double now_ = 0.0;
};

} // namespace caseload::sim
