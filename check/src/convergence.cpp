#include "coact/check/convergence.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coact/check/write_order.hpp"
#include "detail/violation.hpp"

namespace coact::check {

namespace {

// The writes of a key, and its failed write and cas attempts too: they explain a final
// value that only they wrote.
bool written_or_tried(const operation& op) {
  const bool tried =
      op.outcome == event_type::fail && (op.f == op_kind::write || op.f == op_kind::cas);
  return tried || is_write(op);
}

// The writes of one key, as written_or_tried takes them.
using key_writes = std::vector<const operation*>;

const operation* final_write(const key_writes& kw, const replica_value& v, bool& only_failed) {
  only_failed = false;
  if (v.version) {
    for (const operation* w : kw) {
      if (w->outcome != event_type::fail && w->version == v.version) return w;
    }
  }
  for (const operation* w : kw) {
    if (w->argument != v.value) continue;
    if (w->outcome != event_type::fail) return w;
    only_failed = true;
  }
  return nullptr;
}

// Whether f is ordered before w, so that f cannot have overwritten w.
bool before(const operation& f, std::optional<std::uint64_t> f_version, const operation& w) {
  if (f_version && w.version) return *f_version < *w.version;
  return completed_before(f, w);
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const char* to_string(convergence_violation_kind k) noexcept {
  switch (k) {
    case convergence_violation_kind::divergent_key:
      return "divergent key";
    case convergence_violation_kind::lost_write:
      return "lost write";
    case convergence_violation_kind::unwritten_final_value:
      return "final value never written";
  }
  return "?";
}

result<convergence_report> check_convergence(const history& h, const replica_states& final_states) {
  if (final_states.empty()) return errc::invalid_argument;
  auto paired = pair_operations(h);
  if (!paired) return paired.error();
  const std::vector<operation>& ops = paired.value();

  std::unordered_map<std::string, key_writes> by_key;
  std::set<std::string> keys;
  for (const operation& op : ops) {
    if (!written_or_tried(op)) continue;
    by_key[op.key].push_back(&op);
    keys.insert(op.key);
  }
  for (const auto& [name, state] : final_states) {
    for (const auto& [key, value] : state) keys.insert(key);
  }

  convergence_report report;
  report.replica_count = final_states.size();
  report.key_count = keys.size();
  std::vector<convergence_violation> judged;
  for (const std::string& key : keys) {
    // Replicas grouped by the value they hold, in first-replica order.
    std::vector<std::pair<replica_value, std::vector<std::string>>> groups;
    std::vector<std::pair<std::string, replica_value>> values;
    for (const auto& [name, state] : final_states) {
      auto it = state.find(key);
      const replica_value v = it == state.end() ? replica_value{} : it->second;
      values.emplace_back(name, v);
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& group) {
        const replica_value& u = group.first;
        return u.value == v.value && (!u.version || !v.version || u.version == v.version);
      });
      if (g == groups.end()) {
        groups.push_back({v, {name}});
      } else {
        g->second.push_back(name);
      }
    }
    if (groups.size() > 1) {
      convergence_violation v;
      v.kind = convergence_violation_kind::divergent_key;
      v.key = key;
      v.reason = detail::reason_for(v.kind, "replicas hold " + std::to_string(groups.size()) +
                                                " different values for " + key);
      v.values = std::move(values);
      report.violations.push_back(std::move(v));
    }

    const key_writes& kw = by_key[key];
    for (const operation* w : kw) report.write_count += w->outcome == event_type::ok;
    for (const auto& [value, replicas] : groups) {
      const bool nil = std::holds_alternative<std::monostate>(value.value);
      bool only_failed = false;
      const operation* f = nil ? nullptr : final_write(kw, value, only_failed);
      if (!nil && !f) {
        convergence_violation v;
        v.kind = convergence_violation_kind::unwritten_final_value;
        v.key = key;
        v.replicas = replicas;
        v.reason = detail::reason_for(
            v.kind, join(replicas) + " hold " + key + " = " + to_string(value.value) +
                        (only_failed ? ", written only by a failed write" : ""));
        judged.push_back(std::move(v));
        continue;
      }
      const std::optional<std::uint64_t> f_version = f && f->version ? f->version : value.version;
      for (const operation* w : kw) {
        if (w->outcome != event_type::ok || w == f) continue;
        if (f && !before(*f, f_version, *w)) continue;
        convergence_violation v;
        v.kind = convergence_violation_kind::lost_write;
        v.key = key;
        v.replicas = replicas;
        v.write = *w;
        if (f) v.final_write = *f;
        v.reason = detail::reason_for(
            v.kind, "acknowledged " + key + " = " + to_string(w->argument) + " but " +
                        join(replicas) + " hold " + to_string(value.value) +
                        (f ? ", written before it" : ""));
        judged.push_back(std::move(v));
      }
    }
  }
  for (convergence_violation& v : judged) report.violations.push_back(std::move(v));
  return report;
}

}  // namespace coact::check
