#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// An ok transaction that breaks the bank's invariants, and why.
struct bank_violation {
  operation txn;
  std::string reason;
};

struct bank_report {
  /// Ok transactions that read every account and nothing else.
  std::uint64_t audits = 0;
  std::vector<bank_violation> violations;
  [[nodiscard]] bool valid() const noexcept { return violations.empty(); }
};

/// Judges a bank's transactional history (Jepsen's bank test): in every ok transaction no
/// balance read or written is negative or not an integer, and every audit (an ok
/// transaction that only reads, and reads `accounts` distinct keys) sums to `total`:
/// money is neither created nor lost. Fail and info transactions are not judged.
/// errc::parse_error when the events do not pair up.
[[nodiscard]] result<bank_report> check_bank(const history& h, std::uint64_t accounts,
                                             std::int64_t total);

}  // namespace coact::check
