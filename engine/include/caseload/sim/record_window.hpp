#pragma once
// Records addressed by a global id (0, 1, 2, … in order of creation) of which
// only a window is held. Records live in fixed-size blocks; the front is
// released while its oldest record is final (can no longer change), so that
// records leave in id order, each block handed on whole once all its records
// left, and its memory reused. A record that stays open long would hold every
// later block: once more than `max_blocks` are held, the front block is handed
// on anyway and its records not yet final are kept apart ("stragglers"),
// until they are final or the run ends, when they are handed on again, alone;
// unless most of the front block and of the next are open, when the window
// grows a block instead. Memory: the blocks and the stragglers.
//
// `Out` receives: block(span of consecutive records, id of the first, all
// settled?) in id order, where the records not final, unless all are settled
// (at the end), are stragglers that come again through final(id, record).

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

namespace caseload::sim {

template <class T, std::size_t kBlock = 4096>
class RecordWindow {
public:
  static constexpr std::size_t block_records = kBlock;
  // Blocks held before the front one goes anyway (its open records kept apart).
  static constexpr std::size_t default_max_blocks = 4;
  // Bytes a straggler takes, with its place in the hash table.
  static constexpr std::size_t straggler_bytes = sizeof(T) + sizeof(std::uint32_t) + 4 * sizeof(void*);

  explicit RecordWindow(std::size_t max_blocks = default_max_blocks) : max_blocks_(std::max<std::size_t>(1, max_blocks)) {}

  // Appends a record; returns its id.
  std::uint32_t push_back(const T& record) {
    const std::size_t at = size_ - first_block_ * kBlock;
    if (at == blocks_.size() * kBlock) {
      if (spare_) {
        blocks_.push_back(std::move(spare_));
      } else {
        blocks_.push_back(std::make_unique<T[]>(kBlock));
      }
      note_peak();
    }
    blocks_[at / kBlock][at % kBlock] = record;
    return static_cast<std::uint32_t>(size_++);
  }

  [[nodiscard]] T& operator[](std::size_t id) {
    if (id < base_) return straggler(id);
    assert(id < size_ && "no such record");
    return slot(id);
  }
  [[nodiscard]] const T& operator[](std::size_t id) const {
    return const_cast<RecordWindow&>(*this)[id]; // NOLINT: one lookup for both
  }

  // Ids handed out so far (the next record's id).
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  // Records below this id have been handed on (final, or kept as stragglers).
  [[nodiscard]] std::size_t base() const { return base_; }
  // Handed on final: no longer to be read.
  [[nodiscard]] bool released(std::size_t id) const { return id < base_ && !stragglers_.contains(id); }
  [[nodiscard]] std::size_t stragglers() const { return stragglers_.size(); }

  // Releases records from the front while `is_final(record)` holds, then
  // hands on front blocks while more than max_blocks are held.
  template <class Final, class Out> void release(Final&& is_final, Out&& out) {
    for (;;) {
      while (base_ < size_ && is_final(slot(base_))) {
        ++base_;
        if (base_ % kBlock == 0) pop_front_block(out, false);
      }
      if (blocks_.size() <= max_blocks_) return;
      // The front block is full (more blocks follow). While most of it and
      // most of the block after it are still open, the window grows instead:
      // records open that long are the run's normal business (at 10^6 case
      // lifetimes a few blocks hold a day's tasks), and a straggler costs a
      // hash lookup on every read (bench/README.md). A front block mostly
      // open behind a block mostly final is a cohort apart (day 0's victim
      // cases, say): it goes on, its open records apart, so that it cannot
      // hold every later block. The window stays at the size it grew to: no
      // larger than the run already needed.
      const std::size_t end = (first_block_ + 1) * kBlock;
      if (mostly_open(base_, end, is_final) && mostly_open(end, std::min(end + kBlock, size_), is_final)) {
        ++max_blocks_;
        return;
      }
      for (std::size_t id = base_; id < end; ++id)
        if (!is_final(slot(id))) stragglers_.emplace(static_cast<std::uint32_t>(id), slot(id));
      base_ = end;
      pop_front_block(out, false);
      note_peak();
    }
  }
  // A record that may have become final: a straggler that has is handed on (final) and dropped.
  template <class Final, class Out> void settle(std::size_t id, Final&& is_final, Out&& out) {
    if (id >= base_) return;
    const auto it = stragglers_.find(static_cast<std::uint32_t>(id));
    if (it == stragglers_.end() || !is_final(it->second)) return;
    out.final(it->first, it->second);
    stragglers_.erase(it);
  }
  // At the end: every record left goes out, final or not: those of the
  // window in id order, settled, then the stragglers, in id order.
  template <class Out> void release_all(Out&& out) {
    base_ = size_;
    while (first_block_ * kBlock < size_) pop_front_block(out, true);
    std::vector<std::uint32_t> ids;
    ids.reserve(stragglers_.size());
    for (const auto& entry : stragglers_) ids.push_back(entry.first);
    std::sort(ids.begin(), ids.end());
    for (std::uint32_t id : ids) out.final(id, stragglers_.at(id));
    stragglers_.clear();
  }

  // Bytes held now, and the most held at once (blocks, their index, stragglers).
  [[nodiscard]] std::size_t held_bytes() const {
    return bytes(blocks_.size() + (spare_ ? 1 : 0), stragglers_.size());
  }
  [[nodiscard]] std::size_t peak_bytes() const { return peak_bytes_; }

private:
  // More than half of the records [from, to) are not final (the records
  // before `from` in its block were final).
  template <class Final> bool mostly_open(std::size_t from, std::size_t to, Final& is_final) {
    const std::size_t block_start = from / kBlock * kBlock;
    std::size_t open = 0;
    for (std::size_t id = from; id < to; ++id) open += is_final(slot(id)) ? 0 : 1;
    return 2 * open > to - block_start;
  }
  T& slot(std::size_t id) {
    const std::size_t at = id - first_block_ * kBlock;
    return blocks_[at / kBlock][at % kBlock];
  }
  T& straggler(std::size_t id) {
    const auto it = stragglers_.find(static_cast<std::uint32_t>(id));
    assert(it != stragglers_.end() && "a released record is read");
    return it->second;
  }
  // Hands on the front block's records (the last block may be partly filled).
  template <class Out> void pop_front_block(Out& out, bool settled) {
    const std::size_t first = first_block_ * kBlock;
    out.block(std::span<const T>(blocks_.front().get(), std::min(kBlock, size_ - first)), first, settled);
    if (!spare_) spare_ = std::move(blocks_.front()); // one block kept for reuse
    blocks_.pop_front();
    ++first_block_;
  }
  void note_peak() { peak_bytes_ = std::max(peak_bytes_, held_bytes()); }
  static std::size_t bytes(std::size_t blocks, std::size_t stragglers) {
    return blocks * (kBlock * sizeof(T) + sizeof(std::unique_ptr<T[]>)) + stragglers * straggler_bytes;
  }

  std::size_t max_blocks_;
  std::deque<std::unique_ptr<T[]>> blocks_; // the block of id first_block_ * kBlock first
  std::unique_ptr<T[]> spare_;
  std::unordered_map<std::uint32_t, T> stragglers_;
  std::size_t first_block_ = 0;
  std::size_t base_ = 0;
  std::size_t size_ = 0;
  std::size_t peak_bytes_ = 0;
};

} // namespace caseload::sim
