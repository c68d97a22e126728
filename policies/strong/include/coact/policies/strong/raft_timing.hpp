#pragma once

#include <chrono>
#include <cstddef>

#include "coact/runtime/clock.hpp"

namespace coact::policies::strong {

/// The timers of a Raft node. Safety never depends on them (no leases: reads are confirmed
/// by a round of heartbeats); availability does. The heartbeat period must be well below
/// the minimum election timeout, which must be well above a round trip.
struct raft_timing {
  /// A follower that hears from no leader for a time drawn uniformly from
  /// [election_timeout_min, election_timeout_max] starts an election.
  duration election_timeout_min = std::chrono::milliseconds{150};
  duration election_timeout_max = std::chrono::milliseconds{300};
  /// How often a leader sends heartbeats (and retries entries a follower has not taken).
  /// A leader that has heard from no majority within election_timeout_max steps down.
  duration heartbeat_period = std::chrono::milliseconds{50};
  /// The most entries one AppendEntries message carries.
  std::size_t entries_per_message_max = 64;
};

}  // namespace coact::policies::strong
