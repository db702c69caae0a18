#pragma once
// A first-in, first-out queue of items, each in one of a few classes, that
// finds the earliest item of a class in O(log n): per class, a min-heap of
// (sequence, item) entries. Serving "the earliest item among the classes still
// open" then costs O(classes × log n) instead of a scan of the queue.
//
// The owner knows which entries still stand: an item that leaves other than
// by the front, or moves to another class, is told to the queue (`removed`,
// `refile`), and its old entry is dropped lazily when it reaches its heap's
// top, by the owner's `live(entry, class)` test. So an item's sequence number
// (returned by `push`) is kept by the owner to recognise its live entry.

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <limits>
#include <vector>

namespace caseload::sim {

template <std::size_t Classes> class ClassedFifo {
public:
  struct Entry {
    std::uint32_t seq;
    std::uint32_t item;
  };

  // Live items (entries dropped lazily are not counted).
  [[nodiscard]] std::size_t size() const noexcept { return live_; }
  [[nodiscard]] bool empty() const noexcept { return live_ == 0; }
  [[nodiscard]] std::size_t capacity_bytes() const noexcept {
    std::size_t bytes = 0;
    for (const auto& h : heaps_) bytes += h.capacity() * sizeof(Entry);
    return bytes;
  }

  // Puts the item at the back of the queue, in class `cls`; returns its sequence number.
  std::uint32_t push(std::size_t cls, std::uint32_t item) {
    assert(next_seq_ < std::numeric_limits<std::uint32_t>::max());
    const std::uint32_t seq = next_seq_++;
    file(cls, Entry{seq, item});
    ++live_;
    return seq;
  }
  // The item (queued with `seq`) is now of class `cls`, keeping its place in the queue.
  void refile(std::size_t cls, std::uint32_t item, std::uint32_t seq) { file(cls, Entry{seq, item}); }
  // A live item left the queue (served, or gone); its entry is dropped when it surfaces.
  void removed() {
    assert(live_ > 0);
    --live_;
  }

  // The earliest live entry of the class, or null.
  template <class Live> const Entry* front(std::size_t cls, Live&& live) {
    auto& h = heaps_[cls];
    while (!h.empty() && !live(h.front(), cls)) {
      std::pop_heap(h.begin(), h.end(), Later{});
      h.pop_back();
    }
    return h.empty() ? nullptr : &h.front();
  }

  // The class whose front is earliest among those not closed, or -1 if none has a live item.
  template <class Live> int earliest(const std::array<bool, Classes>& closed, Live&& live) {
    int best = -1;
    std::uint32_t best_seq = 0;
    for (std::size_t c = 0; c < Classes; ++c) {
      if (closed[c]) continue;
      if (const Entry* e = front(c, live); e && (best < 0 || e->seq < best_seq)) {
        best = static_cast<int>(c);
        best_seq = e->seq;
      }
    }
    return best;
  }

private:
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const { return a.seq > b.seq; }
  };
  void file(std::size_t cls, const Entry& e) {
    auto& h = heaps_[cls];
    h.push_back(e);
    std::push_heap(h.begin(), h.end(), Later{});
  }

  std::array<std::vector<Entry>, Classes> heaps_;
  std::uint32_t next_seq_ = 0;
  std::size_t live_ = 0;
};

} // namespace caseload::sim
