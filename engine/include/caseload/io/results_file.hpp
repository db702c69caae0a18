#pragma once
// Opening a results file for reading, with the format check every reader
// makes first (the Python package makes the same one): format = "caseload"
// and a schema major version this build reads.

#include "caseload/io/hdf5.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace caseload::io {

struct ResultsFile {
  h5::File file;
  std::string kind;                      // "run", "comparison", "sweep" or "sensitivity"
  std::array<std::int64_t, 2> version{}; // schema [major, minor]
};

// Throws InputError naming the file when it is missing, not HDF5, not a
// caseload file, or of a schema major version this build cannot read.
ResultsFile open_results(const std::string& path);

} // namespace caseload::io
