#include "coact/check/history.hpp"

#include <string>
#include <utility>

#include "coact/check/event_pairing.hpp"

namespace coact::check {

const char* to_string(event_type t) noexcept {
  switch (t) {
    case event_type::invoke:
      return "invoke";
    case event_type::ok:
      return "ok";
    case event_type::fail:
      return "fail";
    case event_type::info:
      return "info";
  }
  return "?";
}

const char* to_string(op_kind f) noexcept {
  switch (f) {
    case op_kind::read:
      return "read";
    case op_kind::write:
      return "write";
    case op_kind::cas:
      return "cas";
    case op_kind::append:
      return "append";
    case op_kind::txn:
      return "txn";
  }
  return "?";
}

std::string to_string(const datum& d) {
  if (const auto* i = std::get_if<std::int64_t>(&d)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&d)) return '"' + *s + '"';
  return "nil";
}

bool completed_before(const operation& a, const operation& b) noexcept {
  return a.complete_index < b.invoke_index;
}

result<std::vector<operation>> pair_operations(const history& h, pairing_failure* failure) {
  std::vector<operation> ops;
  event_pairing pairing;
  for (std::size_t position = 0; position < h.size(); ++position) {
    const event& e = h[position];
    if (std::string reason = pairing.add(e); !reason.empty()) {
      if (failure != nullptr) *failure = {position, std::move(reason)};
      return errc::parse_error;
    }
    if (e.type == event_type::invoke) {
      operation op;
      op.process = e.process;
      op.f = e.f;
      op.key = e.key;
      if (e.f != op_kind::read) op.argument = e.value;
      op.expected = e.expected;
      op.invoke_ns = e.time_ns;
      op.invoke_index = e.index;
      op.session = e.session;
      op.txn = e.txn;
      ops.push_back(std::move(op));
      continue;
    }
    operation& op = ops[pairing.completed()];
    op.outcome = e.type;
    if (e.type == event_type::info) continue;  // may take effect any time, or never
    op.complete_ns = e.time_ns;
    op.complete_index = e.index;
    if (e.type == event_type::ok) {
      if (e.f == op_kind::read) op.output = e.value;
      op.matched = e.matched;
      op.version = e.version;
      op.node = e.node;
      op.txn = e.txn;
    }
  }
  return ops;
}

}  // namespace coact::check
