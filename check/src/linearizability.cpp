#include "coact/check/linearizability.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <limits>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace coact::check {
namespace {

using clock_type = std::chrono::steady_clock;

/// An interned state or value; equal ids are equal datums.
using value_id = std::uint32_t;
constexpr value_id illegal = std::numeric_limits<value_id>::max();

/// Steps between two reads of the clock: often enough to stop within a millisecond or so,
/// rarely enough that the clock costs nothing next to the search.
constexpr std::uint64_t clock_check_period = 1024;

/// Steps each key gets in the first round of a check of several keys.
constexpr std::uint64_t first_slice_steps = 4096;

std::uint64_t mix64(std::uint64_t x) noexcept {
  // splitmix64's finaliser: every input bit flips about half the output bits.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/// The budget shared by every key of one check.
struct budget {
  clock_type::time_point deadline;
  std::uint64_t step_limit = 0;
  std::uint64_t steps = 0;
  bool out_of_time = false;

  /// Counts one step; false once the steps or the time have run out.
  bool take_step() {
    ++steps;
    if (steps > step_limit) return false;
    if (steps % clock_check_period == 0 && clock_type::now() >= deadline) {
      out_of_time = true;
      return false;
    }
    return true;
  }
};

/// The model's states and the operations' values, interned so that the search compares
/// and stores small integers instead of datums.
class value_table {
 public:
  value_id intern(const datum& d) {
    const auto [it, inserted] = ids_.try_emplace(d, static_cast<value_id>(values_.size()));
    if (inserted) values_.push_back(d);
    return it->second;
  }
  [[nodiscard]] const datum& value(value_id id) const { return values_[id]; }

 private:
  std::unordered_map<datum, value_id> ids_;
  std::vector<datum> values_;
};

/// An operation as the search sees it.
struct compiled_op {
  const operation* source = nullptr;
  op_kind f = op_kind::read;
  bool matched = true;
  /// ok: must be in every linearization; info or open: may be left out.
  bool required = false;
  value_id argument = illegal;
  value_id expected = illegal;
  value_id output = illegal;
};

/// Lowe's memo: the set of (linearized operations, state) pairs already explored. An open
/// addressing table over an arena of bitsets, so that a lookup allocates nothing and an
/// insertion only when the arena or the table grows.
class memo {
 public:
  explicit memo(std::size_t words) : words_(words), slots_(1024) {}

  /// Records (bits, state); false when the pair was recorded already. `hash` must be a
  /// function of `bits` alone.
  bool insert(const std::vector<std::uint64_t>& bits, std::uint64_t bits_hash, value_id state) {
    const std::uint64_t hash = mix64(bits_hash ^ (std::uint64_t{state} * 0x9e3779b97f4a7c15ULL));
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      slot& s = slots_[i];
      if (s.entry == 0) break;
      if (s.hash == hash && s.state == state &&
          std::equal(bits.begin(), bits.end(), keys_.begin() + (s.entry - 1) * words_)) {
        return false;
      }
    }
    if ((count_ + 1) * 2 > slots_.size()) {
      grow();
      mask = slots_.size() - 1;
    }
    keys_.insert(keys_.end(), bits.begin(), bits.end());
    ++count_;
    place({hash, count_, state}, mask);
    return true;
  }

 private:
  struct slot {
    std::uint64_t hash = 0;
    std::uint64_t entry = 0;  ///< 1 + the entry's index in keys_; 0 for an empty slot
    value_id state = 0;
  };

  void place(const slot& s, std::size_t mask) {
    std::size_t i = s.hash & mask;
    while (slots_[i].entry != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }

  void grow() {
    std::vector<slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const slot& s : old) {
      if (s.entry != 0) place(s, mask);
    }
  }

  std::size_t words_;
  std::vector<slot> slots_;  ///< a power of two in size, at most half full
  std::vector<std::uint64_t> keys_;
  std::uint64_t count_ = 0;
};

enum class key_outcome : std::uint8_t { linearizable, not_linearizable, paused, out_of_budget };

/// The search over one key's operations. It can pause and resume, so that the keys of one
/// history share the budget in rounds and a key that fails fast is not stuck behind one
/// that takes long.
class key_search {
 public:
  key_search(const std::vector<const operation*>& ops, const datum& initial)
      : initial_state_(values_.intern(initial)), bits_((ops.size() + 63) / 64, 0),
        zobrist_(ops.size()), seen_(bits_.size()) {
    ops_.reserve(ops.size());
    for (const operation* op : ops) {
      compiled_op c;
      c.source = op;
      c.f = op->f;
      c.matched = op->matched;
      c.required = op->outcome == event_type::ok;
      c.argument = values_.intern(op->argument);
      c.expected = values_.intern(op->expected);
      c.output = values_.intern(op->output);
      if (c.required) ++required_left_;
      ops_.push_back(c);
    }
    std::uint64_t seed = 0x243f6a8885a308d3ULL;
    for (std::uint64_t& z : zobrist_) z = mix64(seed += 0x9e3779b97f4a7c15ULL);
    stack_.reserve(ops_.size());
    best_prefix_.reserve(ops_.size());
    best_blocked_.reserve(ops_.size());
    state_ = initial_state_;
    build_entries();
    cur_ = next_[head];
    record_best();
  }

  /// Searches on for at most `slice` steps, drawn from `b`; `paused` when the slice ran out
  /// first, and then the next call resumes where this one stopped.
  key_outcome run(budget& b, std::uint64_t slice) {
    for (std::uint64_t taken = 0; required_left_ != 0; ++taken) {
      if (taken == slice) return key_outcome::paused;
      if (!b.take_step()) return key_outcome::out_of_budget;
      // An ok operation's completion is still in the list, so the scan never runs off it.
      assert(cur_ != head);
      const std::uint32_t op = op_of_[cur_];
      if (is_call_[cur_]) {
        const value_id after = step(state_, op);
        if (after != illegal) {
          flip(op);
          if (seen_.insert(bits_, bits_hash_, after)) {
            stack_.emplace_back(cur_, state_);
            state_ = after;
            if (ops_[op].required) --required_left_;
            lift(cur_);
            if (stack_.size() > best_prefix_.size()) record_best();
            cur_ = next_[head];
            continue;
          }
          flip(op);
        }
        cur_ = next_[cur_];
        continue;
      }
      // The earliest completion left: its operation had to be linearized by now.
      if (stack_.empty()) return key_outcome::not_linearizable;
      const auto [call, before] = stack_.back();
      stack_.pop_back();
      const std::uint32_t undone = op_of_[call];
      state_ = before;
      flip(undone);
      if (ops_[undone].required) ++required_left_;
      unlift(call);
      cur_ = next_[call];
    }
    return key_outcome::linearizable;
  }

  /// After run() answered not_linearizable: the explanation's parts.
  [[nodiscard]] std::vector<operation> prefix() const { return sources(best_prefix_); }
  [[nodiscard]] std::vector<operation> blocked() const { return sources(best_blocked_); }
  [[nodiscard]] const datum& state_after_prefix() const { return values_.value(best_state_); }

 private:
  static constexpr std::uint32_t head = 0;

  /// The state after `op` from `state`, or `illegal` when the model refuses it there.
  value_id step(value_id state, std::uint32_t op) {
    const compiled_op& c = ops_[op];
    switch (c.f) {
      case op_kind::read:
        return state == c.output ? state : illegal;
      case op_kind::write:
        return c.argument;
      case op_kind::cas:
        if (c.matched) return state == c.expected ? c.argument : illegal;
        return state != c.expected ? state : illegal;
      case op_kind::append:
        return append(state, op);
      case op_kind::txn:
        break;  // not a register's: check_linearizability(history) refuses them
    }
    return illegal;
  }

  value_id append(value_id state, std::uint32_t op) {
    // Appends build new strings: remember each transition so that the search allocates
    // only the first time it reaches a state through an operation.
    const std::uint64_t transition = (std::uint64_t{state} << 32) | op;
    if (const auto it = append_next_.find(transition); it != append_next_.end()) return it->second;
    value_id after = illegal;
    const auto* text = std::get_if<std::string>(&values_.value(state));
    const auto* tail = std::get_if<std::string>(&values_.value(ops_[op].argument));
    if (text != nullptr && tail != nullptr) after = values_.intern(datum{*text + *tail});
    append_next_.emplace(transition, after);
    return after;
  }

  /// Lays out the call and completion entries of every operation in real-time order (the
  /// order of their events in the history) in a doubly linked list (entry 0 is its head),
  /// as Lowe's algorithm walks it.
  void build_entries() {
    struct point {
      std::uint64_t index;
      bool is_return;
      std::uint32_t op;
    };
    std::vector<point> points;
    points.reserve(ops_.size() * 2);
    for (std::uint32_t i = 0; i < ops_.size(); ++i) {
      const operation& op = *ops_[i].source;
      points.push_back({op.invoke_index, false, i});
      points.push_back({op.complete_index, true, i});
    }
    // Events have distinct indices; only completions that never came share never_index.
    std::sort(points.begin(), points.end(), [](const point& a, const point& b) {
      if (a.index != b.index) return a.index < b.index;
      return a.op < b.op;
    });
    const std::size_t count = points.size() + 1;
    next_.assign(count, head);
    prev_.assign(count, head);
    op_of_.assign(count, 0);
    is_call_.assign(count, false);
    match_.assign(count, head);
    std::vector<std::uint32_t> call_of(ops_.size(), head);
    for (std::uint32_t e = 1; e < count; ++e) {
      const point& p = points[e - 1];
      op_of_[e] = p.op;
      is_call_[e] = !p.is_return;
      if (p.is_return) {
        match_[call_of[p.op]] = e;
      } else {
        call_of[p.op] = e;
      }
      prev_[e] = e - 1;
      next_[e - 1] = e;
    }
    next_[count - 1] = head;
    prev_[head] = static_cast<std::uint32_t>(count - 1);
  }

  void unlink(std::uint32_t e) {
    next_[prev_[e]] = next_[e];
    prev_[next_[e]] = prev_[e];
  }
  void relink(std::uint32_t e) {
    next_[prev_[e]] = e;
    prev_[next_[e]] = e;
  }
  /// Takes an operation's call and completion out of the list; unlift() undoes the last
  /// lift (the unlinked entries keep their neighbours, so undoing in reverse order works).
  void lift(std::uint32_t call) {
    unlink(call);
    unlink(match_[call]);
  }
  void unlift(std::uint32_t call) {
    relink(match_[call]);
    relink(call);
  }

  /// Adds or removes `op` from the set of linearized operations.
  void flip(std::uint32_t op) {
    bits_[op / 64] ^= std::uint64_t{1} << (op % 64);
    bits_hash_ ^= zobrist_[op];
  }

  void record_best() {
    best_prefix_.clear();
    for (const auto& [call, before] : stack_) best_prefix_.push_back(op_of_[call]);
    best_state_ = state_;
    best_blocked_.clear();
    for (std::uint32_t e = next_[head]; e != head && is_call_[e]; e = next_[e]) {
      best_blocked_.push_back(op_of_[e]);
    }
  }

  [[nodiscard]] std::vector<operation> sources(const std::vector<std::uint32_t>& ids) const {
    std::vector<operation> out;
    out.reserve(ids.size());
    for (const std::uint32_t id : ids) out.push_back(*ops_[id].source);
    return out;
  }

  value_table values_;
  value_id initial_state_;
  std::vector<compiled_op> ops_;
  std::vector<std::uint64_t> bits_;     ///< the linearized operations, one bit each
  std::vector<std::uint64_t> zobrist_;  ///< a random word per operation, xored into bits_hash_
  std::uint64_t bits_hash_ = 0;
  memo seen_;
  /// The linearization so far: the call entry of each operation and the state before it.
  std::vector<std::pair<std::uint32_t, value_id>> stack_;
  value_id state_ = 0;
  std::uint32_t cur_ = 0;          ///< the entry the search looks at next
  std::size_t required_left_ = 0;  ///< ok operations not yet linearized
  std::unordered_map<std::uint64_t, value_id> append_next_;
  // The entry list, one slot per entry, indexed by entry; entry 0 is the head.
  std::vector<std::uint32_t> next_;
  std::vector<std::uint32_t> prev_;
  std::vector<std::uint32_t> op_of_;
  std::vector<bool> is_call_;
  std::vector<std::uint32_t> match_;  ///< call entry -> its completion entry
  std::vector<std::uint32_t> best_prefix_;
  std::vector<std::uint32_t> best_blocked_;
  value_id best_state_ = 0;
};

std::string key_name(const std::string& key) {
  return key.empty() ? std::string{"the register"} : "key " + to_string(datum{key});
}

std::string explain_failure(const linearizability_report& r) {
  std::string text = "not linearizable: " + key_name(r.key) + "\nlongest linearizable prefix (" +
                     std::to_string(r.prefix.size()) + " operations), leaving the state at " +
                     to_string(r.state_after_prefix) + ":\n";
  std::size_t position = 0;
  for (const operation& op : r.prefix) {
    text += "  " + std::to_string(++position) + ". " + describe(op) + "\n";
  }
  text += "none of these can be ordered next:\n";
  for (const operation& op : r.blocked) text += "  - " + describe(op) + "\n";
  return text;
}

}  // namespace

const char* to_string(verdict v) noexcept {
  switch (v) {
    case verdict::linearizable:
      return "linearizable";
    case verdict::not_linearizable:
      return "not-linearizable";
    case verdict::unknown:
      return "unknown";
  }
  return "?";
}

std::string describe(const operation& op) {
  std::string text = "process " + std::to_string(op.process) + " " + to_string(op.f);
  switch (op.f) {
    case op_kind::read:
      text += op.outcome == event_type::ok ? " -> " + to_string(op.output) : "";
      break;
    case op_kind::write:
    case op_kind::append:
      text += " " + to_string(op.argument);
      break;
    case op_kind::cas:
      text += " [" + to_string(op.expected) + " " + to_string(op.argument) + "]";
      if (op.outcome == event_type::ok && !op.matched) text += " (compare did not match)";
      break;
    case op_kind::txn:
      break;
  }
  text +=
      std::string{", "} + to_string(op.outcome) + ", invoked at " + std::to_string(op.invoke_ns) +
      ", completed " +
      (op.complete_ns == never_ns ? std::string{"never"} : "at " + std::to_string(op.complete_ns));
  return text;
}

linearizability_report check_linearizability(std::span<const operation> ops,
                                             const linearizability_options& options) {
  std::map<std::string_view, std::vector<const operation*>> by_key;
  for (const operation& op : ops) {
    if (op.outcome == event_type::fail) continue;  // certainly did not take effect
    // An unanswered read changes nothing and was told nothing: it constrains nothing.
    if (op.f == op_kind::read && op.outcome != event_type::ok) continue;
    by_key[op.key].push_back(&op);
  }

  budget b;
  b.deadline = clock_type::now() + options.time_limit;
  b.step_limit = options.step_limit;
  std::vector<std::string_view> keys;
  std::vector<key_search> searches;
  keys.reserve(by_key.size());
  searches.reserve(by_key.size());
  for (const auto& [key, key_ops] : by_key) {
    keys.push_back(key);
    searches.emplace_back(key_ops, options.initial);
  }
  // Keys take turns, each round with twice the steps of the last: a key that fails quickly
  // is found at little more than its own cost times the number of keys, however long the
  // others would take, and the answer still depends on steps only, not on the clock.
  std::vector<std::size_t> pending(keys.size());
  for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  linearizability_report report;
  for (std::uint64_t slice = first_slice_steps; !pending.empty(); slice *= 2) {
    std::size_t kept = 0;
    for (const std::size_t i : pending) {
      const key_outcome outcome = searches[i].run(b, slice);
      if (outcome == key_outcome::linearizable) continue;
      if (outcome == key_outcome::paused) {
        pending[kept++] = i;
        continue;
      }
      report.steps = b.steps;
      report.key = std::string{keys[i]};
      if (outcome == key_outcome::out_of_budget) {
        report.outcome = verdict::unknown;
        report.explanation =
            "unknown: the " +
            (b.out_of_time ? "time limit of " + std::to_string(options.time_limit.count()) + " ms"
                           : "step limit of " + std::to_string(options.step_limit) + " steps") +
            " ran out while checking " + key_name(report.key) + "\n";
        return report;
      }
      report.outcome = verdict::not_linearizable;
      report.prefix = searches[i].prefix();
      report.blocked = searches[i].blocked();
      report.state_after_prefix = searches[i].state_after_prefix();
      report.explanation = explain_failure(report);
      return report;
    }
    pending.resize(kept);
  }
  report.steps = b.steps;
  report.explanation = "linearizable: " + std::to_string(by_key.size()) + " keys, " +
                       std::to_string(b.steps) + " steps\n";
  return report;
}

result<linearizability_report> check_linearizability(const history& h,
                                                     const linearizability_options& options) {
  auto ops = pair_operations(h);
  if (!ops) return ops.error();
  const auto is_txn = [](const operation& op) { return op.f == op_kind::txn; };
  if (std::any_of(ops.value().begin(), ops.value().end(), is_txn)) return errc::invalid_argument;
  return check_linearizability(std::span<const operation>{ops.value()}, options);
}

}  // namespace coact::check
