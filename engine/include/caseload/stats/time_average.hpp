#pragma once
// The exact time average of a piecewise-constant quantity, integrated event by
// event rather than sampled.

#include <cassert>

namespace caseload::stats {

class TimeAverage {
public:
  // Changes the tracked value at time t (t must not go backwards).
  void set(double t, double value) {
    advance(t);
    value_ = value;
  }
  void add(double t, double delta) { set(t, value_ + delta); }

  // Forgets the area so far: statistics start at t (end of a warm-up).
  void restart(double t) {
    advance(t);
    area_ = 0.0;
    start_ = t;
  }

  [[nodiscard]] double mean(double t_end) const {
    assert(t_end >= last_);
    const double span = t_end - start_;
    if (span <= 0.0) return value_;
    return (area_ + value_ * (t_end - last_)) / span;
  }
  [[nodiscard]] double value() const { return value_; }

private:
  void advance(double t) {
    assert(t >= last_);
    area_ += value_ * (t - last_);
    last_ = t;
  }
  double value_ = 0.0;
  double area_ = 0.0;
  double last_ = 0.0;
  double start_ = 0.0;
};

} // namespace caseload::stats
