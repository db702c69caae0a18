#include "progress.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <unistd.h>

namespace caseload::cli {

Progress::Progress(std::string label, int total, double horizon_days, bool enabled, int already)
    : label_(std::move(label)), horizon_days_(horizon_days),
      draw_(enabled && total > 1 && isatty(STDERR_FILENO) == 1), already_(already) {}

void Progress::update(int done, int total, std::uint64_t events) {
  events_ += events;
  if (!draw_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int timed = done - already_;
  const double left = timed > 0 ? elapsed / timed * (total - done) : 0.0;
  constexpr int kWidth = 24;
  const int filled = kWidth * done / total;
  fmt::print(stderr, "\r{:.30} [{}{}] {}/{} replications, {:.0f} weeks, {:.3g} events/s, {:.1f} s left ",
             label_, std::string(filled, '#'), std::string(kWidth - filled, '.'), done, total,
             done * horizon_days_ / 7.0, elapsed > 0 ? events_ / elapsed : 0.0, left);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) fmt::print(stderr, "\r\033[K");
}

} // namespace caseload::cli
