#pragma once

#include <string>
#include <system_error>

namespace coact {

/// Why an actor stopped. An empty code means a normal stop (its body returned).
struct stop_reason {
  std::error_code code;
  /// Human-readable detail, e.g. the exception's what(); may be empty.
  std::string what;

  [[nodiscard]] bool normal() const noexcept { return !code; }
};

}  // namespace coact
