#include "caseload/io/pages.hpp"

#include <cstdint>

#include <sys/mman.h>
#include <unistd.h>

namespace caseload::io {

bool prepare_pages_for_writing(const void* begin, std::size_t bytes) noexcept {
#ifdef MADV_POPULATE_WRITE
  if (bytes == 0) return true;
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (page_size <= 0) return false;
  const auto page = static_cast<std::uintptr_t>(page_size);
  const auto first = reinterpret_cast<std::uintptr_t>(begin);
  // Whole pages: the first and last may hold other allocations' bytes too,
  // which the kernel keeps as they are.
  const std::uintptr_t start = first / page * page;
  const std::uintptr_t end = (first + bytes + page - 1) / page * page;
  // A failure (an old kernel, a range past the mapping) only leaves pages
  // to be faulted in when first written.
  return ::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE) == 0;
#else
  (void)begin;
  (void)bytes;
  return false;
#endif
}

} // namespace caseload::io
