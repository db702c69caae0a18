#pragma once
// Replications of a scenario, run in parallel. Each replication has its own
// random streams, so the results do not depend on the number of threads, nor
// on the number of processes of an MPI run.

#include "caseload/app/run_summary.hpp"
#include "caseload/model/results.hpp"
#include "caseload/model/scenario.hpp"

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace caseload::app {

// Called (serialised) after each replication finishes, with its events.
using ProgressCallback = std::function<void(int done, int total, std::uint64_t events)>;

// threads <= 0 means one per hardware thread.
std::vector<model::ReplicationResult> run_replications(const model::Scenario& scenario, int replications,
                                                int threads, const ProgressCallback& progress = {});

// What becomes of a replication where it runs, while it runs (a run with -o:
// its part file): its task and victim records as the engine releases them
// (model::RecordSink), then, once it finished, the rest of it. The writing
// may go on after finish() returns, while the next replication runs;
// close() waits for it, and throws what it failed with.
class ReplicationWriter : public model::RecordSink {
public:
  virtual void finish(model::ReplicationResult&& result, FigureTable rows) = 0;
  virtual void close() = 0;
};

// The writers of finished replications still writing: at most `limit`
// (beyond that, add() waits for the oldest), so that a run holds at most that
// many finished replications besides those running. Thread-safe.
class ClosingWriters {
public:
  explicit ClosingWriters(std::size_t limit) : limit_(limit) {}
  void add(std::unique_ptr<ReplicationWriter> writer);
  // Waits for every one, even after one failed; then throws the first failure.
  void close_all();

private:
  std::size_t limit_;
  std::mutex mutex_;
  std::deque<std::unique_ptr<ReplicationWriter>> open_;
};

// Opens a replication's writer, in the thread that runs it, before it runs.
using LocalSink = std::function<std::unique_ptr<ReplicationWriter>(int replication)>;

// Called (from worker threads, serialised) with each finished replication,
// which is dropped when the call returns, and its writer if one was opened:
// a run that hands each result on (to a file, to its figures) holds at most
// one replication per thread, whatever the number of replications.
using ReplicationSink =
    std::function<void(int replication, model::ReplicationResult&& result, ReplicationWriter* writer)>;

// Runs the replications numbered in `which` (each with its own streams, so
// any subset gives the same results as in a whole run); with `local`, each
// replication's records go to the writer it opens. `keep_officer_series`:
// whether the results the sink gets hold the officer series (a sink that
// keeps only figures has no use for them).
void for_each_replication(const model::Scenario& scenario, std::span<const int> which, int threads,
                          const ReplicationSink& sink, const LocalSink& local = {},
                          bool keep_officer_series = true);

// What every process needs of a finished replication: its rows of the figure
// table and its events.
struct ReplicationFigures {
  FigureTable rows;
  std::uint64_t events = 0;
};

// The processes of a run spread over machines (MPI: parallel/mpi_cluster.hpp).
// Every process of a command makes the same calls in the same order (one
// program, many processes); the first, the leader, prints and writes.
class Cluster {
public:
  virtual ~Cluster() = default;
  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;
  [[nodiscard]] bool leader() const { return rank() == 0; }
  // Runs the leader's `which` over every process's `threads`, handing
  // replications out as processes ask for more (dynamic load balancing);
  // `local` opens a writer where each runs (finished there, serialised, with
  // its figures), `progress` is called on the leader. Returns, on
  // every process, the leader's `which` and each one's figures, in order.
  virtual std::vector<ReplicationFigures> run(const model::Scenario& scenario, std::vector<int>& which, int threads,
                                              const LocalSink& local, const ProgressCallback& progress) const = 0;
  // The leader's value, on every process.
  [[nodiscard]] virtual int broadcast(int value) const = 0;
  // The largest of every process's `status`, on every process: how processes
  // that checked alone (a file, a machine's memory) agree to go on or stop.
  [[nodiscard]] virtual int agree(int status) const = 0;
};

// Thrown on the processes other than the leader when the leader failed (and
// said so itself): they end with its exit status, quietly.
struct ClusterFailure : std::exception {
  [[nodiscard]] const char* what() const noexcept override { return "the leader of the MPI run failed"; }
};

// Where a command's replications run: `threads` of this process (<= 0: one
// per hardware thread) and, in an MPI run, every process of the cluster.
struct Workers {
  Workers(int threads = 0, const Cluster* cluster = nullptr) : threads(threads), cluster(cluster) {} // NOLINT: an int is a count of threads
  int threads;
  const Cluster* cluster;
  [[nodiscard]] bool spread() const { return cluster != nullptr && cluster->size() > 1; }
};

// The replications `which` (the leader's, in an MPI run: `which` becomes it),
// keeping only their figures, on `workers`; in order of `which`.
std::vector<ReplicationFigures> run_figures(const model::Scenario& scenario, std::vector<int>& which,
                                            const Workers& workers, const LocalSink& local = {},
                                            const ProgressCallback& progress = {});

// All the replications, keeping only their figures: the summary of a run,
// in the memory of one replication per thread.
RunSummary summarise_replications(const model::Scenario& scenario, const Workers& workers,
                                  double confidence = kConfidence, const ProgressCallback& progress = {});

} // namespace caseload::app
