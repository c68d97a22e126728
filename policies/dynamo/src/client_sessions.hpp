#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "coact/actors/versioned_map.hpp"

namespace coact::policies::dynamo {

/// What applying a committed write did, for the client that wrote it.
struct applied_write {
  kv::version version;
  bool matched = true;
};

/// Each client's last applied write, by its idempotency token: the client's id, and the
/// sequence number the client gave the write (a client numbers its writes 1, 2, ... and
/// sends the next only once the last is answered). Every replica derives it from the
/// committed log as it applies it, so it is the same on every replica and survives leader
/// changes and restarts (a durable replica applies its log again).
class client_sessions {
 public:
  /// How a write with this token stands.
  enum class status : std::uint8_t {
    /// Never applied: apply it.
    fresh,
    /// The client's last applied write: do not apply it again, answer what it did.
    last,
    /// Older than the client's last applied write: its client waits for it no more.
    older,
  };

  /// Where the write (client, sequence) stands; `fresh` for client 0 (no token).
  [[nodiscard]] status of(std::uint64_t client, std::uint64_t sequence) const;
  /// What the client's last applied write did (status last only).
  [[nodiscard]] applied_write last_answer(std::uint64_t client) const;
  /// Notes that the client's write `sequence` was applied and did `done` (nothing for
  /// client 0).
  void record(std::uint64_t client, std::uint64_t sequence, applied_write done);

 private:
  struct session {
    std::uint64_t sequence = 0;
    applied_write done;
  };
  std::map<std::uint64_t, session> sessions_;
};

}  // namespace coact::policies::dynamo
