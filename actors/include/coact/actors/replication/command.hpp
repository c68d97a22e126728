#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "coact/actors/replication/replication.capnp.h"

namespace coact::replication {

/// What one log entry asks the replicated state to do: nothing (a new leader's no-op), a
/// put, or a compare-and-set. `client` and `sequence` are the write's idempotency token, so
/// that a write retried after a lost answer is applied once.
struct command {
  enum class kind : std::uint8_t { noop, put, cas };
  kind what = kind::noop;
  /// 0: no token (the no-op).
  std::uint64_t client = 0;
  std::uint64_t sequence = 0;
  /// The member that led when the entry was appended.
  std::uint32_t writer = 0;
  std::string key;
  std::string value;
  /// cas only: the value the key must hold; empty: the key must have no value.
  std::optional<std::string> expected;
};

/// One entry of a replicated log: the term of the leader that appended it, and its command.
struct entry {
  std::uint64_t term = 0;
  replication::command command;
};

/// Converts between a command or an entry and its wire form.
[[nodiscard]] command read_command(proto::Command::Reader r);
void write_command(proto::Command::Builder b, const command& c);
[[nodiscard]] entry read_entry(proto::Entry::Reader r);
void write_entry(proto::Entry::Builder b, const entry& e);

}  // namespace coact::replication
