#pragma once
// Estimates with intervals from counts and from right-censored durations
// (docs/model.md §20): a Poisson rate (exact Garwood interval), a proportion
// (Wilson score interval), and a duration distribution fitted by maximum
// likelihood with censoring (exponential in closed form; lognormal and
// Weibull numerically), intervals from the observed information.
// Nothing here knows what is counted or timed.

#include <cstdint>
#include <span>
#include <vector>

namespace caseload::stats {

// A value and its interval at some confidence level.
struct Estimate {
  double value = 0.0;
  double low = 0.0;
  double high = 0.0;
  [[nodiscard]] bool covers(double x) const { return low <= x && x <= high; }
};

// The rate of a Poisson process from `count` events in `exposure` (any
// unit): count / exposure, with the exact (Garwood) interval from the
// chi-squared quantiles, chi2(a/2; 2n)/2 and chi2(1 - a/2; 2n + 2)/2.
Estimate poisson_rate(std::int64_t count, double exposure, double confidence);

// A proportion k / n with the Wilson score interval; n must be positive.
Estimate proportion(std::int64_t k, std::int64_t n, double confidence);

// A duration: ended after `time` (observed), or still going at `time`
// (right-censored: only known to be longer).
struct Duration {
  double time = 0.0; // > 0
  bool observed = true;
};

enum class Family { exponential, lognormal, weibull };

// A fitted family. Parameters as the scenario writes them:
// exponential: a = mean; lognormal: a = mean, b = sd (of the duration, not of
// its log); weibull: a = shape, b = scale. Each with its interval, and the
// mean duration's. Intervals are Wald intervals on the log scale of each
// quantity (so they stay positive), from the inverse of the observed
// information at the maximum, by the delta method.
struct Fit {
  Family family = Family::exponential;
  Estimate a;
  Estimate b; // unused (0) for the exponential
  Estimate mean;
  double log_likelihood = 0.0;
  double aic = 0.0; // 2 × parameters − 2 × log-likelihood
  std::int64_t observed = 0;
  std::int64_t censored = 0;
};

// Each needs at least one observed duration; lognormal and Weibull at least
// two distinct observed times. Times must be positive.
Fit fit_exponential(std::span<const Duration> data, double confidence);
Fit fit_lognormal(std::span<const Duration> data, double confidence);
Fit fit_weibull(std::span<const Duration> data, double confidence);

// Every family that can be fitted, the lowest AIC first.
std::vector<Fit> fit_by_aic(std::span<const Duration> data, double confidence);

} // namespace caseload::stats
