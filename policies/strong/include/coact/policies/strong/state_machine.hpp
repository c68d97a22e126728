#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "coact/policies/strong/log_entry.hpp"

namespace coact::policies::strong {

/// A key's value and the log index of the write that stored it (its version).
struct stored_value {
  std::string value;
  std::uint64_t index = 0;
};

/// What applying a put or a cas did, as its client is told.
struct write_outcome {
  /// The index of the write; for a cas whose compare failed, the version of the value
  /// found (0: the key had none).
  std::uint64_t version = 0;
  bool matched = true;
};

/// The replicated key-value state: every replica applies the committed log to one, in
/// order, and so holds the same state at the same index. It remembers each client's
/// latest request and its outcome, so that a request appended twice (retried after a
/// lost answer) takes effect once and its retry gets the first outcome (Raft §8).
class state_machine {
 public:
  /// Applies the entry at `index` (each index once, in increasing order; a client numbers
  /// its requests from 1). The outcome for the client that asked; empty for a no-op, and
  /// for a copy of a request older than the client's latest, which nobody waits for.
  std::optional<write_outcome> apply(std::uint64_t index, const command& c);
  /// The key's value, or null.
  [[nodiscard]] const stored_value* find(std::string_view key) const;

 private:
  struct session {
    std::uint64_t sequence = 0;
    write_outcome outcome;
  };

  std::map<std::string, stored_value, std::less<>> values_;
  std::map<std::uint64_t, session> sessions_;  // by client id
};

}  // namespace coact::policies::strong
