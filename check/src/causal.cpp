#include "coact/check/causal.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coact/check/write_order.hpp"
#include "detail/violation.hpp"

namespace coact::check {

namespace {

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
// known_at of a write not invoked yet (a read may return a later write's value).
constexpr std::uint32_t not_invoked = std::numeric_limits<std::uint32_t>::max();

// Causal pasts as vector clocks over sessions, so that a past costs one count per session
// rather than one entry per key (a copy per key and write made the memory grow with writes x
// keys). A session learns a write when its own write is acknowledged and when one of its ok
// reads returns it; its learnings are numbered from 1. Its clock after learning j is the
// pointwise maximum of its clock before and the clock the learned write depended on (its
// writer's clock at the write's invocation; none for the session's own write), with its own
// entry set to j. By induction, the past a clock stands for is the union, over each session
// t, of the writes t learned in its first clock[t] learnings. So the newest write of a key in
// a past is the newest of one prefix maximum per session, found by binary search in that
// session's learnings of the key.
//
// Cost, for n operations, r ok reads and s sessions: O(n log n) to order the writes, O(s) per
// learning (at most n) to take a clock, O(s log n) per read to find the newest write of its
// key, O(s log^2 n) per violation to find how the session learned it. Memory O(n s): one
// clock (s counts) per learning; the rest is O(n).
class causal_checker {
 public:
  causal_checker(const write_order& w, causal_report& report)
      : w_(w), report_(report), key_of_(w.ops.size()), session_of_(w.ops.size()),
        known_at_(w.ops.size(), not_invoked) {}

  void run() {
    std::vector<std::pair<std::uint64_t, std::size_t>> steps;
    steps.reserve(w_.ops.size() * 2);
    std::unordered_map<std::string, std::uint32_t> sessions;
    std::unordered_map<std::string, std::uint32_t> keys;
    for (std::size_t i = 0; i < w_.ops.size(); ++i) {
      const operation& op = w_.ops[i];
      steps.emplace_back(op.invoke_index, i);
      if (op.outcome != event_type::info) steps.emplace_back(op.complete_index, i);
      const auto next_session = static_cast<std::uint32_t>(sessions.size());
      session_of_[i] = sessions.try_emplace(session_of(op), next_session).first->second;
      const auto next_key = static_cast<std::uint32_t>(keys.size());
      key_of_[i] = keys.try_emplace(op.key, next_key).first->second;
    }
    report_.session_count = sessions.size();
    sessions_.resize(sessions.size());
    for (session& s : sessions_) s.clocks.assign(sessions.size(), 0);
    learners_.resize(keys.size());
    std::sort(steps.begin(), steps.end());
    for (const auto& [at, i] : steps) {
      const operation& op = w_.ops[i];
      if (at == op.invoke_index) {
        // A read is judged against its session's past at its invocation; a write depends on it.
        known_at_[i] = learned_count(session_of_[i]);
        if (w_.is_write(i)) ++report_.write_count;
      } else if (op.f == op_kind::read) {
        if (op.outcome == event_type::ok) complete_read(i);
      } else if (w_.is_write(i) && op.outcome == event_type::ok && w_.ordered[i]) {
        learn(session_of_[i], i, i);
      }
    }
  }

 private:
  // One write a session learned, and how: its own write (by == write) or its read.
  struct learning {
    std::size_t write = none;
    std::size_t by = none;
  };

  struct session {
    std::vector<learning> learnings;
    // Its clock after each learning, sessions_.size() counts each, after a row of zeros for
    // before the first.
    std::vector<std::uint32_t> clocks;
  };

  // A session's j-th learning, of a write of one key, and the newest write of that key in its
  // learnings 1..j.
  struct key_learning {
    std::uint32_t j = 0;
    std::size_t newest = none;
  };

  // For one key: each session that learned a write of it, with those learnings in order.
  using learners = std::vector<std::pair<std::uint32_t, std::vector<key_learning>>>;

  std::uint32_t learned_count(std::uint32_t s) const {
    return static_cast<std::uint32_t>(sessions_[s].learnings.size());
  }

  const std::uint32_t* clock(std::uint32_t s, std::uint32_t j) const {
    return &sessions_[s].clocks[std::size_t(j) * sessions_.size()];
  }

  // Of two writes of a key (or none), the newer; the first on a tie.
  std::size_t newer(std::size_t a, std::size_t b) const {
    if (a == none) return b;
    return b != none && w_.lo[b] > w_.lo[a] ? b : a;
  }

  // The newest write of `key` in the past the clock `at` stands for; none if it holds none.
  std::size_t newest(std::uint32_t key, const std::uint32_t* at) const {
    std::size_t best = none;
    for (const auto& [t, learnt] : learners_[key]) {
      auto after = std::upper_bound(learnt.begin(), learnt.end(), at[t],
                                    [](std::uint32_t j, const key_learning& l) { return j < l.j; });
      if (after != learnt.begin()) best = newer(best, std::prev(after)->newest);
    }
    return best;
  }

  // Session s learns write w through `by`: its own write, or its read of w, which also brings
  // the past w depended on (none if w was not invoked yet).
  void learn(std::uint32_t s, std::size_t w, std::size_t by) {
    session& me = sessions_[s];
    me.learnings.push_back({w, by});
    const std::uint32_t j = learned_count(s);
    assert(j != not_invoked);
    const std::size_t width = sessions_.size();
    me.clocks.resize(me.clocks.size() + width);
    std::uint32_t* next = &me.clocks[std::size_t(j) * width];
    std::copy_n(next - width, width, next);
    if (by != w && known_at_[w] != not_invoked) {
      const std::uint32_t* depended = clock(session_of_[w], known_at_[w]);
      for (std::size_t t = 0; t < width; ++t) next[t] = std::max(next[t], depended[t]);
    }
    next[s] = j;

    learners& of_key = learners_[key_of_[w]];
    auto mine = std::find_if(of_key.begin(), of_key.end(),
                             [s](const auto& entry) { return entry.first == s; });
    if (mine == of_key.end()) {
      of_key.emplace_back(s, std::vector<key_learning>{});
      mine = std::prev(of_key.end());
    }
    std::vector<key_learning>& learnt = mine->second;
    learnt.push_back({j, learnt.empty() ? w : newer(learnt.back().newest, w)});
  }

  void complete_read(std::size_t r) {
    ++report_.read_count;
    const operation& read = w_.ops[r];
    const std::size_t got = w_.read_from[r];
    if (got == write_order::unknown) {
      add(causal_violation_kind::unknown_value, r, none,
          "read of a value never written: " + to_string(read.output));
      return;
    }
    const std::uint32_t s = session_of_[r];
    if (const std::size_t d = newest(key_of_[r], clock(s, known_at_[r]));
        d != none && w_.older(got, d)) {
      add(causal_violation_kind::missing_dependency, r, d,
          "read returned " + to_string(read.output) + ", older than " +
              to_string(w_.ops[d].argument) + " in the session's causal past");
    }
    if (got != write_order::initial && w_.ordered[got]) learn(s, got, r);
  }

  // The first learning of session s, up to its j-th, after which its past held a write of
  // `key` as new as `lo`. Its past only grows, so a binary search finds it.
  const learning& first_learning(std::uint32_t s, std::uint32_t j, std::uint32_t key,
                                 std::int64_t lo) const {
    assert(j > 0);
    std::uint32_t low = 1;
    while (low < j) {
      const std::uint32_t mid = low + (j - low) / 2;
      const std::size_t d = newest(key, clock(s, mid));
      if (d != none && w_.lo[d] >= lo) {
        j = mid;
      } else {
        low = mid + 1;
      }
    }
    return sessions_[s].learnings[j - 1];
  }

  // `newest_known`: the newest write of the read's key in its past (none for unknown_value).
  void add(causal_violation_kind kind, std::size_t r, std::size_t newest_known,
           std::string reason) {
    auto v = detail::violation_at_read<causal_violation>(kind, w_.ops[r], std::move(reason));
    const std::size_t got = w_.read_from[r];
    if (got < write_order::not_a_read) v.returned = w_.ops[got];
    if (newest_known != none) describe_dependency(r, newest_known, v);
    report_.violations.push_back(std::move(v));
  }

  // Names the newest write of the read's key in the session's past, as the first learning
  // that brought a write that new brought it, and that learning.
  void describe_dependency(std::size_t r, std::size_t newest_known, causal_violation& v) const {
    const std::uint32_t key = key_of_[r];
    const learning& l = first_learning(session_of_[r], known_at_[r], key, w_.lo[newest_known]);
    v.learned_by = w_.ops[l.by];
    std::size_t dependency = l.write;
    // A read brings the read write's dependencies before the write itself: of two writes
    // equally new, the dependency is named, through the write read.
    if (l.by != l.write && known_at_[l.write] != not_invoked) {
      const std::size_t d = newest(key, clock(session_of_[l.write], known_at_[l.write]));
      if (d != none && w_.lo[d] >= w_.lo[newest_known]) {
        dependency = d;
        v.through = w_.ops[l.write];
      }
    }
    v.dependency = w_.ops[dependency];
  }

  const write_order& w_;
  causal_report& report_;
  std::vector<std::uint32_t> key_of_;      // per op: its key's id
  std::vector<std::uint32_t> session_of_;  // per op: its session's id
  // per op: how many writes its session had learned at its invocation (its clock's row)
  std::vector<std::uint32_t> known_at_;
  std::vector<session> sessions_;   // per session id
  std::vector<learners> learners_;  // per key id
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
