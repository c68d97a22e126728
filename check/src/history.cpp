#include "coact/check/history.hpp"

#include <string>
#include <unordered_map>

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
  }
  return "?";
}

std::string to_string(const datum& d) {
  if (const auto* i = std::get_if<std::int64_t>(&d)) return std::to_string(*i);
  if (const auto* s = std::get_if<std::string>(&d)) return '"' + *s + '"';
  return "nil";
}

result<std::vector<operation>> pair_operations(const history& h) {
  std::vector<operation> ops;
  // The open operation of each process, as an index into `ops`.
  std::unordered_map<std::int64_t, std::size_t> open;
  for (const event& e : h) {
    auto it = open.find(e.process);
    if (e.type == event_type::invoke) {
      if (it != open.end()) return errc::parse_error;  // two operations in flight
      operation op;
      op.process = e.process;
      op.f = e.f;
      op.key = e.key;
      if (e.f != op_kind::read) op.argument = e.value;
      op.expected = e.expected;
      op.invoke_ns = e.time_ns;
      op.invoke_index = e.index;
      op.session = e.session;
      open.emplace(e.process, ops.size());
      ops.push_back(std::move(op));
      continue;
    }
    if (it == open.end()) return errc::parse_error;  // completes nothing it invoked
    operation& op = ops[it->second];
    open.erase(it);
    if (op.f != e.f || op.key != e.key) return errc::parse_error;
    op.outcome = e.type;
    op.complete_index = e.index;
    if (e.type == event_type::info) continue;  // may take effect any time, or never
    op.complete_ns = e.time_ns;
    if (e.type == event_type::ok) {
      if (e.f == op_kind::read) op.output = e.value;
      op.matched = e.matched;
      op.version = e.version;
      op.node = e.node;
    }
  }
  return ops;
}

}  // namespace coact::check
