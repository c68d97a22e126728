#pragma once

#include <cstdint>
#include <system_error>

#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/message.hpp"

namespace coact {

/// A snapshot of one shard's counters (or their sum over shards).
struct shard_counters {
  std::uint64_t messages_delivered = 0;  // into a mailbox or to a waiting asker
  std::uint64_t mailbox_high_water = 0;  // the longest any mailbox on the shard has been
  std::uint64_t asks_timed_out = 0;
  std::uint64_t dead_letters = 0;        // messages whose target was gone
  std::uint64_t mailbox_rejected = 0;    // messages refused by a full bounded mailbox
  std::uint64_t actors_spawned = 0;
  std::uint64_t actors_stopped = 0;
};

/// One message that could not be delivered, kept for inspection.
struct dead_letter {
  actor_ref target;
  actor_ref sender;
  std::uint64_t type_id = 0;
  message_kind kind = message_kind::tell;
  std::error_code reason;
};

}  // namespace coact
