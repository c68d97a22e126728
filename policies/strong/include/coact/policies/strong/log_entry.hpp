#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "coact/policies/strong/raft.capnp.h"

namespace coact::policies::strong {

/// What one log entry asks the replicated state machine to do: nothing (a new leader's
/// no-op), a put, or a compare-and-set. `client` and `sequence` identify a client's
/// request, so that a request retried after a lost answer is applied once.
struct command {
  enum class kind : std::uint8_t { noop, put, cas };
  kind what = kind::noop;
  /// 0: no client (the no-op).
  std::uint64_t client = 0;
  std::uint64_t sequence = 0;
  std::string key;
  std::string value;
  /// cas only: the value the key must hold; empty: the key must have no value.
  std::optional<std::string> expected;
};

/// One entry of the replicated log: the term of the leader that appended it, and its
/// command.
struct log_entry {
  std::uint64_t term = 0;
  strong::command command;
};

/// Converts between the entry and its wire form (raft.capnp Command and Entry).
[[nodiscard]] command read_command(proto::Command::Reader r);
void write_command(proto::Command::Builder b, const command& c);
[[nodiscard]] log_entry read_entry(proto::Entry::Reader r);
void write_entry(proto::Entry::Builder b, const log_entry& e);

}  // namespace coact::policies::strong
