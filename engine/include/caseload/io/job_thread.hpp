#pragma once
// A thread of its own that runs the jobs posted to it, one at a time, in the
// order posted: a part file is written by one (HDF5 work and its
// compression off the simulating thread, which only hands over buffers).

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace caseload::io {

class JobThread {
public:
  // post() waits while `max_waiting` of its jobs are waiting: what a job holds
  // (a chunk of records, a finished replication) is bounded.
  explicit JobThread(std::size_t max_waiting) : max_waiting_(max_waiting), thread_([this] { work(); }) {}
  // Drops the jobs still waiting, lets the one running end, joins.
  ~JobThread() {
    {
      const std::lock_guard lock(mutex_);
      waiting_.clear();
      hints_waiting_ = 0;
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  JobThread(const JobThread&) = delete;
  JobThread& operator=(const JobThread&) = delete;

  // After a job failed, later jobs are dropped: wait() throws that failure.
  template <class F> void post(F&& job) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return waiting_.size() - hints_waiting_ < max_waiting_ || failure_; });
    if (failure_) return;
    waiting_.push_back(std::make_unique<Job<std::decay_t<F>>>(std::forward<F>(job), false));
    changed_.notify_all();
  }

  // A job the caller can do without (work ahead that only saves time),
  // run in order with the others: posted unless `kMaxHints` such jobs are
  // waiting already, else dropped at once; whether it was posted. Such jobs
  // take none of post()'s places, so posting one never makes post() wait.
  static constexpr std::size_t kMaxHints = 4;
  template <class F> bool try_post(F&& job) {
    const std::lock_guard lock(mutex_);
    if (hints_waiting_ >= kMaxHints || failure_) return false;
    waiting_.push_back(std::make_unique<Job<std::decay_t<F>>>(std::forward<F>(job), true));
    ++hints_waiting_;
    changed_.notify_all();
    return true;
  }

  // Rethrows the failure of a job that failed, if one has; does not wait.
  void check() {
    if (!failed_.load(std::memory_order_acquire)) return;
    const std::lock_guard lock(mutex_);
    std::rethrow_exception(failure_);
  }

  // Until every job posted has run; rethrows the first one's failure.
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return (waiting_.empty() && !running_) || failure_; });
    if (failure_) std::rethrow_exception(failure_);
  }

private:
  struct AnyJob {
    explicit AnyJob(bool hint) : hint(hint) {}
    virtual ~AnyJob() = default;
    virtual void run() = 0;
    bool hint; // posted by try_post()
  };
  template <class F> struct Job final : AnyJob {
    Job(F&& f, bool hint) : AnyJob(hint), f(std::move(f)) {}
    Job(const F& f, bool hint) : AnyJob(hint), f(f) {}
    void run() override { f(); }
    F f;
  };

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      changed_.wait(lock, [&] { return !waiting_.empty() || stopping_; });
      if (waiting_.empty()) return; // stopping
      std::unique_ptr<AnyJob> job = std::move(waiting_.front());
      waiting_.pop_front();
      if (job->hint) --hints_waiting_;
      running_ = true;
      changed_.notify_all(); // room to post
      lock.unlock();
      std::exception_ptr failed;
      try {
        job->run();
      } catch (...) {
        failed = std::current_exception();
      }
      job.reset(); // what it held is freed here, not under the lock
      lock.lock();
      running_ = false;
      if (failed && !failure_) {
        failure_ = failed;
        failed_.store(true, std::memory_order_release);
        waiting_.clear();
        hints_waiting_ = 0;
      }
      changed_.notify_all();
    }
  }

  std::size_t max_waiting_;
  std::mutex mutex_; // guards everything below
  std::condition_variable changed_;
  std::deque<std::unique_ptr<AnyJob>> waiting_;
  std::size_t hints_waiting_ = 0; // of waiting_, posted by try_post()
  bool running_ = false;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::atomic<bool> failed_{false}; // failure_ set: checked without the lock
  std::thread thread_; // last: started once the rest is built
};

} // namespace caseload::io
