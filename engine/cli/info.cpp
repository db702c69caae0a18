#include "info.hpp"

#include "caseload/app/headline.hpp"
#include "caseload/app/run_summary.hpp"
#include "caseload/io/results_file.hpp"

#include <fmt/format.h>

#include <cmath>

namespace caseload::cli {
namespace {

using io::h5::Group;

std::string fmt_value(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "-"; }
std::string level(const Group& table) { return fmt::format("{:g}%", 100.0 * table.read_double_attribute("confidence")); }

void describe_run(std::FILE* out, const Group& run, const std::string& indent) {
  fmt::print(out, "{}scenario {} (seed {}, {} replications, {:g} days, {:g} warm-up, start {})\n", indent,
             run.read_string_attribute("scenario_name"), run.read_int_attribute("seed").front(),
             run.read_int_attribute("replications").front(), run.read_double_attribute("horizon_days"),
             run.read_double_attribute("warmup_days"), run.read_string_attribute("start_date"));
  const Group stats = run.open_group("statistics");
  const auto ldu = stats.read_strings("ldu");
  const auto figure = stats.read_strings("figure");
  const auto mean = stats.read_doubles("mean");
  const auto low = stats.read_doubles("ci_low");
  const auto high = stats.read_doubles("ci_high");
  fmt::print(out, "{}division, mean and {} interval across replications:\n", indent, level(stats));
  for (const std::string_view name : app::kKeyFigures)
    for (std::size_t i = 0; i < figure.size(); ++i)
      if (ldu[i] == app::kDivisionRow && figure[i] == name)
        fmt::print(out, "{}  {:<36} {:>10}  [{}, {}]\n", indent, name, fmt_value(mean[i]),
                   fmt_value(low[i]), fmt_value(high[i]));
}

} // namespace

int info(std::FILE* out, const std::string& path) {
  const io::ResultsFile results = io::open_results(path);
  const io::h5::File& file = results.file;
  const std::string& kind = results.kind;
  const auto& version = results.version;
  fmt::print(out, "{}: caseload {} file, schema {}.{}, engine {}, created {}\n", path, kind, version[0],
             version[1], file.read_string_attribute("engine_version"), file.read_string_attribute("created"));
  if (kind == "run") {
    describe_run(out, file, "");
  } else if (kind == "comparison") {
    fmt::print(out, "base:\n");
    describe_run(out, file.open_group("base"), "  ");
    fmt::print(out, "variant:\n");
    describe_run(out, file.open_group("variant"), "  ");
    const Group c = file.open_group("comparison");
    const auto ldu = c.read_strings("ldu");
    const auto figure = c.read_strings("figure");
    const auto diff = c.read_doubles("difference");
    const auto low = c.read_doubles("difference_low");
    const auto high = c.read_doubles("difference_high");
    const auto significant = c.read_ints("significant");
    fmt::print(out, "paired differences (variant - base), division; * = the {} interval excludes 0:\n", level(c));
    for (const std::string_view name : app::kKeyFigures)
      for (std::size_t i = 0; i < figure.size(); ++i)
        if (ldu[i] == app::kDivisionRow && figure[i] == name)
          fmt::print(out, "  {:<36} {:>10}  [{}, {}]{}\n", name, fmt_value(diff[i]), fmt_value(low[i]),
                     fmt_value(high[i]), significant[i] ? " *" : "");
  } else if (kind == "sweep") {
    const auto values = file.read_strings("vary_values");
    fmt::print(out, "sweep over {} = {}\n", file.read_string_attribute("vary_key"), fmt::join(values, ", "));
    const Group runs = file.open_group("runs");
    for (std::size_t i = 0; i < values.size(); ++i) {
      fmt::print(out, "{} = {}:\n", file.read_string_attribute("vary_key"), values[i]);
      describe_run(out, runs.open_group(fmt::format("{:04d}", i)), "  ");
    }
  }
  return 0;
}

} // namespace caseload::cli
