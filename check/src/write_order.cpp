#include "coact/check/write_order.hpp"

#include <algorithm>
#include <cassert>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace coact::check {

bool is_write(const operation& op) noexcept {
  if (op.outcome == event_type::fail) return false;
  if (op.f == op_kind::write) return true;
  return op.f == op_kind::cas && (op.outcome == event_type::info || op.matched);
}

bool write_order::is_write(std::size_t i) const { return check::is_write(ops[i]); }

bool write_order::older(std::size_t a, std::size_t b) const {
  assert(b != unknown && b != not_a_read && a != unknown && a != not_a_read);
  if (b == initial || !ordered[b]) return false;
  if (a == initial) return true;
  return ordered[a] && hi[a] < lo[b];
}

namespace {

/// An event index on a real-time span, where never_index is never_ns. pair_operations keeps
/// other indices below 2^63.
std::int64_t position(std::uint64_t index) {
  return index == never_index ? never_ns : static_cast<std::int64_t>(index);
}

}  // namespace

result<write_order> order_writes(const history& h) {
  auto paired = pair_operations(h);
  if (!paired) return paired.error();
  write_order w;
  w.ops = std::move(paired).value();
  const std::size_t n = w.ops.size();
  w.read_from.assign(n, write_order::not_a_read);
  w.lo.assign(n, write_order::before_all);
  w.hi.assign(n, write_order::before_all);
  w.ordered.assign(n, false);

  std::unordered_map<std::string, std::unordered_map<datum, std::size_t>> by_value;
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, std::size_t>> by_version;
  std::vector<std::optional<std::uint64_t>> version(n);
  for (std::size_t i = 0; i < n; ++i) {
    const operation& op = w.ops[i];
    if (!is_write(op)) continue;
    by_value[op.key][op.argument] = i;
    if (op.version) by_version[op.key][*op.version] = i;
    version[i] = op.version;
  }

  // Per write: where the first ok read that returned it completed.
  std::vector<std::int64_t> seen_at(n, never_ns);
  for (std::size_t i = 0; i < n; ++i) {
    const operation& op = w.ops[i];
    if (op.f != op_kind::read || op.outcome != event_type::ok) continue;
    std::size_t got = write_order::unknown;
    if (std::holds_alternative<std::monostate>(op.output)) {
      got = write_order::initial;
    } else if (auto k = by_version.find(op.key);
               op.version && k != by_version.end() && k->second.contains(*op.version)) {
      got = k->second.at(*op.version);
    } else if (auto kv = by_value.find(op.key); kv != by_value.end()) {
      if (auto it = kv->second.find(op.output); it != kv->second.end()) got = it->second;
    }
    w.read_from[i] = got;
    if (got >= write_order::not_a_read) continue;
    if (!version[got]) version[got] = op.version;
    seen_at[got] = std::min(seen_at[got], position(op.complete_index));
  }

  // A key is version-ordered only if every write whose place matters has a version: the
  // acknowledged ones and the observed ones.
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_write(w.ops[i])) continue;
    const bool matters = w.ops[i].outcome == event_type::ok || seen_at[i] != never_ns;
    auto [it, fresh] = w.basis.try_emplace(w.ops[i].key, order_basis::version);
    if (matters && !version[i]) it->second = order_basis::real_time;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const operation& op = w.ops[i];
    if (!is_write(op)) continue;
    if (w.basis.at(op.key) == order_basis::version) {
      if (!version[i]) continue;
      // Versions beyond 2^63 do not occur in practice; the span type is shared with positions.
      w.lo[i] = w.hi[i] = static_cast<std::int64_t>(*version[i]);
    } else {
      w.lo[i] = position(op.invoke_index);
      w.hi[i] = std::min(position(op.complete_index), seen_at[i]);
    }
    w.ordered[i] = true;
  }
  return w;
}

std::string session_of(const operation& op) {
  return op.session.empty() ? "process " + std::to_string(op.process) : op.session;
}

}  // namespace coact::check
