#include "caseload/stats/fit.hpp"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

namespace caseload::stats {
namespace {

using Point = std::array<double, 2>;
using Covariance = std::array<std::array<double, 2>, 2>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double normal_quantile(double confidence) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), 0.5 + confidence / 2.0);
}

// log P(Z > z) for a standard normal Z, accurate far into the upper tail.
double log_normal_survival(double z) {
  if (z < 25.0) return std::log(0.5 * std::erfc(z / std::numbers::sqrt2));
  // Mills ratio: P(Z > z) ~ phi(z) / z (1 - 1/z^2 + 3/z^4)
  return -0.5 * z * z - std::log(z) - 0.5 * std::log(2.0 * std::numbers::pi) + std::log1p(-1.0 / (z * z) + 3.0 / (z * z * z * z));
}

// The minimum of f over the plane, from x0 (Nelder and Mead's simplex), to
// a simplex whose values agree to 1e-13 relatively and whose points to 1e-10.
Point nelder_mead(const std::function<double(const Point&)>& f, Point x0, double step) {
  std::array<Point, 3> x{x0, Point{x0[0] + step, x0[1]}, Point{x0[0], x0[1] + step}};
  std::array<double, 3> fx{f(x[0]), f(x[1]), f(x[2])};
  for (int iteration = 0; iteration < 10000; ++iteration) {
    std::array<int, 3> order{0, 1, 2};
    std::sort(order.begin(), order.end(), [&](int a, int b) { return fx[a] < fx[b]; });
    const Point best = x[order[0]], mid = x[order[1]], worst = x[order[2]];
    const double f_best = fx[order[0]], f_mid = fx[order[1]], f_worst = fx[order[2]];
    const double size = std::max({std::abs(mid[0] - best[0]), std::abs(mid[1] - best[1]),
                                  std::abs(worst[0] - best[0]), std::abs(worst[1] - best[1])});
    if (std::abs(f_worst - f_best) <= 1e-13 * (1.0 + std::abs(f_best)) && size < 1e-10) break;
    const Point centre{(best[0] + mid[0]) / 2.0, (best[1] + mid[1]) / 2.0};
    const auto along = [&](double t) { return Point{centre[0] + t * (worst[0] - centre[0]), centre[1] + t * (worst[1] - centre[1])}; };
    const Point reflected = along(-1.0);
    const double f_reflected = f(reflected);
    auto replace_worst = [&](const Point& p, double fp) {
      x[order[2]] = p;
      fx[order[2]] = fp;
    };
    if (f_reflected < f_best) {
      const Point expanded = along(-2.0);
      const double f_expanded = f(expanded);
      if (f_expanded < f_reflected) replace_worst(expanded, f_expanded);
      else replace_worst(reflected, f_reflected);
    } else if (f_reflected < f_mid) {
      replace_worst(reflected, f_reflected);
    } else {
      const Point contracted = f_reflected < f_worst ? along(-0.5) : along(0.5);
      const double f_contracted = f(contracted);
      if (f_contracted < std::min(f_reflected, f_worst)) {
        replace_worst(contracted, f_contracted);
      } else { // shrink towards the best
        for (int k : {order[1], order[2]}) {
          x[k] = Point{(x[k][0] + best[0]) / 2.0, (x[k][1] + best[1]) / 2.0};
          fx[k] = f(x[k]);
        }
      }
    }
  }
  const auto best = std::min_element(fx.begin(), fx.end()) - fx.begin();
  return x[static_cast<std::size_t>(best)];
}

// The inverse of the observed information, -(Hessian of the log-likelihood)^-1,
// by central differences; NaN where the Hessian is not negative definite.
Covariance inverse_information(const std::function<double(const Point&)>& loglik, const Point& at) {
  constexpr double h = 1e-3;
  const auto l = [&](double di, double dj) { return loglik(Point{at[0] + di, at[1] + dj}); };
  const double l0 = l(0, 0);
  const double h00 = (l(h, 0) - 2 * l0 + l(-h, 0)) / (h * h);
  const double h11 = (l(0, h) - 2 * l0 + l(0, -h)) / (h * h);
  const double h01 = (l(h, h) - l(h, -h) - l(-h, h) + l(-h, -h)) / (4 * h * h);
  // Information I = -H; its inverse.
  const double i00 = -h00, i11 = -h11, i01 = -h01;
  const double det = i00 * i11 - i01 * i01;
  if (!(i00 > 0.0 && det > 0.0)) return {{{kNaN, kNaN}, {kNaN, kNaN}}};
  return {{{i11 / det, -i01 / det}, {-i01 / det, i00 / det}}};
}

// An estimate of a positive quantity g(theta), with a Wald interval on
// log g by the delta method (gradient by central differences).
Estimate log_interval(const std::function<double(const Point&)>& g, const Point& at, const Covariance& c, double z) {
  constexpr double h = 1e-6;
  const double value = g(at);
  const Point grad{(std::log(g(Point{at[0] + h, at[1]})) - std::log(g(Point{at[0] - h, at[1]}))) / (2 * h),
                   (std::log(g(Point{at[0], at[1] + h})) - std::log(g(Point{at[0], at[1] - h}))) / (2 * h)};
  const double var = grad[0] * grad[0] * c[0][0] + 2 * grad[0] * grad[1] * c[0][1] + grad[1] * grad[1] * c[1][1];
  const double half = z * std::sqrt(var);
  return {value, value * std::exp(-half), value * std::exp(half)};
}

struct Counts {
  std::int64_t observed = 0;
  std::int64_t censored = 0;
  double total_time = 0.0;
  bool distinct = false; // two observed times differ
};

Counts count(std::span<const Duration> data) {
  Counts c;
  double first = kNaN;
  for (const Duration& d : data) {
    assert(d.time > 0.0);
    c.total_time += d.time;
    if (!d.observed) {
      ++c.censored;
      continue;
    }
    ++c.observed;
    if (std::isnan(first)) first = d.time;
    else if (d.time != first) c.distinct = true;
  }
  return c;
}

// A two-parameter fit: the maximum of `loglik` from `start`, then the
// scenario's parameters and the mean, each with its interval.
Fit fit_two(Family family, std::span<const Duration> data, double confidence,
            const std::function<double(const Point&)>& loglik, Point start,
            const std::function<double(const Point&)>& a, const std::function<double(const Point&)>& b,
            const std::function<double(const Point&)>& mean) {
  const Counts n = count(data);
  const Point at = nelder_mead(
      [&](const Point& p) {
        const double l = loglik(p);
        return std::isfinite(l) ? -l : std::numeric_limits<double>::max();
      },
      start, 0.5);
  const Covariance c = inverse_information(loglik, at);
  const double z = normal_quantile(confidence);
  Fit fit;
  fit.family = family;
  fit.a = log_interval(a, at, c, z);
  fit.b = log_interval(b, at, c, z);
  fit.mean = log_interval(mean, at, c, z);
  fit.log_likelihood = loglik(at);
  fit.aic = 4.0 - 2.0 * fit.log_likelihood;
  fit.observed = n.observed;
  fit.censored = n.censored;
  return fit;
}

} // namespace

Estimate poisson_rate(std::int64_t count, double exposure, double confidence) {
  assert(count >= 0 && exposure > 0.0);
  const double alpha = 1.0 - confidence;
  const auto n = static_cast<double>(count);
  const double low = count == 0 ? 0.0 : boost::math::gamma_p_inv(n, alpha / 2.0);
  const double high = boost::math::gamma_p_inv(n + 1.0, 1.0 - alpha / 2.0);
  return {n / exposure, low / exposure, high / exposure};
}

Estimate proportion(std::int64_t k, std::int64_t n, double confidence) {
  assert(n > 0 && k >= 0 && k <= n);
  const double z = normal_quantile(confidence);
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double denominator = 1.0 + z * z / nn;
  const double centre = (p + z * z / (2.0 * nn)) / denominator;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z * z / (4.0 * nn * nn)) / denominator;
  return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

Fit fit_exponential(std::span<const Duration> data, double confidence) {
  // With d observed of total time T, the MLE of the mean is T / d and the
  // information of log(mean) is d.
  const Counts n = count(data);
  assert(n.observed > 0);
  const double d = static_cast<double>(n.observed);
  const double mean = n.total_time / d;
  const double half = normal_quantile(confidence) / std::sqrt(d);
  Fit fit;
  fit.family = Family::exponential;
  fit.a = fit.mean = {mean, mean * std::exp(-half), mean * std::exp(half)};
  fit.log_likelihood = -d * std::log(mean) - n.total_time / mean;
  fit.aic = 2.0 - 2.0 * fit.log_likelihood;
  fit.observed = n.observed;
  fit.censored = n.censored;
  return fit;
}

Fit fit_lognormal(std::span<const Duration> data, double confidence) {
  // theta = (mu, log sigma) of log(duration).
  const auto loglik = [&](const Point& p) {
    const double mu = p[0], log_sigma = p[1], sigma = std::exp(log_sigma);
    double l = 0.0;
    for (const Duration& d : data) {
      const double z = (std::log(d.time) - mu) / sigma;
      l += d.observed ? -std::log(d.time) - log_sigma - 0.5 * std::log(2.0 * std::numbers::pi) - 0.5 * z * z
                      : log_normal_survival(z);
    }
    return l;
  };
  double sum = 0.0, sum2 = 0.0, k = 0.0;
  for (const Duration& d : data)
    if (d.observed) sum += std::log(d.time), sum2 += std::log(d.time) * std::log(d.time), ++k;
  const double m = sum / k;
  const double s = std::sqrt(std::max(1e-6, sum2 / k - m * m));
  const auto mean = [](const Point& p) { return std::exp(p[0] + 0.5 * std::exp(2 * p[1])); };
  return fit_two(Family::lognormal, data, confidence, loglik, Point{m, std::log(s)}, mean,
                 [&](const Point& p) { return mean(p) * std::sqrt(std::expm1(std::exp(2 * p[1]))); }, mean);
}

Fit fit_weibull(std::span<const Duration> data, double confidence) {
  // theta = (log shape, log scale).
  const auto loglik = [&](const Point& p) {
    const double k = std::exp(p[0]), log_scale = p[1];
    double l = 0.0;
    for (const Duration& d : data) {
      const double log_ratio = std::log(d.time) - log_scale;
      const double power = std::exp(k * log_ratio);
      l += d.observed ? p[0] - log_scale + (k - 1.0) * log_ratio - power : -power;
    }
    return l;
  };
  const Counts n = count(data);
  return fit_two(
      Family::weibull, data, confidence, loglik, Point{0.0, std::log(n.total_time / static_cast<double>(n.observed))},
      [](const Point& p) { return std::exp(p[0]); }, [](const Point& p) { return std::exp(p[1]); },
      [](const Point& p) { return std::exp(p[1]) * std::tgamma(1.0 + 1.0 / std::exp(p[0])); });
}

std::vector<Fit> fit_by_aic(std::span<const Duration> data, double confidence) {
  const Counts n = count(data);
  std::vector<Fit> fits;
  if (n.observed == 0) return fits;
  fits.push_back(fit_exponential(data, confidence));
  if (n.distinct) {
    fits.push_back(fit_lognormal(data, confidence));
    fits.push_back(fit_weibull(data, confidence));
  }
  std::stable_sort(fits.begin(), fits.end(), [](const Fit& x, const Fit& y) { return x.aic < y.aic; });
  return fits;
}

} // namespace caseload::stats
