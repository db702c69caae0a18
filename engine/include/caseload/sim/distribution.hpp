#pragma once
// Probability distributions of durations, chosen by name, built on Boost.Random
// distributions only (std:: distributions differ between standard libraries).

#include "caseload/sim/random.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

namespace caseload::sim {

enum class DistributionKind { exponential, lognormal, gamma, weibull, uniform, fixed };
// The names of the kinds, in the enum's order (scenario files use them).
inline constexpr std::array<std::string_view, 6> kDistributionNames{"exponential", "lognormal", "gamma",
                                                                    "weibull",     "uniform",   "fixed"};

std::string_view to_string(DistributionKind kind);
// Throws std::invalid_argument for an unknown name.
DistributionKind distribution_kind_from_string(std::string_view name);

// A value type: parameters only, so it can be shared between threads; each
// sample builds the (stateless, cheap) Boost distribution it needs.
class Distribution {
public:
  // Each factory throws std::invalid_argument for parameters outside the domain.
  static Distribution exponential(double mean);
  static Distribution lognormal(double mean, double sd);
  static Distribution gamma(double shape, double scale);
  static Distribution gamma_from_moments(double mean, double sd);
  static Distribution weibull(double shape, double scale);
  static Distribution weibull_from_moments(double mean, double sd);
  static Distribution uniform(double min, double max);
  static Distribution fixed(double value);

  Distribution() : Distribution(fixed(1.0)) {}

  // Engines: sim::Engine or sim::SmallEngine.
  template <class E> [[nodiscard]] double sample(E& engine) const;

  // An item caught in progress at a random instant: its time left has the
  // equilibrium (stationary residual) density (1 - F(x)) / E[X], and elapsed +
  // remaining is length-biased. Used to start a simulation in steady state.
  struct InProgress {
    double elapsed;
    double remaining;
  };
  template <class E> [[nodiscard]] InProgress sample_in_progress(E& engine) const;
  template <class E> [[nodiscard]] double sample_residual(E& engine) const {
    return sample_in_progress(engine).remaining;
  }

  // The time left of an item already `served` long: a draw of X - served
  // given X > served, by inversion of the survival function, S(served + R) =
  // U S(served) with U uniform on (0, 1). Where S(served) is 0 (served past
  // the support, e.g. beyond a fixed or uniform maximum) the item is overdue: 0.
  template <class E> [[nodiscard]] double sample_remaining(double served, E& engine) const;
  // P(X > x).
  [[nodiscard]] double survival(double x) const;

  [[nodiscard]] double mean() const;
  [[nodiscard]] double sd() const;
  [[nodiscard]] DistributionKind kind() const { return kind_; }
  // The parameters as stored (see the members below).
  [[nodiscard]] double param1() const { return p1_; }
  [[nodiscard]] double param2() const { return p2_; }
  [[nodiscard]] std::string describe() const;

private:
  Distribution(DistributionKind kind, double p1, double p2, double p3 = 0.0, double p4 = 0.0)
      : kind_(kind), p1_(p1), p2_(p2), p3_(p3), p4_(p4) {}
  // A draw from the length-biased distribution, density x f(x) / E[X].
  template <class E> [[nodiscard]] double sample_length_biased(E& engine) const;

  DistributionKind kind_;
  // exponential: mean, -; lognormal: mean, sd (as given, so that they print
  // back exactly); gamma: shape, scale; weibull: shape, scale; uniform: min,
  // max; fixed: value, -.
  double p1_;
  double p2_;
  // lognormal only: mu and sigma of the underlying normal, which Boost takes.
  double p3_;
  double p4_;
};

} // namespace caseload::sim
