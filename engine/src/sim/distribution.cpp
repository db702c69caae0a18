#include "caseload/sim/distribution.hpp"

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <boost/random/weibull_distribution.hpp>

#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/weibull.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <string>

namespace caseload::sim {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

bool positive_finite(double x) { return std::isfinite(x) && x > 0.0; }

// A distribution whose mean or sd overflows (a Weibull shape of 1e-300 has
// an infinite mean) cannot seed a caseload or be sampled meaningfully.
Distribution with_finite_moments(const Distribution& d, const char* family) {
  require(std::isfinite(d.mean()) && std::isfinite(d.sd()),
          std::string(family) + " parameters give an infinite or undefined mean or sd");
  return d;
}

// Coefficient of variation of a Weibull distribution of shape k.
double weibull_cv(double k) {
  const double g1 = std::tgamma(1.0 + 1.0 / k);
  const double g2 = std::tgamma(1.0 + 2.0 / k);
  return std::sqrt(g2 / (g1 * g1) - 1.0);
}

template <class E> double uniform01(E& engine) { return boost::random::uniform_01<double>{}(engine); }

} // namespace

std::string_view to_string(DistributionKind kind) { return kDistributionNames[static_cast<int>(kind)]; }

DistributionKind distribution_kind_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kDistributionNames.size(); ++i)
    if (kDistributionNames[i] == name) return static_cast<DistributionKind>(i);
  throw std::invalid_argument("unknown distribution");
}

Distribution Distribution::exponential(double mean) {
  require(positive_finite(mean), "exponential mean must be positive and finite");
  return {DistributionKind::exponential, mean, 0.0};
}

Distribution Distribution::lognormal(double mean, double sd) {
  require(positive_finite(mean) && positive_finite(sd),
          "lognormal mean and sd must be positive and finite");
  // Boost's lognormal takes the parameters of the underlying normal. Where
  // the squares overflow (means and sds near 1e300), the ratio first.
  const double squares = (sd * sd) / (mean * mean);
  const double ratio = sd / mean;
  const double sigma2 = std::log1p(std::isfinite(squares) && squares > 0.0 ? squares : ratio * ratio);
  const double mu = std::log(mean) - 0.5 * sigma2;
  require(std::isfinite(sigma2) && std::isfinite(mu) && sigma2 > 0.0,
          "lognormal mean and sd give no finite normal parameters (sd/mean out of range)");
  return with_finite_moments(Distribution{DistributionKind::lognormal, mean, sd, mu, std::sqrt(sigma2)}, "lognormal");
}

Distribution Distribution::gamma(double shape, double scale) {
  require(positive_finite(shape) && positive_finite(scale),
          "gamma shape and scale must be positive and finite");
  return with_finite_moments(Distribution{DistributionKind::gamma, shape, scale}, "gamma");
}

Distribution Distribution::gamma_from_moments(double mean, double sd) {
  require(positive_finite(mean) && positive_finite(sd), "gamma mean and sd must be positive");
  // shape = (mean/sd)^2, scale = sd^2/mean; through the ratio where the squares overflow.
  double shape = (mean * mean) / (sd * sd);
  double scale = (sd * sd) / mean;
  if (!positive_finite(shape) || !positive_finite(scale)) {
    const double ratio = mean / sd;
    shape = ratio * ratio;
    scale = sd / ratio;
  }
  require(positive_finite(shape) && positive_finite(scale),
          "gamma mean and sd give no finite shape and scale (sd/mean out of range)");
  return gamma(shape, scale);
}

Distribution Distribution::weibull(double shape, double scale) {
  require(positive_finite(shape) && positive_finite(scale),
          "weibull shape and scale must be positive and finite");
  return with_finite_moments(Distribution{DistributionKind::weibull, shape, scale}, "weibull");
}

Distribution Distribution::weibull_from_moments(double mean, double sd) {
  require(positive_finite(mean) && positive_finite(sd), "weibull mean and sd must be positive");
  const double cv = sd / mean;
  // The CV falls monotonically in the shape k; bisect on log k.
  double lo = 0.05, hi = 500.0;
  require(cv < weibull_cv(lo) && cv > weibull_cv(hi),
          "weibull sd/mean ratio must lie between 0.002 and about 4e6");
  for (int i = 0; i < 200; ++i) {
    const double mid = std::sqrt(lo * hi);
    (weibull_cv(mid) > cv ? lo : hi) = mid;
  }
  const double k = std::sqrt(lo * hi);
  return weibull(k, mean / std::tgamma(1.0 + 1.0 / k));
}

Distribution Distribution::uniform(double min, double max) {
  require(std::isfinite(min) && std::isfinite(max) && min >= 0.0 && max > min,
          "uniform needs 0 <= min < max, both finite");
  return {DistributionKind::uniform, min, max};
}

Distribution Distribution::fixed(double value) {
  require(positive_finite(value), "fixed value must be positive and finite");
  return {DistributionKind::fixed, value, 0.0};
}

template <class E> double Distribution::sample(E& engine) const {
  switch (kind_) {
  case DistributionKind::exponential:
    return boost::random::exponential_distribution<double>(1.0 / p1_)(engine);
  case DistributionKind::lognormal:
    return boost::random::lognormal_distribution<double>(p3_, p4_)(engine);
  case DistributionKind::gamma:
    return boost::random::gamma_distribution<double>(p1_, p2_)(engine);
  case DistributionKind::weibull:
    return boost::random::weibull_distribution<double>(p1_, p2_)(engine);
  case DistributionKind::uniform:
    return boost::random::uniform_real_distribution<double>(p1_, p2_)(engine);
  case DistributionKind::fixed:
    return p1_;
  }
  return p1_;
}

template <class E> double Distribution::sample_length_biased(E& engine) const {
  switch (kind_) {
  case DistributionKind::exponential: // x e^{-x/m} is gamma(2, m)
    return boost::random::gamma_distribution<double>(2.0, p1_)(engine);
  case DistributionKind::lognormal: // shifts mu by sigma^2
    return boost::random::lognormal_distribution<double>(p3_ + p4_ * p4_, p4_)(engine);
  case DistributionKind::gamma: // gamma(k+1, theta)
    return boost::random::gamma_distribution<double>(p1_ + 1.0, p2_)(engine);
  case DistributionKind::weibull: { // (X/lambda)^k is gamma(1 + 1/k, 1) after biasing
    const double g = boost::random::gamma_distribution<double>(1.0 + 1.0 / p1_, 1.0)(engine);
    return p2_ * std::pow(g, 1.0 / p1_);
  }
  case DistributionKind::uniform: { // density proportional to x on [a, b]
    const double u = uniform01(engine);
    return std::sqrt(p1_ * p1_ + u * (p2_ * p2_ - p1_ * p1_));
  }
  case DistributionKind::fixed:
    return p1_;
  }
  return p1_;
}

template <class E> Distribution::InProgress Distribution::sample_in_progress(E& engine) const {
  // A uniformly placed point inside a length-biased interval splits it into
  // elapsed and remaining parts, each with the equilibrium distribution.
  const double length = sample_length_biased(engine);
  const double remaining = uniform01(engine) * length;
  return {length - remaining, remaining};
}

double Distribution::survival(double x) const {
  namespace bm = boost::math;
  if (x <= 0.0) return 1.0;
  switch (kind_) {
  case DistributionKind::exponential: return std::exp(-x / p1_);
  case DistributionKind::lognormal: return bm::cdf(bm::complement(bm::lognormal_distribution<double>(p3_, p4_), x));
  case DistributionKind::gamma: return bm::cdf(bm::complement(bm::gamma_distribution<double>(p1_, p2_), x));
  case DistributionKind::weibull: return std::exp(-std::pow(x / p2_, p1_));
  case DistributionKind::uniform: return x <= p1_ ? 1.0 : x >= p2_ ? 0.0 : (p2_ - x) / (p2_ - p1_);
  case DistributionKind::fixed: return x < p1_ ? 1.0 : 0.0;
  }
  return 0.0;
}

template <class E> double Distribution::sample_remaining(double served, E& engine) const {
  namespace bm = boost::math;
  served = std::max(0.0, served);
  // 1 - uniform01 lies in (0, 1]: never 0, so the quantile below stays finite.
  const double u = 1.0 - uniform01(engine);
  switch (kind_) {
  case DistributionKind::exponential: // memoryless: S(a + r) / S(a) = exp(-r / m)
    return -p1_ * std::log(u);
  case DistributionKind::weibull: // S(x) = exp(-(x / l)^k): (x / l)^k = (a / l)^k - ln U
    return std::max(0.0, p2_ * std::pow(std::pow(served / p2_, p1_) - std::log(u), 1.0 / p1_) - served);
  case DistributionKind::uniform:
    if (served >= p2_) return 0.0;
    return std::max(served, p1_) + u * (p2_ - std::max(served, p1_)) - served;
  case DistributionKind::fixed: return std::max(0.0, p1_ - served);
  case DistributionKind::lognormal:
  case DistributionKind::gamma: {
    const double tail = survival(served) * u;
    if (!(tail > 0.0)) return 0.0; // served so far into the tail that nothing is left to draw
    const double x = kind_ == DistributionKind::lognormal
                         ? bm::quantile(bm::complement(bm::lognormal_distribution<double>(p3_, p4_), tail))
                         : bm::quantile(bm::complement(bm::gamma_distribution<double>(p1_, p2_), tail));
    return std::max(0.0, x - served);
  }
  }
  return 0.0;
}

template double Distribution::sample(Engine&) const;
template double Distribution::sample_remaining(double, Engine&) const;
template double Distribution::sample_remaining(double, SmallEngine&) const;
template double Distribution::sample(SmallEngine&) const;
template Distribution::InProgress Distribution::sample_in_progress(Engine&) const;
template Distribution::InProgress Distribution::sample_in_progress(SmallEngine&) const;

double Distribution::mean() const {
  switch (kind_) {
  case DistributionKind::exponential: return p1_;
  case DistributionKind::lognormal: return p1_;
  case DistributionKind::gamma: return p1_ * p2_;
  case DistributionKind::weibull: return p2_ * std::tgamma(1.0 + 1.0 / p1_);
  case DistributionKind::uniform: return 0.5 * (p1_ + p2_);
  case DistributionKind::fixed: return p1_;
  }
  return p1_;
}

double Distribution::sd() const {
  switch (kind_) {
  case DistributionKind::exponential: return p1_;
  case DistributionKind::lognormal: return p2_;
  case DistributionKind::gamma: return std::sqrt(p1_) * p2_;
  case DistributionKind::weibull: return mean() * weibull_cv(p1_);
  case DistributionKind::uniform: return (p2_ - p1_) / std::sqrt(12.0);
  case DistributionKind::fixed: return 0.0;
  }
  return 0.0;
}

std::string Distribution::describe() const {
  std::ostringstream out;
  out.precision(17);
  out << to_string(kind_) << "(mean=" << mean() << ", sd=" << sd() << ")";
  return out.str();
}

} // namespace caseload::sim
