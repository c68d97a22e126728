#include "coact/check/external_consistency.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace coact::check {
namespace {

/// Who wrote a value of a key.
struct writer {
  std::size_t txn = 0;
  bool append = false;
  /// A register's write: no later write of the key in that transaction followed it.
  bool final = true;
};

/// One committed write of a key: a register's (a transaction's last write of it) or one
/// element appended to a list.
struct timed_write {
  std::uint64_t ts = 0;
  std::size_t txn = 0;
  datum value;
};

/// What the history says of one key.
struct key_facts {
  std::map<datum, writer> writers;  // every transaction's, whatever its outcome
  bool registers = false;           // written with `w`
  bool lists = false;               // written with `append`
  bool judgeable = true;
  /// Two committed transactions wrote it at one timestamp: a list's order is unknown.
  bool tied = false;
  /// The committed writes by (timestamp, transaction), a transaction's appends in its order.
  std::vector<timed_write> timeline;
};

/// What a reader sees: the committed writes below `ts` (read-write) or at or below it
/// (read-only).
struct snapshot {
  std::uint64_t ts = 0;
  bool read_only = true;

  [[nodiscard]] bool sees(std::uint64_t write_ts) const noexcept {
    return read_only ? write_ts <= ts : write_ts < ts;
  }
};

bool writes(const transaction& t) {
  return std::any_of(t.ops.begin(), t.ops.end(),
                     [](const micro_op& op) { return op.f != micro_op::kind::read; });
}

std::string list_text(const std::vector<datum>& list) {
  std::string text = "[";
  for (const datum& x : list) text += (text.size() > 1 ? " " : "") + to_string(x);
  return text + "]";
}

class checker {
 public:
  explicit checker(const std::vector<transaction>& txns) : txns_(txns) {}

  external_report run() {
    index_writes();
    find_committed();
    build_timelines();
    check_real_time();
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (txns_[t].outcome == event_type::ok) check_reads(t);
    }
    return std::move(report_);
  }

 private:
  void index_writes() {
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      std::map<datum, datum> last;  // this transaction's last register write of each key
      for (const micro_op& op : txns_[t].ops) {
        if (op.f == micro_op::kind::read) continue;
        key_facts& k = keys_[op.key];
        const bool append = op.f == micro_op::kind::append;
        (append ? k.lists : k.registers) = true;
        if (k.lists && k.registers) {
          unjudgeable(op.key,
                      "key " + to_string(op.key) +
                          " is written both as a register (w) and as a list (append)",
                      {t});
        }
        if (!k.writers.emplace(op.value, writer{.txn = t, .append = append, .final = append})
                 .second) {
          unjudgeable(op.key,
                      "value " + to_string(op.value) + " of key " + to_string(op.key) +
                          " is written twice: reads cannot name their writer",
                      {k.writers.at(op.value).txn, t});
        }
        if (!append) last[op.key] = op.value;
      }
      for (const auto& [key, value] : last) {
        writer& w = keys_[key].writers.at(value);
        if (w.txn == t) w.final = true;
      }
    }
  }

  /// ok transactions, and info ones with a timestamp whose write an ok read returned.
  void find_committed() {
    committed_.assign(txns_.size(), false);
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (txns_[t].outcome != event_type::ok) continue;
      committed_[t] = true;
      for (const micro_op& op : txns_[t].ops) {
        if (op.f != micro_op::kind::read) continue;
        const auto saw = [&](const datum& v) {
          if (v.index() == 0) return;  // nil: no one's write
          const writer* w = writer_of(op.key, v);
          const transaction* wt = w == nullptr ? nullptr : &txns_[w->txn];
          if (wt != nullptr && wt->outcome == event_type::info && wt->version) {
            committed_[w->txn] = true;
          }
        };
        if (op.list) {
          for (const datum& x : *op.list) saw(x);
        } else {
          saw(op.value);
        }
      }
    }
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (!committed_[t]) continue;
      assert(txns_[t].version);  // ok ones are refused without, info ones are not committed
      ++report_.committed;
      if (!writes(txns_[t])) ++report_.read_only;
    }
  }

  /// Each key's committed writes in timestamp order, and the committed writers of one key
  /// that share a timestamp.
  void build_timelines() {
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (!committed_[t]) continue;
      const std::uint64_t ts = *txns_[t].version;
      std::map<datum, datum> last;
      for (const micro_op& op : txns_[t].ops) {
        if (op.f == micro_op::kind::append) {
          keys_[op.key].timeline.push_back({.ts = ts, .txn = t, .value = op.value});
        } else if (op.f == micro_op::kind::write) {
          last[op.key] = op.value;
        }
      }
      for (auto& [key, value] : last) {
        keys_[key].timeline.push_back({.ts = ts, .txn = t, .value = std::move(value)});
      }
    }
    for (auto& [key, k] : keys_) {
      // Stable: a transaction's appends keep their order.
      std::stable_sort(k.timeline.begin(), k.timeline.end(),
                       [](const timed_write& a, const timed_write& b) {
                         return std::tie(a.ts, a.txn) < std::tie(b.ts, b.txn);
                       });
      for (std::size_t i = 1; i < k.timeline.size(); ++i) {
        const timed_write& a = k.timeline[i - 1];
        const timed_write& b = k.timeline[i];
        if (a.ts != b.ts || a.txn == b.txn) continue;
        k.tied = true;
        if (!tied_pairs_.emplace(a.txn, b.txn).second) continue;
        add(external_violation_kind::duplicate_timestamp, key, {a.txn, b.txn},
            name(a.txn) + " and " + name(b.txn) + " both wrote key " + to_string(key) + " at ts " +
                std::to_string(a.ts));
      }
    }
  }

  /// What a completed transaction binds those invoked after it to: a read-write one its
  /// commit timestamp; a read-only one the newest commit it observed (the highest
  /// timestamp among the writers of what it read), not its snapshot timestamp: two
  /// snapshots may be taken in either order as long as the later one misses nothing the
  /// earlier one saw.
  [[nodiscard]] std::uint64_t bound(std::size_t t) const {
    const transaction& done = txns_[t];
    if (writes(done)) return *done.version;
    std::uint64_t observed = 0;
    for (const micro_op& op : done.ops) {
      const datum* v = op.list ? (op.list->empty() ? nullptr : &op.list->back()) : &op.value;
      if (v == nullptr || v->index() == 0) continue;
      const writer* w = writer_of(op.key, *v);
      if (w != nullptr && txns_[w->txn].version) {
        observed = std::max(observed, *txns_[w->txn].version);
      }
    }
    return observed;
  }

  /// A sweep in history order: each committed transaction, at its invocation, against the
  /// largest bound of the ok ones completed before it.
  void check_real_time() {
    std::vector<std::size_t> by_invocation;
    std::vector<std::size_t> by_completion;
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (!committed_[t]) continue;
      by_invocation.push_back(t);
      if (txns_[t].outcome == event_type::ok) by_completion.push_back(t);
    }
    std::stable_sort(by_invocation.begin(), by_invocation.end(), [&](std::size_t a, std::size_t b) {
      return txns_[a].invoke_index < txns_[b].invoke_index;
    });
    std::stable_sort(by_completion.begin(), by_completion.end(), [&](std::size_t a, std::size_t b) {
      return txns_[a].complete_index < txns_[b].complete_index;
    });
    std::optional<std::size_t> latest;  // the largest timestamp completed so far
    std::size_t next = 0;
    for (const std::size_t t : by_invocation) {
      const transaction& later = txns_[t];
      for (; next < by_completion.size() &&
             txns_[by_completion[next]].complete_index < later.invoke_index;
           ++next) {
        const std::size_t done = by_completion[next];
        if (!latest || bound(done) > bound(*latest)) latest = done;
      }
      if (!latest) continue;
      const std::uint64_t before = bound(*latest);
      const std::uint64_t ts = *later.version;
      const bool read_write = writes(later);
      if (read_write ? ts > before : ts >= before) continue;
      add(external_violation_kind::timestamp_order, {}, {*latest, t},
          name(*latest) + (writes(txns_[*latest]) ? " committed" : " saw a commit") + " at ts " +
              std::to_string(before) + " and completed before " + name(t) + " was invoked, yet " +
              "T" + std::to_string(t) + (read_write ? " committed" : " read") + " at ts " +
              std::to_string(ts) + (read_write ? ", not after it" : ", before it"));
    }
  }

  void check_reads(std::size_t t) {
    const transaction& r = txns_[t];
    const snapshot at{.ts = *r.version, .read_only = !writes(r)};
    std::map<datum, datum> own_writes;                // key -> its last register write so far
    std::map<datum, std::vector<datum>> own_appends;  // key -> its appends so far
    for (const micro_op& op : r.ops) {
      if (op.f == micro_op::kind::write) {
        own_writes[op.key] = op.value;
        continue;
      }
      if (op.f == micro_op::kind::append) {
        own_appends[op.key].push_back(op.value);
        continue;
      }
      ++report_.reads;
      const auto k = keys_.find(op.key);
      if (k == keys_.end()) {
        // Nobody wrote the key: nil and the empty list are right, anything else unknown.
        if (op.list ? op.list->empty() : op.value.index() == 0) continue;
        const datum& v = op.list ? op.list->front() : op.value;
        add(external_violation_kind::unknown_write, op.key, {t},
            reader(t, at) + " read " + to_string(v) + " of key " + to_string(op.key) +
                ", which no transaction wrote");
        continue;
      }
      if (!k->second.judgeable || tied_read(t, at, op.key, k->second)) {
        ++report_.unjudged_reads;
        continue;
      }
      // A list key read as nil: the empty list (some stores answer nil for a missing list).
      const bool list = op.list || (k->second.lists && op.value.index() == 0);
      if (list) {
        const auto own = own_appends.find(op.key);
        read_list(t, at, op.key, k->second, op.list ? *op.list : std::vector<datum>{},
                  own == own_appends.end() ? std::vector<datum>{} : own->second);
      } else {
        const auto own = own_writes.find(op.key);
        read_register(t, at, op.key, k->second, op.value,
                      own == own_writes.end() ? nullptr : &own->second);
      }
    }
  }

  /// Whether read-write reader t read `key`, which another committed transaction wrote at
  /// t's own timestamp: no order of their timestamps says whether t should see that write
  /// (a reader of the key holds it locked until it commits, so a store that commits them
  /// in real time gives them distinct timestamps). Reports it as duplicate_timestamp.
  bool tied_read(std::size_t t, const snapshot& at, const datum& key, const key_facts& k) {
    if (at.read_only) return false;
    auto w = std::partition_point(k.timeline.begin(), k.timeline.end(),
                                  [&](const timed_write& e) { return e.ts < at.ts; });
    for (; w != k.timeline.end() && w->ts == at.ts; ++w) {
      if (w->txn == t) continue;  // its own write
      if (tied_pairs_.emplace(std::min(t, w->txn), std::max(t, w->txn)).second) {
        add(external_violation_kind::duplicate_timestamp, key, {t, w->txn},
            name(t) + " read key " + to_string(key) + " and " + name(w->txn) +
                " wrote it, both at ts " + std::to_string(at.ts));
      }
      return true;
    }
    return false;
  }

  /// Reader t read `v` of register `key`; `own` is its own last write of it, if any.
  void read_register(std::size_t t, const snapshot& at, const datum& key, const key_facts& k,
                     const datum& v, const datum* own) {
    // Built only for a violation: most reads have none.
    const auto read = [&] {
      return reader(t, at) + " read " + to_string(v) + " of key " + to_string(key);
    };
    if (own != nullptr) {
      if (v != *own) {
        add(external_violation_kind::stale_read, key, {t},
            read() + " after writing " + to_string(*own) + " itself");
      }
      return;
    }
    const timed_write* newest = newest_seen(k, at);
    if (v.index() == 0) {
      if (newest != nullptr) {
        add(external_violation_kind::stale_read, key, {t, newest->txn},
            read() + ", but " + name(newest->txn) + " committed " + to_string(newest->value) +
                " at ts " + std::to_string(newest->ts));
      }
      return;
    }
    const auto found = k.writers.find(v);
    if (found == k.writers.end() || found->second.append) {
      add(external_violation_kind::unknown_write, key, {t},
          read() + ", which no transaction wrote");
      return;
    }
    const writer& w = found->second;
    if (!judge_writer(t, at, key, w, read)) return;
    if (!w.final) {
      add(external_violation_kind::intermediate_read, key, {t, w.txn},
          read() + ", which " + name(w.txn) + " overwrote before it committed");
      return;
    }
    const std::uint64_t ts = *txns_[w.txn].version;
    if (newest != nullptr && newest->ts > ts) {
      add(external_violation_kind::stale_read, key, {t, w.txn, newest->txn},
          read() + ", written by " + name(w.txn) + " at ts " + std::to_string(ts) + ", but " +
              name(newest->txn) + " committed " + to_string(newest->value) + " at ts " +
              std::to_string(newest->ts));
    }
  }

  /// Reader t read `list` of list `key`, after appending `own` to it itself.
  void read_list(std::size_t t, const snapshot& at, const datum& key, const key_facts& k,
                 const std::vector<datum>& list, const std::vector<datum>& own) {
    const auto read = [&] {
      return reader(t, at) + " read key " + to_string(key) + " as " + list_text(list);
    };
    // First, that each element is one the reader may see at all.
    for (const datum& x : list) {
      if (std::find(own.begin(), own.end(), x) != own.end()) continue;
      const auto found = k.writers.find(x);
      if (found == k.writers.end() || !found->second.append) {
        add(external_violation_kind::unknown_write, key, {t},
            read() + ": no transaction appended " + to_string(x));
        return;
      }
      const auto element = [&] { return read() + ": " + to_string(x); };
      if (!judge_writer(t, at, key, found->second, element)) return;
    }
    if (k.tied) {
      ++report_.unjudged_reads;
      return;
    }
    // Then, that they are exactly the committed ones it sees in timestamp order, then its own.
    const std::size_t seen = seen_count(k, at);
    const auto expected = [&](std::size_t i) -> const datum& {
      return i < seen ? k.timeline[i].value : own[i - seen];
    };
    const std::size_t expected_size = seen + own.size();
    std::size_t i = 0;
    while (i < list.size() && i < expected_size && list[i] == expected(i)) ++i;
    if (i == list.size() && i == expected_size) return;
    if (i < expected_size && std::find(list.begin(), list.end(), expected(i)) == list.end()) {
      if (i >= seen) {
        add(external_violation_kind::stale_read, key, {t},
            read() + ", missing " + to_string(expected(i)) + ", which it appended itself");
        return;
      }
      const timed_write& missed = k.timeline[i];
      add(external_violation_kind::stale_read, key, {t, missed.txn},
          read() + ", missing " + to_string(missed.value) + ", which " + name(missed.txn) +
              " appended at ts " + std::to_string(missed.ts));
      return;
    }
    assert(i < list.size());
    std::string where = "element " + std::to_string(i) + " is " + to_string(list[i]) + ", ";
    where += i < expected_size ? "where timestamp order puts " + to_string(expected(i))
                               : "past the " + std::to_string(expected_size) + " appends it sees";
    add(external_violation_kind::misordered_read, key, {t}, read() + ": " + where);
  }

  /// Whether reader t may have seen writer w's value of `key` at all: it is not aborted, of
  /// unknown timestamp (counted as not judged) or beyond the reader's snapshot. If not,
  /// reports why, starting with `read()`.
  template <class Read>
  bool judge_writer(std::size_t t, const snapshot& at, const datum& key, const writer& w,
                    const Read& read) {
    const transaction& wt = txns_[w.txn];
    if (w.txn == t) {
      add(external_violation_kind::future_read, key, {t}, read() + ", which it writes only later");
      return false;
    }
    if (wt.outcome == event_type::fail) {
      add(external_violation_kind::aborted_read, key, {t, w.txn},
          read() + ", written only by " + name(w.txn) + ", which failed");
      return false;
    }
    if (!wt.version) {  // info, of unknown timestamp
      ++report_.unjudged_reads;
      return false;
    }
    if (!at.sees(*wt.version)) {
      add(external_violation_kind::future_read, key, {t, w.txn},
          read() + ", which " + name(w.txn) + " wrote at ts " + std::to_string(*wt.version) +
              (at.read_only ? ", after the snapshot" : ", not before the reader's commit"));
      return false;
    }
    return true;
  }

  /// How many of the key's committed writes the snapshot sees: a prefix of its timeline.
  static std::size_t seen_count(const key_facts& k, const snapshot& at) {
    const auto end = std::partition_point(k.timeline.begin(), k.timeline.end(),
                                          [&](const timed_write& w) { return at.sees(w.ts); });
    return static_cast<std::size_t>(end - k.timeline.begin());
  }

  /// The newest committed write of the key the snapshot sees, or none.
  static const timed_write* newest_seen(const key_facts& k, const snapshot& at) {
    const std::size_t n = seen_count(k, at);
    return n == 0 ? nullptr : &k.timeline[n - 1];
  }

  const writer* writer_of(const datum& key, const datum& v) const {
    const auto k = keys_.find(key);
    if (k == keys_.end()) return nullptr;
    const auto w = k->second.writers.find(v);
    return w == k->second.writers.end() ? nullptr : &w->second;
  }

  void unjudgeable(const datum& key, std::string reason, std::vector<std::size_t> txns) {
    key_facts& k = keys_[key];
    if (!k.judgeable) return;
    k.judgeable = false;
    add(external_violation_kind::unjudgeable, key, std::move(txns), std::move(reason));
  }

  void add(external_violation_kind kind, datum key, std::vector<std::size_t> positions,
           std::string reason) {
    external_violation v{.kind = kind, .key = std::move(key), .reason = std::move(reason)};
    for (const std::size_t p : positions) v.transactions.push_back(txns_[p]);
    v.positions = std::move(positions);
    report_.violations.push_back(std::move(v));
  }

  std::string name(std::size_t t) const {
    return "T" + std::to_string(t) + " (process " + std::to_string(txns_[t].process) + ")";
  }

  std::string reader(std::size_t t, const snapshot& at) const {
    return name(t) + (at.read_only ? ", reading at ts " : ", committing at ts ") +
           std::to_string(at.ts) + ",";
  }

  const std::vector<transaction>& txns_;
  std::map<datum, key_facts> keys_;
  std::vector<bool> committed_;
  /// Transactions reported as sharing a timestamp, the lower position first: once a pair.
  std::set<std::pair<std::size_t, std::size_t>> tied_pairs_;
  external_report report_;
};

}  // namespace

const char* to_string(external_violation_kind k) noexcept {
  switch (k) {
    case external_violation_kind::timestamp_order:
      return "timestamp-order";
    case external_violation_kind::duplicate_timestamp:
      return "duplicate-timestamp";
    case external_violation_kind::stale_read:
      return "stale-read";
    case external_violation_kind::future_read:
      return "future-read";
    case external_violation_kind::misordered_read:
      return "misordered-read";
    case external_violation_kind::aborted_read:
      return "aborted-read";
    case external_violation_kind::intermediate_read:
      return "intermediate-read";
    case external_violation_kind::unknown_write:
      return "unknown-write";
    case external_violation_kind::unjudgeable:
      return "unjudgeable";
  }
  return "?";
}

result<external_report> check_external_consistency(const std::vector<transaction>& txns,
                                                   std::string* why) {
  for (const transaction& t : txns) {
    if (t.outcome != event_type::ok || t.version) continue;
    if (why != nullptr) {
      *why = "the transaction of process " + std::to_string(t.process) + " completed ok at index " +
             std::to_string(t.complete_index) +
             " without a version: its commit timestamp (a read-only transaction's snapshot "
             "timestamp), by which external consistency is judged";
    }
    return errc::invalid_argument;
  }
  return checker{txns}.run();
}

std::string explain(const external_report& r) {
  std::string text = r.valid() ? "externally consistent" : "not externally consistent";
  text += ": " + std::to_string(r.committed) + " committed transactions (" +
          std::to_string(r.read_only) + " read-only), " + std::to_string(r.reads) + " reads";
  if (r.unjudged_reads != 0) text += " (" + std::to_string(r.unjudged_reads) + " not judged)";
  text += '\n';
  for (const external_violation& v : r.violations) {
    text += std::string{to_string(v.kind)} + ": " + v.reason + "\n";
  }
  return text;
}

}  // namespace coact::check
