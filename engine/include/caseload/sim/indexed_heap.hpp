#pragma once
// A binary min-heap of items identified by small integers, whose keys can
// change: each item's position is tracked, so updating or removing an item
// costs O(log n). Several heaps may share one position table (an item is in
// at most one heap at a time).

#include <cassert>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace caseload::sim {

inline constexpr std::uint32_t kNotInHeap = std::numeric_limits<std::uint32_t>::max();

// Positions of items in whichever heap holds them.
using HeapPositions = std::vector<std::uint32_t>;

template <class Key> class IndexedMinHeap {
public:
  struct Entry {
    Key key;
    std::uint32_t item;
    // Ties go to the lower item number, so the order never depends on history.
    bool operator<(const Entry& o) const { return key < o.key || (key == o.key && item < o.item); }
  };

  [[nodiscard]] bool empty() const { return entries_.empty(); }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] const Entry& top() const {
    assert(!entries_.empty());
    return entries_.front();
  }

  void push(std::uint32_t item, Key key, HeapPositions& pos) {
    if (pos.size() <= item) pos.resize(item + 1, kNotInHeap);
    assert(pos[item] == kNotInHeap);
    entries_.push_back({key, item});
    pos[item] = static_cast<std::uint32_t>(entries_.size() - 1);
    sift_up(entries_.size() - 1, pos);
  }

  void update(std::uint32_t item, Key key, HeapPositions& pos) {
    const std::size_t i = pos[item];
    assert(i < entries_.size() && entries_[i].item == item);
    const Key old = entries_[i].key;
    entries_[i].key = key;
    if (key < old) sift_up(i, pos);
    else sift_down(i, pos);
  }

  void erase(std::uint32_t item, HeapPositions& pos) {
    const std::size_t i = pos[item];
    assert(i < entries_.size() && entries_[i].item == item);
    pos[item] = kNotInHeap;
    if (i + 1 == entries_.size()) {
      entries_.pop_back();
      return;
    }
    // The last entry fills the hole, then moves up or down to its place.
    const std::uint32_t moved = entries_.back().item;
    entries_[i] = entries_.back();
    entries_.pop_back();
    pos[moved] = static_cast<std::uint32_t>(i);
    sift_up(i, pos);
    sift_down(pos[moved], pos);
  }

private:
  void place(std::size_t i, const Entry& e, HeapPositions& pos) {
    entries_[i] = e;
    pos[e.item] = static_cast<std::uint32_t>(i);
  }
  void sift_up(std::size_t i, HeapPositions& pos) {
    const Entry moving = entries_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!(moving < entries_[parent])) break;
      place(i, entries_[parent], pos);
      i = parent;
    }
    place(i, moving, pos);
  }
  void sift_down(std::size_t i, HeapPositions& pos) {
    const std::size_t n = entries_.size();
    const Entry moving = entries_[i];
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && entries_[child + 1] < entries_[child]) ++child;
      if (!(entries_[child] < moving)) break;
      place(i, entries_[child], pos);
      i = child;
    }
    place(i, moving, pos);
  }

  std::vector<Entry> entries_;
};

} // namespace caseload::sim
