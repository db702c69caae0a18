#pragma once

#include <cassert>
#include <algorithm>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace caseload::io {

// Asks the kernel to back the pages of [begin, begin + bytes) for writing
// now (Linux's MADV_POPULATE_WRITE), so that a thread that fills them later
// does not stop at each page's first touch: on this kind of machine a first
// touch costs ≈2 µs, so a buffer of rows gathered by the simulating thread
// is prepared by the writer's. Values already there are kept. Whether the
// kernel did it: one that cannot (before Linux 5.14) leaves the pages to be
// faulted in when first written, as without it.
bool prepare_pages_for_writing(const void* begin, std::size_t bytes) noexcept;

// Parts of buffers to prepare in one job, run by another thread while the
// buffers' owner goes on (the kernel backs a page whether or not it is being
// written meanwhile: no value is read or written here). The storage should
// outlive the job; if it is freed first, the kernel backs or refuses memory
// no object holds, which costs pages, never values.
class PagesToPrepare {
public:
  // Elements [from, to) of `values`' storage, reserved but maybe not yet used.
  template <class Vector> void add(const Vector& values, std::size_t from, std::size_t to) {
    assert(from <= to && to <= values.capacity());
    using T = typename Vector::value_type;
    if (from < to)
      ranges_.emplace_back(reinterpret_cast<const std::byte*>(values.data()) + from * sizeof(T), (to - from) * sizeof(T));
  }
  void operator()() const noexcept {
    for (const auto& [begin, bytes] : ranges_) prepare_pages_for_writing(begin, bytes);
  }

private:
  std::vector<std::pair<const std::byte*, std::size_t>> ranges_;
};

// Which rows of a buffer of `capacity` rows to have backed ahead of its
// filling: up to `lead` rows past those filled, `slice` rows at a time, so
// that no more is backed than the next rows need.
class RowsAhead {
public:
  RowsAhead(std::size_t capacity, std::size_t slice, std::size_t lead)
      : capacity_(capacity), slice_(slice), lead_(lead) {
    assert(slice > 0 && slice <= lead);
  }
  // The rows [first, second) to ask for next, once `filled` rows are
  // filled; none once those up to `filled + lead` (or the end) are asked for.
  [[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> next(std::size_t filled) const {
    if (asked_ >= std::min(filled + lead_, capacity_)) return std::nullopt;
    return std::pair{asked_, std::min(asked_ + slice_, capacity_)};
  }
  void asked(std::size_t to) { asked_ = to; } // next()'s rows were asked for
  void restart() { asked_ = 0; }              // a buffer none of whose rows were asked for

private:
  std::size_t capacity_, slice_, lead_;
  std::size_t asked_ = 0;
};

} // namespace caseload::io
