#pragma once

#include <cstdio>
#include <string>

namespace caseload::cli {

// `caseload info FILE`: what a results file holds, and its headline figures.
int info(std::FILE* out, const std::string& path);

} // namespace caseload::cli
