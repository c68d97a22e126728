#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/check/transaction.hpp"

namespace coact::check {

/// Adya's dependencies between committed transactions: ww (a installed a version, b the
/// next), wr (b read what a wrote), rw (a read a version, b installed the next one).
enum class dependency : std::uint8_t { ww, wr, rw };

[[nodiscard]] const char* to_string(dependency d) noexcept;

/// An edge of the dependency graph: transactions by their position in the input.
struct dependency_edge {
  std::size_t from = 0;
  std::size_t to = 0;
  dependency type = dependency::ww;
  datum key;
};

/// What a history shows that no serializable execution can.
enum class anomaly_kind : std::uint8_t {
  g0,        ///< a cycle of ww edges (dirty write)
  g1a,       ///< a read of a value only an aborted transaction wrote (aborted read)
  g1b,       ///< a read of a value its writer later overwrote within itself (intermediate read)
  g1c,       ///< a cycle of ww and wr edges (circular information flow)
  g_single,  ///< a cycle with exactly one rw edge (read skew)
  g2,        ///< a cycle with two or more rw edges (write skew, anti-dependency cycle)
  /// Two reads of a list where neither is a prefix of the other: no version order.
  incompatible_order,
  /// A read of an element no transaction appended (or wrote), or an element appended
  /// twice: the history cannot be judged at that key.
  unjudgeable,
};

[[nodiscard]] const char* to_string(anomaly_kind k) noexcept;

struct anomaly {
  anomaly_kind kind = anomaly_kind::unjudgeable;
  /// Cycles: the edges in order, the last one back to the first's `from`.
  std::vector<dependency_edge> cycle;
  /// The transactions involved (for cycles, in cycle order).
  std::vector<std::size_t> transactions;
  std::string reason;  ///< one line, for people
};

/// The verdict of check_serializability.
struct serializability_report {
  std::vector<anomaly> anomalies;
  std::size_t committed = 0;  ///< transactions in the graph: ok, and info ones seen read
  std::size_t edges = 0;

  [[nodiscard]] bool valid() const noexcept { return anomalies.empty(); }
};

/// Judges `txns` for serializability the way Elle does on list-append histories: every
/// append of a key appends a value unique to it, so the longest read of a key gives its
/// version order and each read names the transaction whose append it ends at. From them it
/// infers ww, wr and rw dependencies between committed transactions (ok ones, and info
/// ones some read observed), finds the strongly connected components of their graph, and
/// reports in each the weakest cycle class it holds (G0, then G1c, G-single, G2), with the
/// cycle; besides, G1a and G1b reads and reads with no common order. Register writes
/// (`w`, unique values) give wr edges only: a register's reads reveal no version order.
/// Real-time order is not used (serializability, not strict serializability).
[[nodiscard]] serializability_report check_serializability(const std::vector<transaction>& txns);

/// The report as text: one line per anomaly, each cycle as
/// `T3 (process 2) -rw "k1"-> T5 (process 4) -wr 7-> T3` (keys as Jepsen prints them).
[[nodiscard]] std::string explain(const serializability_report& r,
                                  const std::vector<transaction>& txns);

}  // namespace coact::check
