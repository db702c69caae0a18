#pragma once
// A command's processes on MPI (`mpirun -n N caseload run …`, or Slurm's
// `srun`): every process runs the same command; replications are handed out
// by the leader (rank 0) to whichever process asks for more, run on each
// process's threads, and their figures gathered and shared, so that results
// are the same whatever the number of processes (docs/architecture.md, "Runs
// across machines").

#include "caseload/app/experiment.hpp"

#include <memory>

namespace caseload::parallel {

class MpiCluster final : public app::Cluster {
public:
  // Joins the MPI run this process was started in (by mpirun, mpiexec or
  // srun, seen from their environment variables); none when it was started
  // on its own, so that the binary behaves as a single process then.
  static std::unique_ptr<MpiCluster> join(int& argc, char**& argv);
  ~MpiCluster() override; // MPI_Finalize
  MpiCluster(const MpiCluster&) = delete;
  MpiCluster& operator=(const MpiCluster&) = delete;

  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  std::vector<app::ReplicationFigures> run(const model::Scenario& scenario, std::vector<int>& which, int threads,
                                           const app::LocalSink& local,
                                           const app::ProgressCallback& progress) const override;
  [[nodiscard]] int broadcast(int value) const override;
  [[nodiscard]] int agree(int status) const override;

private:
  MpiCluster(int rank, int size) : rank_(rank), size_(size) {}
  int rank_;
  int size_;
};

// Whether this build has MPI (CASELOAD_MPI) and the process was started by an MPI launcher.
[[nodiscard]] bool started_by_mpi_launcher();

} // namespace caseload::parallel
