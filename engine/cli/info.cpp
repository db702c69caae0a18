#include "info.hpp"

#include "caseload/io/hdf5.hpp"
#include "caseload/io/input_error.hpp"
#include "caseload/io/output_writer.hpp"
#include "caseload/metrics/headline.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

namespace caseload::cli {
namespace {

using io::h5::Group;

std::string fmt_value(double v) { return std::isfinite(v) ? fmt::format("{:.4g}", v) : "-"; }

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
  fmt::print(out, "{}division, mean and 95% interval across replications:\n", indent);
  for (const std::string_view name : metrics::kKeyFigures)
    for (std::size_t i = 0; i < figure.size(); ++i)
      if (ldu[i] == "division" && figure[i] == name)
        fmt::print(out, "{}  {:<36} {:>10}  [{}, {}]\n", indent, name, fmt_value(mean[i]),
                   fmt_value(low[i]), fmt_value(high[i]));
}

} // namespace

int info(std::FILE* out, const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw io::InputError(path, 0, 0, "no such results file");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) throw io::InputError(path, 0, 0, "not an HDF5 file");
  const io::h5::File file(path, true);
  if (!file.has_attribute("format") || file.read_string_attribute("format") != "caseload")
    throw io::InputError(path, 0, 0, "not a caseload results file (no format = \"caseload\" attribute)");
  const auto version = file.read_int_attribute("schema_version");
  if (version.size() != 2 || version[0] != io::kOutputSchemaMajor)
    throw io::InputError(path, 0, 0,
                         fmt::format("schema version {} is not readable by this caseload (major {})",
                                     fmt::join(version, "."), io::kOutputSchemaMajor));
  const std::string kind = file.has_attribute("kind") ? file.read_string_attribute("kind") : "run";
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
    fmt::print(out, "paired differences (variant - base), division; * = the 95% interval excludes 0:\n");
    for (const std::string_view name : metrics::kKeyFigures)
      for (std::size_t i = 0; i < figure.size(); ++i)
        if (ldu[i] == "division" && figure[i] == name)
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
