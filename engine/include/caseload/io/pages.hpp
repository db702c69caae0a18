#pragma once

#include <cassert>
#include <cstddef>
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
// written meanwhile: no value is read or written here).
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

} // namespace caseload::io
