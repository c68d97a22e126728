#pragma once

#include <chrono>

#include "coact/policies/read_concern/levels.hpp"
#include "coact/runtime/clock.hpp"

namespace coact::policies::read_concern {

/// How a client session reads and writes (MongoDB sets these per client, database or
/// operation; here per session).
struct session_options {
  read_level read = read_level::majority;
  write_level write = write_level::majority;
  read_preference preference = read_preference::primary;
  /// The longest one operation takes over all its attempts. After it a read fails; a write
  /// fails (recorded as not applied) only if no attempt of it reached a primary.
  duration operation_timeout = std::chrono::milliseconds{1000};
  /// The longest one attempt waits for its member's answer; the member gives up waiting
  /// (for the session's token, the commit point, a majority) a quarter earlier.
  duration attempt_timeout = std::chrono::milliseconds{100};
  /// The pause before retrying when no member said which one is primary.
  duration retry_backoff = std::chrono::milliseconds{10};
};

}  // namespace coact::policies::read_concern
