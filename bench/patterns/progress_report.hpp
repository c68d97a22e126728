#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace coact::bench {

/// Tells a person watching a long run that it is alive and how far it got: from a thread of
/// its own, once the run has lasted `quiet_for` (wall time), a line on standard error every
/// `every` until it is destroyed, e.g. "coact-pattern-bench: run 3 of 24, sim-3n-1dc-strong:
/// 1234567 of 3200000 operations (38.6%), 12 s". Short runs print nothing.
class progress_report {
 public:
  /// `done` is called from the report's thread: it must be safe to call from any thread
  /// (run_meter::completed_count is) and outlive the report.
  progress_report(std::string run, std::uint64_t total, std::function<std::uint64_t()> done,
                  std::chrono::milliseconds quiet_for = std::chrono::seconds{3},
                  std::chrono::milliseconds every = std::chrono::seconds{1});
  progress_report(const progress_report&) = delete;
  progress_report& operator=(const progress_report&) = delete;
  /// Stops the thread; returns within a moment, not a period.
  ~progress_report();

 private:
  void report(const std::stop_token& stop);

  std::string run_;
  std::uint64_t total_;
  std::function<std::uint64_t()> done_;
  std::chrono::milliseconds quiet_for_;
  std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  /// Last: it starts once the members it reads are set, and is joined first.
  std::jthread thread_;
};

}  // namespace coact::bench
