#include "caseload/io/results_file.hpp"

#include "caseload/io/input_error.hpp"
#include "caseload/io/output_writer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

namespace caseload::io {

ResultsFile open_results(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InputError(path, 0, 0, "no such results file");
  h5::quiet_errors();
  if (!h5::is_hdf5(path)) throw InputError(path, 0, 0, "not an HDF5 file");
  h5::File file(path, true);
  if (!file.has_attribute("format") || file.read_string_attribute("format") != "caseload")
    throw InputError(path, 0, 0, "not a caseload results file (no format = \"caseload\" attribute)");
  const auto version = file.read_int_attribute("schema_version");
  if (version.size() != 2 || version[0] != kOutputSchemaMajor)
    throw InputError(path, 0, 0,
                     fmt::format("schema version {} is not readable by this caseload (major {})",
                                 fmt::join(version, "."), kOutputSchemaMajor));
  std::string kind = file.has_attribute("kind") ? file.read_string_attribute("kind") : "run";
  return {std::move(file), std::move(kind), {version[0], version[1]}};
}

} // namespace caseload::io
