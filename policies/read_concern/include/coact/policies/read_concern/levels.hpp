#pragma once

#include <cstdint>

namespace coact::policies::read_concern {

/// What a read waits for and which state it reads (MongoDB's readConcern level).
enum class read_level : std::uint8_t {
  /// The member's latest applied state, which may later be rolled back; waits until the
  /// member has applied the session's token.
  local,
  /// As local but never waits, not even for the session's token (as MongoDB: available
  /// does not take part in causal consistency).
  available,
  /// The member's majority-committed state, which is never rolled back; waits until the
  /// member's commit point has reached the session's token.
  majority,
  /// Primary only: the primary confirms with a majority that it is still primary and waits
  /// until its commit point covers its last write, then reads the committed state.
  linearizable,
};

/// When a write is acknowledged (MongoDB's writeConcern w).
enum class write_level : std::uint8_t {
  /// Once in the primary's oplog (w:1): a failover may roll it back.
  one,
  /// Once a majority of members have it (w:"majority"): it is never rolled back.
  majority,
};

/// Which members a client reads from (MongoDB's read preference). Writes and linearizable
/// reads always go to the primary.
enum class read_preference : std::uint8_t {
  primary,
  /// A secondary chosen at random for each read.
  secondary,
  /// The member whose replies came back fastest so far (members not yet tried first).
  nearest,
};

[[nodiscard]] const char* to_string(read_level level) noexcept;
[[nodiscard]] const char* to_string(write_level level) noexcept;
[[nodiscard]] const char* to_string(read_preference preference) noexcept;

}  // namespace coact::policies::read_concern
