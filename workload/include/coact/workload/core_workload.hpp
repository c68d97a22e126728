#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/workload/key_chooser.hpp"

namespace coact::workload {

/// One request of a YCSB client.
enum class request : std::uint8_t {
  read,
  update,
  insert,
  scan,
  read_modify_write,
  compare_and_set
};

/// What a client asks for: the weights of YCSB's requests (they need not sum to 1) and how
/// keys are chosen. A read is a get, an update a put of an existing key, an insert a put
/// of a new key (the key count grows), a read-modify-write a get then a put of its key.
struct core_workload {
  std::string name = "custom";
  double read = 0.5;
  double update = 0.5;
  double insert = 0;
  double scan = 0;
  double read_modify_write = 0;
  request_distribution distribution = request_distribution::zipfian;
  double zipfian_constant = 0.99;
  /// Not YCSB's: the weight of a compare-and-set, a get then a cas of its key expecting
  /// what the get returned, for policies that offer cas. Last, so that the YCSB table of
  /// weights in order stays as it is.
  double compare_and_set = 0;
};

/// YCSB's core workload `name`, "A" to "F": A 50/50 read/update, B 95/5 read/update,
/// C read only, D 95/5 read/insert reading the latest keys, E 95/5 scan/insert, F 50/50
/// read/read-modify-write; zipfian but D. invalid_argument for any other name.
[[nodiscard]] result<core_workload> ycsb(std::string_view name);

/// Draws a request by the weights of `w`; at least one weight must be positive.
[[nodiscard]] request next_request(const core_workload& w, prng& random) noexcept;

}  // namespace coact::workload
