#include "coact/check/session_guarantees.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "detail/violation.hpp"

namespace coact::check {

namespace {

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

// The write of a session-local frontier: the one with the greatest lo, and the operation
// through which the session came to know it.
struct frontier {
  std::size_t by = none;
  std::size_t write = none;
  std::int64_t lo = write_order::before_all;

  [[nodiscard]] bool empty() const noexcept { return write == none; }
};

void raise(frontier& f, const write_order& w, std::size_t by, std::size_t write) {
  if (write == write_order::initial || !w.ordered[write]) return;
  if (!f.empty() && w.lo[write] <= f.lo) return;
  f = {by, write, w.lo[write]};
}

std::string value_read(const write_order& w, std::size_t read) {
  return to_string(w.ops[read].output);
}

std::string value_written(const write_order& w, std::size_t write) {
  return to_string(w.ops[write].argument);
}

class session_checker {
 public:
  session_checker(const write_order& w, session_guarantee_set which, session_report& report)
      : w_(w), which_(which), report_(report) {}

  void check(const std::string& session, const std::vector<std::size_t>& members) {
    session_ = &session;
    own_.clear();
    seen_.clear();
    // Each operation enters twice: at its invocation and at its completion, in history
    // order, so that "after" means completed before invoked even across processes.
    std::vector<std::pair<std::uint64_t, std::size_t>> steps;
    steps.reserve(members.size() * 2);
    for (std::size_t i : members) {
      steps.emplace_back(w_.ops[i].invoke_index, i);
      if (w_.ops[i].outcome != event_type::info) steps.emplace_back(w_.ops[i].complete_index, i);
    }
    std::sort(steps.begin(), steps.end());
    std::unordered_map<std::size_t, std::pair<frontier, frontier>> pending_reads;
    for (const auto& [at, i] : steps) {
      const operation& op = w_.ops[i];
      const bool invoking = at == op.invoke_index;
      if (op.f == op_kind::read) {
        if (invoking) {
          pending_reads[i] = {own_[op.key], seen_[op.key]};
        } else if (op.outcome == event_type::ok) {
          const auto [own, seen] = pending_reads[i];
          complete_read(i, own, seen);
        }
        if (!invoking) pending_reads.erase(i);
        continue;
      }
      if (!w_.is_write(i)) continue;
      if (invoking) {
        invoke_write(i);
      } else if (op.outcome == event_type::ok) {
        raise(own_[op.key], w_, i, i);
      }
    }
  }

 private:
  void complete_read(std::size_t r, const frontier& own, const frontier& seen) {
    ++report_.read_count;
    const std::size_t got = w_.read_from[r];
    if (got == write_order::unknown) {
      add(session_violation_kind::unknown_value, r, {r},
          "read of a value never written: " + value_read(w_, r));
      return;
    }
    const auto with_got = [&](std::vector<std::size_t> ops) {
      if (got != write_order::initial) ops.push_back(got);
      return ops;
    };
    if (which_.read_your_writes && !own.empty() && w_.older(got, own.write)) {
      add(session_violation_kind::read_your_writes, r, with_got({own.write, r}),
          "read returned " + value_read(w_, r) + ", older than the session's acknowledged write " +
              value_written(w_, own.write));
    }
    if (which_.monotonic_reads && !seen.empty() && w_.older(got, seen.write)) {
      add(session_violation_kind::monotonic_reads, r, with_got({seen.by, seen.write, r}),
          "read returned " + value_read(w_, r) + ", older than " + value_written(w_, seen.write) +
              " which the session read before");
    }
    raise(seen_[w_.ops[r].key], w_, r, got);
  }

  void invoke_write(std::size_t i) {
    ++report_.write_count;
    const std::string& key = w_.ops[i].key;
    const frontier& own = own_[key];
    if (which_.monotonic_writes && !own.empty() && w_.older(i, own.write)) {
      add(session_violation_kind::monotonic_writes, i, {own.write, i},
          "write " + value_written(w_, i) + " is ordered before the session's earlier write " +
              value_written(w_, own.write));
    }
    const frontier& seen = seen_[key];
    if (which_.writes_follow_reads && !seen.empty() && w_.older(i, seen.write)) {
      add(session_violation_kind::writes_follow_reads, i, {seen.by, seen.write, i},
          "write " + value_written(w_, i) + " is ordered before " + value_written(w_, seen.write) +
              " which the session read before writing");
    }
  }

  void add(session_violation_kind kind, std::size_t at, const std::vector<std::size_t>& ops,
           std::string reason) {
    session_violation v;
    v.kind = kind;
    v.session = *session_;
    v.process = w_.ops[at].process;
    v.key = w_.ops[at].key;
    for (std::size_t i : ops) v.ops.push_back(w_.ops[i]);
    v.reason = detail::reason_for(kind, std::move(reason));
    report_.violations.push_back(std::move(v));
  }

  const write_order& w_;
  session_guarantee_set which_;
  session_report& report_;
  const std::string* session_ = nullptr;
  std::unordered_map<std::string, frontier> own_;   // per key: acknowledged own writes
  std::unordered_map<std::string, frontier> seen_;  // per key: writes the session read
};

}  // namespace

const char* to_string(session_violation_kind k) noexcept {
  switch (k) {
    case session_violation_kind::read_your_writes:
      return "read-your-writes";
    case session_violation_kind::monotonic_reads:
      return "monotonic reads";
    case session_violation_kind::monotonic_writes:
      return "monotonic writes";
    case session_violation_kind::writes_follow_reads:
      return "writes-follow-reads";
    case session_violation_kind::unknown_value:
      return "read of a value never written";
  }
  return "?";
}

result<session_report> check_session_guarantees(const history& h, session_guarantee_set which) {
  auto ordered = order_writes(h);
  if (!ordered) return ordered.error();
  const write_order& w = ordered.value();

  std::vector<std::string> names;
  std::unordered_map<std::string, std::vector<std::size_t>> members;
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    auto [it, fresh] = members.try_emplace(session_of(w.ops[i]));
    if (fresh) names.push_back(it->first);
    it->second.push_back(i);
  }
  session_report report;
  report.session_count = names.size();
  session_checker checker(w, which, report);
  for (const std::string& name : names) checker.check(name, members.at(name));
  return report;
}

}  // namespace coact::check
