#include "caseload/io/history.hpp"

#include "caseload/io/csv.hpp"
#include "caseload/io/input_error.hpp"
#include "csv_cells.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

namespace caseload::io {
namespace {

constexpr std::array<std::string_view, 5> kRequired{"case_id", "ldu", "case_type", "tier", "start_date"};
constexpr std::array<std::string_view, 1> kOptional{"end_date"};

// A TOML basic string.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string percent(double confidence) { return fmt::format("{:g}%", 100.0 * confidence); }

std::string interval(const stats::Estimate& e) { return fmt::format("[{:.6g}, {:.6g}]", e.low, e.high); }

std::string_view family_name(stats::Family f) {
  switch (f) {
  case stats::Family::exponential: return "exponential";
  case stats::Family::lognormal: return "lognormal";
  case stats::Family::weibull: return "weibull";
  }
  return "";
}

// The distribution table, as the scenario takes it, and its comment.
std::pair<std::string, std::string> duration_table(const stats::Fit& fit, double confidence) {
  const std::string level = percent(confidence);
  switch (fit.family) {
  case stats::Family::exponential:
    return {fmt::format("{{ dist = \"exponential\", mean = {:.6g} }}", fit.a.value),
            fmt::format("mean {} {}", level, interval(fit.a))};
  case stats::Family::lognormal:
    return {fmt::format("{{ dist = \"lognormal\", mean = {:.6g}, sd = {:.6g} }}", fit.a.value, fit.b.value),
            fmt::format("{}: mean {}, sd {}", level, interval(fit.a), interval(fit.b))};
  case stats::Family::weibull:
    return {fmt::format("{{ dist = \"weibull\", shape = {:.6g}, scale = {:.6g} }}", fit.a.value, fit.b.value),
            fmt::format("{}: shape {}, scale {}; mean {:.6g} {}", level, interval(fit.a), interval(fit.b),
                        fit.mean.value, interval(fit.mean))};
  }
  return {};
}

std::string tier_mix_table(const app::TypeEstimate& type) {
  std::string out = "{ ";
  bool first = true;
  for (std::size_t t = 0; t < model::kTierCount; ++t) {
    if (type.tier_counts[t] == 0) continue;
    out += fmt::format("{}{} = {:.10g}", first ? "" : ", ", model::kTierNames[t], type.tier_mix[t].value);
    first = false;
  }
  return out + " }";
}

} // namespace

LoadedHistory read_history(const std::filesystem::path& path, std::span<const std::string> ldus) {
  const CsvTable table = read_csv(path, "history file");
  table.expect_columns(kRequired, kOptional);
  LoadedHistory out;
  out.file = table.file();
  std::map<std::string, int> seen;
  std::map<std::string, int> ldu_index;
  for (const CsvRow& row : table.rows()) {
    const Cells cells(table, row);
    unique_id(cells, "case_id", seen);
    app::HistoryCase c;
    const std::string& ldu = cells.required("ldu", "the name of an LDU");
    if (!ldus.empty() && std::find(ldus.begin(), ldus.end(), ldu) == ldus.end()) {
      std::string names;
      for (const auto& n : ldus) names += (names.empty() ? "\"" : ", \"") + n + "\"";
      cells.fail("ldu", "unknown LDU \"" + ldu + "\": expected one of the scenario's LDUs, " + names);
    }
    const auto [entry, added] = ldu_index.emplace(ldu, static_cast<int>(out.history.ldus.size()));
    if (added) out.history.ldus.push_back(ldu);
    c.ldu = entry->second;
    c.type = model::CaseType(cells.choice("case_type", model::kCaseTypeNames, "case type"));
    c.tier = cells.choice("tier", model::kTierNames, "tier");
    c.start_day = *cells.date("start_date", true);
    out.latest_day = out.history.cases.empty() ? c.start_day : std::max(out.latest_day, c.start_day);
    c.end_day = cells.date("end_date", false);
    if (c.end_day) {
      if (*c.end_day < c.start_day)
        cells.fail("end_date", iso_date(*c.end_day) + " is before the case's start_date " + iso_date(c.start_day));
      out.latest_day = std::max(out.latest_day, *c.end_day);
    }
    out.history.cases.push_back(c);
  }
  if (out.history.cases.empty()) throw InputError(out.file, 1, 1, "no cases: expected a row per case after the header");
  return out;
}

std::string demand_fragment(const app::DemandEstimate& e, const FragmentOptions& options) {
  const std::string level = percent(e.confidence);
  std::string out;
  out += fmt::format("# Demand estimated by `caseload estimate` from {}\n", options.history_file);
  out += fmt::format("# Window: {} (the first start date) to {}: {:.6g} weeks; {} cases started, {} open at the end\n",
                     iso_date(e.window_start), iso_date(e.as_of), e.weeks, e.cases, e.open);
  out += fmt::format("# (right-censored). Beside each value, its {} interval: arrivals exact Poisson (Garwood),\n", level);
  out += "# tier shares Wilson, durations maximum likelihood with the observed information (Wald on the\n";
  out += "# log scale). Each type's duration family is the lowest AIC of exponential, lognormal and Weibull.\n";
  const bool variant = options.base != nullptr;
  if (variant) {
    out += "schema_version = 1\n";
    out += "extends = " + quoted(options.extends) + "\n";
    out += "name = " + quoted(options.base->name + " (estimated demand)") + "\n\n[overrides]\n";
  }
  for (std::size_t t = 0; t < model::kCaseTypeCount; ++t) {
    if (!e.types[t]) continue;
    const app::TypeEstimate& type = *e.types[t];
    const std::string name(model::kCaseTypeNames[t]);
    out += "\n";
    if (!variant) out += "[case_types." + name + "]\n";
    out += fmt::format("# {}: {} cases, durations of {} ended and {} open (censored)", name, type.cases,
                       type.durations.empty() ? 0 : type.durations.front().observed,
                       type.durations.empty() ? 0 : type.durations.front().censored);
    if (type.durations.empty()) {
      out += "; none ended, so no duration is estimated\n";
    } else {
      out += "; AIC";
      for (const auto& fit : type.durations) out += fmt::format(" {} {:.1f}", family_name(fit.family), fit.aic);
      out += "\n";
      const auto [table, comment] = duration_table(type.durations.front(), e.confidence);
      out += (variant ? quoted("case_types." + name + ".duration_days") : "duration_days") + " = " + table +
             "   # " + comment + "\n";
    }
    out += (variant ? quoted("case_types." + name + ".tier_mix") : "tier_mix") + " = " + tier_mix_table(type) + "\n";
    out += "# tier shares, " + level + ":";
    for (std::size_t tier = 0; tier < model::kTierCount; ++tier)
      if (type.tier_counts[tier] > 0)
        out += fmt::format(" {} {:.4f} [{:.4f}, {:.4f}];", model::kTierNames[tier], type.tier_mix[tier].value,
                           type.tier_mix[tier].low, type.tier_mix[tier].high);
    out.back() = '\n';
  }
  for (std::size_t l = 0; l < e.ldus.size(); ++l) {
    out += "\n";
    std::string prefix = "arrivals_per_week.";
    if (variant) {
      const auto& ldus = options.base->ldus;
      const auto at = std::find_if(ldus.begin(), ldus.end(), [&](const auto& x) { return x.name == e.ldus[l]; });
      prefix = fmt::format("ldu[{}].arrivals_per_week.", at - ldus.begin());
      out += "# " + e.ldus[l] + "\n";
    } else {
      out += "[[ldu]]\nname = " + quoted(e.ldus[l]) + "\n";
    }
    for (std::size_t t = 0; t < model::kCaseTypeCount; ++t) {
      if (!e.types[t]) continue;
      const stats::Estimate& rate = e.arrivals_per_week[l][t];
      const std::string key = prefix + std::string(model::kCaseTypeNames[t]);
      out += fmt::format("{} = {:.6g}   # {} {}, {} cases\n", variant ? quoted(key) : key, rate.value, level,
                         interval(rate), e.arrivals[l][t]);
    }
  }
  return out;
}

} // namespace caseload::io
