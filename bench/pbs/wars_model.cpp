#include "wars_model.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <numeric>
#include <vector>

#include "run_summary.hpp"

namespace coact::bench {

wars_prediction predict_wars(const net::sim::pbs_model& delays, std::uint32_t n, std::uint32_t r,
                             std::uint32_t w, std::uint64_t trials, std::uint64_t seed) {
  assert(r >= 1 && w >= 1 && r <= n && w <= n && trials > 0);
  coact::prng random{seed};
  std::vector<double> write_arrival(n);  // W_i
  std::vector<double> write_ack(n);      // W_i + A_i
  std::vector<double> read_request(n);   // R_i
  std::vector<double> read_answer(n);    // R_i + S_i
  std::vector<std::uint32_t> order(n);
  std::vector<double> thresholds;
  std::vector<double> write_latencies;
  std::vector<double> read_latencies;
  thresholds.reserve(trials);
  write_latencies.reserve(trials);
  read_latencies.reserve(trials);
  for (std::uint64_t trial = 0; trial < trials; ++trial) {
    for (std::uint32_t i = 0; i < n; ++i) {
      write_arrival[i] = delays.write.sample_ms(random);
      write_ack[i] = write_arrival[i] + delays.other.sample_ms(random);
      read_request[i] = delays.other.sample_ms(random);
      read_answer[i] = read_request[i] + delays.other.sample_ms(random);
    }
    std::vector<double> acks = write_ack;
    std::nth_element(acks.begin(), acks.begin() + (w - 1), acks.end());
    const double commit = acks[w - 1];
    std::iota(order.begin(), order.end(), 0u);
    std::nth_element(
        order.begin(), order.begin() + (r - 1), order.end(),
        [&](std::uint32_t a, std::uint32_t b) { return read_answer[a] < read_answer[b]; });
    // The first r answers: the read is consistent from the earliest t at which one of
    // their replicas had the write when the read request arrived.
    double threshold = std::numeric_limits<double>::infinity();
    for (std::uint32_t k = 0; k < r; ++k) {
      const std::uint32_t i = order[k];
      threshold = std::min(threshold, write_arrival[i] - commit - read_request[i]);
    }
    thresholds.push_back(std::max(0.0, threshold));
    write_latencies.push_back(commit);
    read_latencies.push_back(read_answer[order[r - 1]]);
  }
  wars_prediction p;
  p.consistent_at_commit =
      static_cast<double>(std::count(thresholds.begin(), thresholds.end(), 0.0)) /
      static_cast<double>(trials);
  p.t_visibility_999_ms = quantile(thresholds, 0.999);
  p.write_p999_ms = quantile(write_latencies, 0.999);
  p.read_p999_ms = quantile(read_latencies, 0.999);
  return p;
}

}  // namespace coact::bench
