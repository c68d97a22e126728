#include "coact/workload/core_workload.hpp"

namespace coact::workload {

result<core_workload> ycsb(std::string_view name) {
  using enum request_distribution;
  // Name, then the weights of read, update, insert, scan and read-modify-write.
  static const core_workload all[] = {
      {"A", 0.5, 0.5, 0, 0, 0, zipfian},   {"B", 0.95, 0.05, 0, 0, 0, zipfian},
      {"C", 1, 0, 0, 0, 0, zipfian},       {"D", 0.95, 0, 0.05, 0, 0, latest},
      {"E", 0, 0, 0.05, 0.95, 0, zipfian}, {"F", 0.5, 0, 0, 0, 0.5, zipfian}};
  for (const core_workload& w : all) {
    if (w.name == name) return w;
  }
  return errc::invalid_argument;
}

request next_request(const core_workload& w, prng& random) noexcept {
  const std::pair<double, request> weights[] = {{w.read, request::read},
                                                {w.update, request::update},
                                                {w.insert, request::insert},
                                                {w.scan, request::scan},
                                                {w.read_modify_write, request::read_modify_write},
                                                {w.compare_and_set, request::compare_and_set}};
  double pick = random.unit() *
                (w.read + w.update + w.insert + w.scan + w.read_modify_write + w.compare_and_set);
  // The last request of positive weight, should rounding leave `pick` beyond every weight.
  request chosen = request::read;
  for (const auto& [weight, r] : weights) {
    if (weight <= 0) continue;
    chosen = r;
    if (pick < weight) break;
    pick -= weight;
  }
  return chosen;
}

}  // namespace coact::workload
