#pragma once

#include <capnp/blob.h>

#include <cstdint>
#include <optional>
#include <string>

#include "coact/policies/dynamo/dynamo.capnp.h"

namespace coact::policies::dynamo {

enum class entry_kind : std::uint8_t { noop, put, cas };

/// One entry of a partition's log: a write as its leader accepted it, applied by every
/// replica once it is committed, in sequence order.
struct log_entry {
  /// The term of the leader that appended it.
  std::uint64_t term = 0;
  entry_kind kind = entry_kind::noop;
  std::string key;
  std::string value;
  /// cas only: the value the key must hold for the write to apply (empty: no value).
  std::optional<std::string> expected;
  /// The node of the leader that appended it (the version's writer).
  std::uint32_t writer = 0;
  /// The write's idempotency token: its client's id (0: none) and that client's number
  /// for it.
  std::uint64_t client = 0;
  std::uint64_t sequence = 0;
};

void write_entry(proto::Entry::Builder b, const log_entry& e);
[[nodiscard]] log_entry read_entry(proto::Entry::Reader r);

/// A Cap'n Proto text as a string.
[[nodiscard]] inline std::string text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

}  // namespace coact::policies::dynamo
