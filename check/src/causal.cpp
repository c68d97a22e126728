#include "coact/check/causal.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coact/check/write_order.hpp"
#include "detail/violation.hpp"

namespace coact::check {

namespace {

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

// For one key of a causal past: the dependency with the greatest lo, the write the session
// observed it through (none when it knew the dependency itself), and the operation that
// brought it in.
struct dependency {
  std::uint32_t key = 0;
  std::size_t write = none;
  std::size_t through = none;
  std::size_t by = none;
  std::int64_t lo = write_order::before_all;
};

// A causal past, sorted by key id. Pasts are shared between a session and the writes it
// issued (their dependencies), and replaced rather than changed when the session learns
// more, so that snapshots stay as they were.
using past = std::vector<dependency>;
using shared_past = std::shared_ptr<const past>;

bool by_key(const dependency& d, std::uint32_t key) { return d.key < key; }

const dependency* find(const past& p, std::uint32_t key) {
  auto it = std::lower_bound(p.begin(), p.end(), key, by_key);
  return it != p.end() && it->key == key ? &*it : nullptr;
}

// `mine` with `more` merged in, each key keeping the greater lo; nullptr if nothing changes.
shared_past merged(const past& mine, const past& more) {
  past out;
  bool changed = false;
  auto a = mine.begin();
  for (const dependency& d : more) {
    for (; a != mine.end() && a->key < d.key; ++a) out.push_back(*a);
    const bool known = a != mine.end() && a->key == d.key;
    if (known && a->lo >= d.lo) {
      out.push_back(*a);
    } else {
      out.push_back(d);
      changed = true;
    }
    if (known) ++a;
  }
  if (!changed) return nullptr;
  out.insert(out.end(), a, mine.end());
  return std::make_shared<const past>(std::move(out));
}

class causal_checker {
 public:
  causal_checker(const write_order& w, causal_report& report)
      : w_(w), report_(report), dependencies_(w.ops.size()), key_of_(w.ops.size()) {}

  void run() {
    std::vector<std::pair<std::uint64_t, std::size_t>> steps;
    steps.reserve(w_.ops.size() * 2);
    std::unordered_map<std::string, std::uint32_t> sessions;
    std::unordered_map<std::string, std::uint32_t> keys;
    std::vector<std::uint32_t> session_of_op(w_.ops.size());
    for (std::size_t i = 0; i < w_.ops.size(); ++i) {
      const operation& op = w_.ops[i];
      steps.emplace_back(op.invoke_index, i);
      if (op.outcome != event_type::info) steps.emplace_back(op.complete_index, i);
      const auto next_session = static_cast<std::uint32_t>(sessions.size());
      session_of_op[i] = sessions.try_emplace(session_of(op), next_session).first->second;
      const auto next_key = static_cast<std::uint32_t>(keys.size());
      key_of_[i] = keys.try_emplace(op.key, next_key).first->second;
    }
    report_.session_count = sessions.size();
    std::vector<shared_past> pasts(sessions.size(), std::make_shared<const past>());
    std::sort(steps.begin(), steps.end());
    // A read is judged against the past its session had when it was invoked.
    std::unordered_map<std::size_t, shared_past> pending_reads;
    for (const auto& [at, i] : steps) {
      const operation& op = w_.ops[i];
      const bool invoking = at == op.invoke_index;
      shared_past& mine = pasts[session_of_op[i]];
      if (op.f == op_kind::read) {
        if (invoking) {
          pending_reads[i] = mine;
          continue;
        }
        if (op.outcome == event_type::ok) complete_read(i, *pending_reads.at(i), mine);
        pending_reads.erase(i);
        continue;
      }
      if (!w_.is_write(i)) continue;
      if (invoking) {
        ++report_.write_count;
        dependencies_[i] = mine;
      } else if (op.outcome == event_type::ok && w_.ordered[i]) {
        learn(mine, {{key_of_[i], i, none, i, w_.lo[i]}});
      }
    }
  }

 private:
  void complete_read(std::size_t r, const past& before, shared_past& mine) {
    ++report_.read_count;
    const operation& read = w_.ops[r];
    const std::size_t got = w_.read_from[r];
    if (got == write_order::unknown) {
      add(causal_violation_kind::unknown_value, r, nullptr,
          "read of a value never written: " + to_string(read.output));
      return;
    }
    if (const dependency* d = find(before, key_of_[r]); d && w_.older(got, d->write)) {
      add(causal_violation_kind::missing_dependency, r, d,
          "read returned " + to_string(read.output) + ", older than " +
              to_string(w_.ops[d->write].argument) + " in the session's causal past");
    }
    if (got == write_order::initial || !w_.ordered[got]) return;
    past more;
    if (dependencies_[got]) {
      more.reserve(dependencies_[got]->size() + 1);
      for (dependency d : *dependencies_[got]) {
        d.through = got;
        d.by = r;
        more.push_back(d);
      }
    }
    const dependency direct{key_of_[got], got, none, r, w_.lo[got]};
    auto at = std::lower_bound(more.begin(), more.end(), direct.key, by_key);
    if (at != more.end() && at->key == direct.key) {
      if (at->lo < direct.lo) *at = direct;
    } else {
      more.insert(at, direct);
    }
    learn(mine, more);
  }

  static void learn(shared_past& mine, const past& more) {
    if (shared_past next = merged(*mine, more)) mine = std::move(next);
  }

  void add(causal_violation_kind kind, std::size_t r, const dependency* d, std::string reason) {
    auto v = detail::violation_at_read<causal_violation>(kind, w_.ops[r], std::move(reason));
    const std::size_t got = w_.read_from[r];
    if (got < write_order::not_a_read) v.returned = w_.ops[got];
    if (d) {
      v.dependency = w_.ops[d->write];
      if (d->through != none) v.through = w_.ops[d->through];
      v.learned_by = w_.ops[d->by];
    }
    report_.violations.push_back(std::move(v));
  }

  const write_order& w_;
  causal_report& report_;
  std::vector<shared_past> dependencies_;  // per write: its session's past at invocation
  std::vector<std::uint32_t> key_of_;      // per op: its key's id
};

}  // namespace

const char* to_string(causal_violation_kind k) noexcept {
  switch (k) {
    case causal_violation_kind::missing_dependency:
      return "missing causal dependency";
    case causal_violation_kind::unknown_value:
      return "read of a value never written";
  }
  return "?";
}

result<causal_report> check_causal(const history& h) {
  auto ordered = order_writes(h);
  if (!ordered) return ordered.error();
  causal_report report;
  causal_checker(ordered.value(), report).run();
  return report;
}

}  // namespace coact::check
