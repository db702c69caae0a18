#include "caseload/io/replication_parts.hpp"

#include "caseload/io/csv.hpp"
#include "caseload/io/input_error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace caseload::io {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = "run.txt";

// The manifest: what the parts belong to and when their run began.
struct Manifest {
  std::string identity; // SHA-256 of the identity
  std::string created;
};

std::optional<Manifest> read_manifest(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  Manifest m;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 3);
    if (key == "identity") m.identity = value;
    else if (key == "created") m.created = value;
  }
  if (m.identity.empty() || m.created.empty()) return std::nullopt;
  return m;
}

void write_manifest(const fs::path& file, const Manifest& m, const std::string& engine_version) {
  write_atomically(file, [&](const fs::path& tmp) {
    std::ofstream out(tmp);
    out << "# The finished replications of a caseload run that has not yet written its output.\n"
        << "# Continue it with the same command and --resume.\n"
        << "identity = " << m.identity << "\ncreated = " << m.created << "\nengine_version = " << engine_version
        << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
  });
}

} // namespace

ReplicationParts::ReplicationParts(const fs::path& output, const std::string& identity, RunMetadata meta, bool resume)
    : folder_(folder_of(output)), meta_(std::move(meta)) {
  const std::string digest = sha256_hex(identity);
  const std::string where = folder_.string();
  std::error_code ec;
  const auto status = fs::symlink_status(folder_, ec);
  if (fs::exists(status) && !fs::is_directory(status))
    throw InputError(where, 0, 0, "is in the way of the run's working folder: it is not a folder; remove it");
  if (!fs::exists(status) && !fs::create_directory(folder_, ec))
    throw std::runtime_error("cannot create " + where + ": " + ec.message());

  lock_fd_ = ::open((folder_ / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw std::runtime_error("cannot open " + (folder_ / "lock").string() + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      ::close(lock_fd_);
      lock_fd_ = -1;
      throw InputError(where, 0, 0, "another caseload process is writing this run; wait for it or choose another -o");
    }
    // A file system without locks (some network and cluster mounts): go on unlocked.
  }
  // Working files of parts an interrupted run was writing are incomplete, as
  // is a working file of the output itself left by a run killed while writing it.
  for (const auto& entry : fs::directory_iterator(folder_, ec))
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(entry.path(), ec);
  const fs::path dir = output.has_parent_path() ? output.parent_path() : fs::path(".");
  const std::string working = output.filename().string() + ".tmp-";
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename().string().starts_with(working)) fs::remove(entry.path(), ec);

  // A folder with no finished replication has nothing to continue or lose.
  if (count() == 0) {
    write_manifest(folder_ / kManifest, {digest, meta_.created}, meta_.engine_version);
    return;
  }
  // Refused: the lock is let go for the process that may continue the run.
  const auto refuse = [&](const std::string& why) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw InputError(where, 0, 0, why);
  };
  if (!resume)
    refuse("holds the finished replications of an interrupted run: continue it with the same command and "
                     "--resume, or remove the folder to start again");
  const auto m = read_manifest(folder_ / kManifest);
  if (!m)
    refuse(fmt::format("has no readable {}: not the working folder of a caseload run; remove it", kManifest));
  if (m->identity != digest)
    refuse("holds replications of another run (a different command, scenario, seed, replications, "
                     "compression or engine version): --resume continues only the same command; remove the folder "
                     "to start again");
  meta_.created = m->created;
  resumed_ = true;
}

ReplicationParts::ReplicationParts(const fs::path& output, RunMetadata meta)
    : folder_(folder_of(output)), meta_(std::move(meta)) {}

fs::path ReplicationParts::folder_of(const fs::path& output) {
  fs::path folder = output;
  folder += ".parts";
  return folder;
}

ReplicationParts::~ReplicationParts() {
  if (lock_fd_ < 0) return; // removed
  std::error_code ec;
  if (count() == 0) fs::remove_all(folder_, ec); // still locked, as in remove()
  ::close(lock_fd_);
}

int ReplicationParts::count() const {
  int n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(folder_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->path().extension() == ".h5" && name.find(".tmp-") == std::string::npos) ++n;
  }
  return n;
}

fs::path ReplicationParts::path(std::string_view run, int replication) const {
  return folder_ / fmt::format("{}-{:04d}.h5", run, replication);
}

std::optional<app::FigureTable> ReplicationParts::finished(std::string_view run, int replication,
                                                           const app::FigureTable& columns) const {
  const fs::path file = path(run, replication);
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  try {
    return read_part_figures(file, static_cast<std::size_t>(replication), columns);
  } catch (const std::exception&) {
    // Damaged (a disk that failed, a file altered): run the replication again.
    fs::remove(file, ec);
    return std::nullopt;
  }
}

std::unique_ptr<app::ReplicationWriter> ReplicationParts::open(std::string_view run, int replication,
                                                               const model::Scenario& scenario,
                                                               std::function<void()> on_whole) const {
  return std::make_unique<PartWriter>(path(run, replication), meta_, scenario, static_cast<std::size_t>(replication),
                                      std::move(on_whole));
}

void ReplicationParts::remove() {
  // Removed while still locked, so that no --resume can take the folder in between.
  std::error_code ec;
  fs::remove_all(folder_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
}

} // namespace caseload::io
