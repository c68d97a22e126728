#include "progress_report.hpp"

#include <cstdio>
#include <utility>

namespace coact::bench {

progress_report::progress_report(std::string run, std::uint64_t total,
                                 std::function<std::uint64_t()> done,
                                 std::chrono::milliseconds quiet_for,
                                 std::chrono::milliseconds every)
    : run_(std::move(run)), total_(total), done_(std::move(done)), quiet_for_(quiet_for),
      every_(every), thread_([this](const std::stop_token& stop) { report(stop); }) {}

progress_report::~progress_report() {
  thread_.request_stop();
  thread_.join();
}

void progress_report::report(const std::stop_token& stop) {
  const auto start = std::chrono::steady_clock::now();
  auto next = start + quiet_for_;
  std::unique_lock lock{mutex_};
  for (;;) {
    // Wakes at `next`, or at once when the destructor asks the thread to stop.
    (void)wake_.wait_until(lock, stop, next, [] { return false; });
    if (stop.stop_requested()) return;
    const std::uint64_t done = done_();
    const auto elapsed_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(
        stderr, "coact-pattern-bench: %s: %llu of %llu operations (%.1f%%), %.0f s\n", run_.c_str(),
        static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
        total_ == 0 ? 0.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total_),
        elapsed_s);
    next += every_;
  }
}

}  // namespace coact::bench
