#pragma once
// Small scenarios written inline for tests.

#include "caseload/io/scenario_loader.hpp"

#include <string>

namespace caseload::test {

// All three case types, with a mix of tiers and duration families.
inline const std::string kCaseTypes = R"(
[case_types.community]
duration_days = { dist = "lognormal", mean = 200, sd = 120 }
tier_mix = { A3 = 0.2, B2 = 0.4, C1 = 0.3, D0 = 0.1 }
[case_types.custody]
duration_days = { dist = "gamma", mean = 250, sd = 100 }
tier_mix = { A2 = 0.5, B1 = 0.5 }
becomes = "licence"
[case_types.licence]
duration_days = { dist = "weibull", mean = 180, sd = 90 }
tier_mix = { A1 = 0.3, B3 = 0.3, C2 = 0.4 }
)";

// Two LDUs, all three case types; `extra_top` goes before the tables (top-level keys),
// `allocation` is the body of [allocation], and `po` the in-post PO count of LDU A.
inline std::string two_ldu_scenario(const std::string& allocation = "policy = \"least_loaded\"",
                                    int po = 12, const std::string& extra_top = "") {
  return "schema_version = 1\nname = \"two\"\nseed = 11\nhorizon_days = 730\n" + extra_top +
         R"(
[allocation]
)" + allocation + kCaseTypes + R"(
[[ldu]]
name = "A"
neighbours = ["B"]
staff.PO = { establishment = 15, in_post = )" + std::to_string(po) + R"( }
staff.PSO = { establishment = 4 }
staff.PQiP = { establishment = 2, reduction_percent = 60 }
staff.SPO = { establishment = 2 }
arrivals_per_week = { community = 4, custody = 2, licence = 0.5 }
[[ldu]]
name = "B"
staff.PO = { establishment = 6 }
staff.PSO = { establishment = 2 }
arrivals_per_week = { community = 2, custody = 1 }
)";
}

inline model::Scenario parse(const std::string& text) {
  return io::parse_scenario(text, "test.toml").scenario;
}

} // namespace caseload::test
