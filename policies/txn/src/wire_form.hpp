#pragma once

// Conversions between the family's values and their wire form, for its actors and client.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "coact/actors/kv_errc.hpp"
#include "coact/actors/transaction.hpp"
#include "coact/policies/txn/lock_table.hpp"
#include "coact/policies/txn/txn.capnp.h"
#include "coact/runtime/clock.hpp"

namespace coact::policies::txn::detail {

inline std::string text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

/// A TrueTime reading as a timestamp: nanoseconds, never below 0.
inline std::uint64_t ns_of(time_point t) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(t.since_epoch.count(), 0));
}

inline txn_id id_of(proto::TxnId::Reader r) {
  return {.client = r.getClient(), .sequence = r.getSequence()};
}

inline void set_id(proto::TxnId::Builder b, txn_id id) {
  b.setClient(id.client);
  b.setSequence(id.sequence);
}

inline void set_op(proto::Op::Builder b, const kv::txn_op& op) {
  using kind = kv::txn_op::kind;
  switch (op.what) {
    case kind::read:
      b.setKind(proto::Op::Kind::READ);
      break;
    case kind::write:
      b.setKind(proto::Op::Kind::WRITE);
      break;
    case kind::append:
      b.setKind(proto::Op::Kind::APPEND);
      break;
    case kind::add:
      b.setKind(proto::Op::Kind::ADD);
      break;
  }
  b.setKey(op.key);
  b.setValue(op.value);
  b.setDelta(op.delta);
}

inline void set_before(proto::Before::Builder b, unsigned index,
                       const std::optional<std::string>& value) {
  b.setIndex(index);
  b.setPresent(value.has_value());
  if (value) b.setValue(*value);
}

inline std::optional<std::string> value_of(proto::Before::Reader b) {
  return b.getPresent() ? std::optional{text_of(b.getValue())} : std::nullopt;
}

inline kv::kv_errc error_of(proto::Refusal why) {
  switch (why) {
    case proto::Refusal::CONFLICT:
      return kv::kv_errc::conflict;
    case proto::Refusal::RULE_VIOLATED:
      return kv::kv_errc::rule_violated;
    case proto::Refusal::UNKNOWN_KEY:
      return kv::kv_errc::unknown_key;
    case proto::Refusal::TOO_FAR_AHEAD:
      return kv::kv_errc::timestamp_too_far;
    case proto::Refusal::UNAVAILABLE:
      break;
  }
  return kv::kv_errc::unavailable;
}

}  // namespace coact::policies::txn::detail
