#include "coact/check/serializability.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

namespace coact::check {
namespace {

/// Which edge types a search may follow.
using edge_mask = std::uint8_t;
constexpr edge_mask bit(dependency d) { return static_cast<edge_mask>(1u << static_cast<int>(d)); }
constexpr edge_mask ww_only = bit(dependency::ww);
constexpr edge_mask ww_wr = bit(dependency::ww) | bit(dependency::wr);
constexpr edge_mask any_edge = ww_wr | bit(dependency::rw);

/// Who wrote a value of a key: the transaction, and whether no later write of the key in
/// that transaction followed it (what other transactions may read).
struct writer {
  std::size_t txn = 0;
  bool final = true;
};

/// What the history says of one key.
struct key_facts {
  std::map<datum, writer> writers;
  /// A list's version order: its longest read.
  const std::vector<datum>* order = nullptr;
  bool judgeable = true;
};

class graph_builder {
 public:
  explicit graph_builder(const std::vector<transaction>& txns) : txns_(txns) {}

  serializability_report build() {
    index_writes();
    find_committed();
    order_lists();
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (txns_[t].outcome == event_type::ok) infer_reads(t);
    }
    infer_write_order();
    report_.committed =
        static_cast<std::size_t>(std::count(committed_.begin(), committed_.end(), true));
    report_.edges = edges_.size();
    return std::move(report_);
  }

  /// The edges out of each transaction, deduplicated.
  [[nodiscard]] std::vector<std::vector<dependency_edge>> adjacency() const {
    std::vector<std::vector<dependency_edge>> out(txns_.size());
    for (const auto& [at, key] : edges_) {
      const auto& [from, to, type] = at;
      out[from].push_back({.from = from, .to = to, .type = type, .key = key});
    }
    return out;
  }

 private:
  void index_writes() {
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      std::map<datum, datum> last;  // this transaction's last write of each key
      for (const micro_op& op : txns_[t].ops) {
        if (op.f == micro_op::kind::read) continue;
        key_facts& k = keys_[op.key];
        if (!k.writers.emplace(op.value, writer{.txn = t, .final = false}).second) {
          unjudgeable(op.key,
                      "value " + to_string(op.value) + " of key " + to_string(op.key) +
                          " is written twice: reads cannot name their writer",
                      {t});
        }
        last[op.key] = op.value;
      }
      for (const auto& [key, value] : last) {
        auto& w = keys_[key].writers[value];
        if (w.txn == t) w.final = true;
      }
    }
  }

  /// ok transactions, and info ones whose writes an ok transaction read.
  void find_committed() {
    committed_.assign(txns_.size(), false);
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (txns_[t].outcome != event_type::ok) continue;
      committed_[t] = true;
      for_each_read_value(txns_[t], [&](const micro_op& op, const datum& v) {
        const auto* w = writer_of(op.key, v);
        if (w != nullptr && txns_[w->txn].outcome == event_type::info) committed_[w->txn] = true;
      });
    }
  }

  void order_lists() {
    for (const transaction& t : txns_) {
      if (t.outcome != event_type::ok) continue;
      for (const micro_op& op : t.ops) {
        if (op.f != micro_op::kind::read || !op.list) continue;
        key_facts& k = keys_[op.key];
        if (k.order == nullptr || op.list->size() > k.order->size()) k.order = &*op.list;
      }
    }
    for (std::size_t t = 0; t < txns_.size(); ++t) {
      if (txns_[t].outcome != event_type::ok) continue;
      for (const micro_op& op : txns_[t].ops) {
        if (op.f != micro_op::kind::read || !op.list) continue;
        key_facts& k = keys_[op.key];
        if (!k.judgeable || std::equal(op.list->begin(), op.list->end(), k.order->begin())) {
          continue;
        }
        k.judgeable = false;
        report_.anomalies.push_back({.kind = anomaly_kind::incompatible_order,
                                     .transactions = {t},
                                     .reason = "T" + std::to_string(t) + " read key " +
                                               to_string(op.key) + " as " + list_text(*op.list) +
                                               ", not a prefix of " + list_text(*k.order) +
                                               ": the reads agree on no version order"});
      }
    }
  }

  void infer_reads(std::size_t t) {
    for (const micro_op& op : txns_[t].ops) {
      if (op.f != micro_op::kind::read) continue;
      key_facts& k = keys_[op.key];
      if (!k.judgeable) continue;
      if (op.list) {
        if (!op.list->empty()) {
          for (std::size_t i = 0; i + 1 < op.list->size(); ++i) {
            (void)judged_writer(t, op.key, (*op.list)[i]);
          }
          read_from(t, op.key, op.list->back());
        }
        // The version after the one read was installed by someone this read did not see.
        if (k.order != nullptr && op.list->size() < k.order->size()) {
          if (const auto* w = writer_of(op.key, (*k.order)[op.list->size()])) {
            add_edge(t, w->txn, dependency::rw, op.key);
          }
        }
      } else if (op.value.index() != 0) {
        read_from(t, op.key, op.value);
      }
    }
  }

  /// Reader t's read of key ends at value v: the wr edge, and G1a and G1b.
  void read_from(std::size_t t, const datum& key, const datum& v) {
    const writer* w = judged_writer(t, key, v);
    if (w == nullptr || w->txn == t) return;
    if (!w->final) {
      report_.anomalies.push_back({.kind = anomaly_kind::g1b,
                                   .transactions = {w->txn, t},
                                   .reason = "T" + std::to_string(t) + " read " + to_string(v) +
                                             " of key " + to_string(key) + ", which T" +
                                             std::to_string(w->txn) +
                                             " overwrote before it committed (intermediate read)"});
    }
    add_edge(w->txn, t, dependency::wr, key);
  }

  /// The writer of value v of key, with G1a and unknown values reported as t's.
  const writer* judged_writer(std::size_t t, const datum& key, const datum& v) {
    const writer* w = writer_of(key, v);
    if (w == nullptr) {
      unjudgeable(key,
                  "T" + std::to_string(t) + " read " + to_string(v) + " of key " + to_string(key) +
                      ", which no transaction wrote",
                  {t});
      return nullptr;
    }
    if (txns_[w->txn].outcome == event_type::fail) {
      report_.anomalies.push_back({.kind = anomaly_kind::g1a,
                                   .transactions = {w->txn, t},
                                   .reason = "T" + std::to_string(t) + " read " + to_string(v) +
                                             " of key " + to_string(key) + ", written only by T" +
                                             std::to_string(w->txn) +
                                             ", which aborted (aborted read)"});
      return nullptr;
    }
    return w;
  }

  void infer_write_order() {
    for (const auto& [key, k] : keys_) {
      if (!k.judgeable || k.order == nullptr) continue;
      for (std::size_t i = 1; i < k.order->size(); ++i) {
        const auto* before = writer_of(key, (*k.order)[i - 1]);
        const auto* after = writer_of(key, (*k.order)[i]);
        if (before != nullptr && after != nullptr) {
          add_edge(before->txn, after->txn, dependency::ww, key);
        }
      }
    }
  }

  void add_edge(std::size_t from, std::size_t to, dependency type, const datum& key) {
    if (from == to || !committed_[from] || !committed_[to]) return;
    edges_.emplace(std::tuple{from, to, type}, key);
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
    report_.anomalies.push_back({.kind = anomaly_kind::unjudgeable,
                                 .transactions = std::move(txns),
                                 .reason = std::move(reason)});
  }

  template <class F>
  static void for_each_read_value(const transaction& t, F&& f) {
    for (const micro_op& op : t.ops) {
      if (op.f != micro_op::kind::read) continue;
      if (op.list) {
        for (const datum& x : *op.list) f(op, x);
      } else if (op.value.index() != 0) {
        f(op, op.value);
      }
    }
  }

  static std::string list_text(const std::vector<datum>& list) {
    std::string text = "[";
    for (const datum& x : list) text += (text.size() > 1 ? " " : "") + to_string(x);
    return text + "]";
  }

  const std::vector<transaction>& txns_;
  std::map<datum, key_facts> keys_;
  std::vector<bool> committed_;
  std::map<std::tuple<std::size_t, std::size_t, dependency>, datum> edges_;
  serializability_report report_;
};

using adjacency = std::vector<std::vector<dependency_edge>>;

/// Tarjan's strongly connected components of the nodes with `member` set, over the edges
/// of `mask` between them (iterative: a history's graph may be deep). Component ids per
/// node; nodes outside get none.
std::vector<std::optional<std::size_t>> components(const adjacency& g,
                                                   const std::vector<bool>& member,
                                                   edge_mask mask) {
  const std::size_t n = g.size();
  std::vector<std::optional<std::size_t>> component(n);
  std::vector<std::size_t> index(n, 0);
  std::vector<std::size_t> low(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<std::size_t> stack;
  std::size_t next_index = 1;  // 0: not visited
  std::size_t next_component = 0;
  std::vector<std::pair<std::size_t, std::size_t>> calls;  // node, next edge to visit
  for (std::size_t root = 0; root < n; ++root) {
    if (!member[root] || index[root] != 0) continue;
    calls.emplace_back(root, 0);
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!calls.empty()) {
      auto& [v, e] = calls.back();
      if (e < g[v].size()) {
        const dependency_edge& edge = g[v][e++];
        const std::size_t w = edge.to;
        if (!member[w] || (mask & bit(edge.type)) == 0) continue;
        if (index[w] == 0) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          calls.emplace_back(w, 0);
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      const std::size_t done = v;
      calls.pop_back();
      if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[done]);
      if (low[done] != index[done]) continue;
      for (;;) {
        const std::size_t w = stack.back();
        stack.pop_back();
        on_stack[w] = false;
        component[w] = next_component;
        if (w == done) break;
      }
      ++next_component;
    }
  }
  return component;
}

/// A shortest path from `from` to `to` over edges of `mask` between members, as edges;
/// empty if there is none.
std::vector<dependency_edge> path(const adjacency& g, const std::vector<bool>& member,
                                  edge_mask mask, std::size_t from, std::size_t to) {
  std::map<std::size_t, const dependency_edge*> via;  // node -> the edge that reached it
  std::deque<std::size_t> frontier{from};
  via[from] = nullptr;
  while (!frontier.empty()) {
    const std::size_t v = frontier.front();
    frontier.pop_front();
    if (v == to) break;
    for (const dependency_edge& e : g[v]) {
      if (!member[e.to] || (mask & bit(e.type)) == 0 || via.contains(e.to)) continue;
      via[e.to] = &e;
      frontier.push_back(e.to);
    }
  }
  if (!via.contains(to)) return {};
  std::vector<dependency_edge> edges;
  for (std::size_t v = to; v != from; v = via[v]->from) edges.push_back(*via[v]);
  std::reverse(edges.begin(), edges.end());
  return edges;
}

/// A cycle among `member` over edges of `mask` that uses `first` as its first edge, or
/// none.
std::vector<dependency_edge> cycle_through(const adjacency& g, const std::vector<bool>& member,
                                           edge_mask mask, const dependency_edge& first) {
  auto back = path(g, member, mask, first.to, first.from);
  if (back.empty()) return {};
  back.insert(back.begin(), first);
  return back;
}

/// A cycle among `member` over edges of `mask`, or none.
std::vector<dependency_edge> any_cycle(const adjacency& g, const std::vector<bool>& member,
                                       edge_mask mask) {
  const auto component = components(g, member, mask);
  for (std::size_t v = 0; v < g.size(); ++v) {
    if (!member[v]) continue;
    for (const dependency_edge& e : g[v]) {
      if ((mask & bit(e.type)) != 0 && member[e.to] && component[e.to] == component[v]) {
        return cycle_through(g, member, mask, e);
      }
    }
  }
  return {};
}

/// The weakest class of cycle among `member` (one strongly connected component).
anomaly weakest_cycle(const adjacency& g, const std::vector<bool>& member) {
  if (auto c = any_cycle(g, member, ww_only); !c.empty()) {
    return {.kind = anomaly_kind::g0, .cycle = std::move(c)};
  }
  if (auto c = any_cycle(g, member, ww_wr); !c.empty()) {
    return {.kind = anomaly_kind::g1c, .cycle = std::move(c)};
  }
  const dependency_edge* some_rw = nullptr;
  for (std::size_t v = 0; v < g.size(); ++v) {
    if (!member[v]) continue;
    for (const dependency_edge& e : g[v]) {
      if (e.type != dependency::rw || !member[e.to]) continue;
      some_rw = &e;
      // One rw edge closed by ww and wr edges alone.
      auto back = path(g, member, ww_wr, e.to, e.from);
      if (back.empty()) continue;
      back.insert(back.begin(), e);
      return {.kind = anomaly_kind::g_single, .cycle = std::move(back)};
    }
  }
  return {.kind = anomaly_kind::g2, .cycle = cycle_through(g, member, any_edge, *some_rw)};
}

std::string name(std::size_t t, const std::vector<transaction>& txns) {
  return "T" + std::to_string(t) + " (process " + std::to_string(txns[t].process) + ")";
}

}  // namespace

const char* to_string(dependency d) noexcept {
  switch (d) {
    case dependency::ww:
      return "ww";
    case dependency::wr:
      return "wr";
    case dependency::rw:
      return "rw";
  }
  return "?";
}

const char* to_string(anomaly_kind k) noexcept {
  switch (k) {
    case anomaly_kind::g0:
      return "G0";
    case anomaly_kind::g1a:
      return "G1a";
    case anomaly_kind::g1b:
      return "G1b";
    case anomaly_kind::g1c:
      return "G1c";
    case anomaly_kind::g_single:
      return "G-single";
    case anomaly_kind::g2:
      return "G2";
    case anomaly_kind::incompatible_order:
      return "incompatible-order";
    case anomaly_kind::unjudgeable:
      return "unjudgeable";
  }
  return "?";
}

serializability_report check_serializability(const std::vector<transaction>& txns) {
  graph_builder builder{txns};
  serializability_report report = builder.build();
  const adjacency g = builder.adjacency();
  const std::vector<bool> everyone(txns.size(), true);
  const auto component = components(g, everyone, any_edge);
  std::map<std::size_t, std::vector<bool>> members;  // components of two or more
  std::map<std::size_t, std::size_t> sizes;
  for (std::size_t v = 0; v < txns.size(); ++v) ++sizes[*component[v]];
  for (std::size_t v = 0; v < txns.size(); ++v) {
    if (sizes[*component[v]] < 2) continue;
    auto& m = members[*component[v]];
    m.resize(txns.size(), false);
    m[v] = true;
  }
  for (const auto& [id, member] : members) {
    anomaly a = weakest_cycle(g, member);
    for (const dependency_edge& e : a.cycle) a.transactions.push_back(e.from);
    a.reason = std::string{to_string(a.kind)} + " cycle of " + std::to_string(a.cycle.size()) +
               " transactions";
    report.anomalies.push_back(std::move(a));
  }
  return report;
}

std::string explain(const serializability_report& r, const std::vector<transaction>& txns) {
  std::string text = r.valid() ? "serializable" : "not serializable";
  text += ": " + std::to_string(r.committed) + " committed transactions, " +
          std::to_string(r.edges) + " dependencies\n";
  for (const anomaly& a : r.anomalies) {
    text += std::string{to_string(a.kind)} + ": ";
    if (a.cycle.empty()) {
      text += a.reason + "\n";
      continue;
    }
    for (const dependency_edge& e : a.cycle) {
      text += name(e.from, txns) + " -" + to_string(e.type) + " " + to_string(e.key) + "-> ";
    }
    text += "T" + std::to_string(a.cycle.front().from) + "\n";
  }
  return text;
}

}  // namespace coact::check
