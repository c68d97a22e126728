#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/task.hpp"

namespace topology {

/// Log-linear latency histogram (16 sub-buckets per power of two, so about 6% error):
/// fixed size however long the run, and cheap to merge.
class latency_histogram {
 public:
  void record(std::uint64_t ns) noexcept;
  void merge(const latency_histogram& other) noexcept;
  /// The q-quantile (0..1) in nanoseconds, as the lower bound of its bucket; 0 if empty.
  [[nodiscard]] std::uint64_t quantile(double q) const noexcept;
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }

 private:
  static constexpr int sub_bits = 4;
  std::array<std::uint64_t, (64 - sub_bits + 1) << sub_bits> buckets_{};
  std::uint64_t count_ = 0;
};

struct client_config {
  std::uint32_t index = 0;
  std::uint64_t key_count = 1000;
  coact::duration run_for = std::chrono::seconds{2};
  coact::duration ask_deadline = std::chrono::seconds{1};
};

/// What a client did; written by the client only, read by main after `done` counts it.
struct client_report {
  std::uint64_t gets = 0;
  std::uint64_t puts = 0;
  std::uint64_t errors = 0;
  std::uint64_t timeouts = 0;  // included in errors
  latency_histogram latency;
};

/// A closed-loop client: asks the cache one op at a time until run_for has passed,
/// 90% gets and 10% puts, with 80% of ops on the first 20% of the keys.
coact::task<void> client(coact::actor_context& self, client_config config, client_report* report,
                         std::atomic<std::uint32_t>* done);

}  // namespace topology
