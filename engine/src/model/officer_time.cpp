#include "caseload/model/officer_time.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace caseload::model {
namespace {

// h(u) with x = 1 − u, written so that it does not cancel when x ≪ 0.
double smooth_spare(double x, double r) {
  const double root = std::sqrt(x * x + 4.0 * r * r);
  return x >= 0.0 ? (x + root) / 2.0 : 2.0 * r * r / (root - x);
}

} // namespace

double task_share(double load, double share_at_capacity) {
  assert(share_at_capacity >= 0.0 && share_at_capacity < 1.0);
  const double s = share_at_capacity;
  const double r = s / (1.0 - s * s);
  if (r == 0.0) return std::max(1.0 - load, 0.0);
  return smooth_spare(1.0 - load, r) / smooth_spare(1.0, r);
}

} // namespace caseload::model
