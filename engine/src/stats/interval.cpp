#include "caseload/stats/interval.hpp"

#include <boost/math/distributions/students_t.hpp>

#include <cmath>
#include <limits>

namespace caseload::stats {

Interval t_interval(std::span<const double> values, double confidence) {
  Interval out;
  double sum = 0.0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++out.n;
  if (out.n == 0) {
    out.mean = out.half_width = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  out.mean = sum / out.n;
  if (out.n < 2) {
    out.half_width = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  double ss = 0.0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - out.mean) * (v - out.mean);
  const double se = std::sqrt(ss / (out.n - 1) / out.n);
  const boost::math::students_t t(out.n - 1);
  out.half_width = boost::math::quantile(boost::math::complement(t, (1.0 - confidence) / 2.0)) * se;
  return out;
}

} // namespace caseload::stats
