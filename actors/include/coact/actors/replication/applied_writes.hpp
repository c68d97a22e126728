#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <vector>

namespace coact::replication {

/// Each client's applied writes by idempotency token (the client's id and the number it
/// gave the write; a client numbers its writes 1, 2, ... and sends the next only once the
/// last is answered), with what each did. Every member derives it from the log as it
/// applies it, so whichever member leads knows what is already applied: a write delivered
/// twice, or retried after a lost answer, is applied once and answered as the first time
/// (Raft §8). It keeps each client's writes back to the stable index (the commit point) so
/// that undo_after() can forget the writes of entries a rollback cut off.
template <class Outcome>
class applied_writes {
 public:
  /// How a write with a given token stands.
  enum class status : std::uint8_t {
    /// Never applied: apply it.
    fresh,
    /// The client's last applied write: do not apply it again, answer last().
    last,
    /// Older than the client's last applied write: its client waits for it no more.
    older,
  };

  /// Where the write (client, sequence) stands; `fresh` for client 0 (no token).
  [[nodiscard]] status of(std::uint64_t client, std::uint64_t sequence) const {
    const auto it = clients_.find(client);
    if (client == 0 || it == clients_.end()) return status::fresh;
    const std::uint64_t last = it->second.back().sequence;
    return sequence > last ? status::fresh : sequence == last ? status::last : status::older;
  }
  /// What the client's last applied write did (status last only).
  [[nodiscard]] const Outcome& last(std::uint64_t client) const {
    return clients_.at(client).back().outcome;
  }
  /// Notes that the client's write `sequence`, the entry at `index`, did `outcome`. Writes
  /// no rollback can bring back are forgotten: the client's older ones at or before
  /// `stable_index`.
  void record(std::uint64_t client, std::uint64_t sequence, std::uint64_t index, Outcome outcome,
              std::uint64_t stable_index) {
    if (client == 0) return;
    auto& writes = clients_[client];
    writes.push_back({.sequence = sequence, .index = index, .outcome = std::move(outcome)});
    std::size_t keep_from = 0;
    for (std::size_t i = 0; i + 1 < writes.size() && writes[i + 1].index <= stable_index; ++i) {
      keep_from = i + 1;
    }
    writes.erase(writes.begin(), writes.begin() + static_cast<std::ptrdiff_t>(keep_from));
  }
  /// Forgets the writes of every entry after `index` (the log was cut there).
  void undo_after(std::uint64_t index) {
    // Not std::erase_if on the map: it hands its predicate const elements.
    for (auto it = clients_.begin(); it != clients_.end();) {
      std::erase_if(it->second, [index](const write& w) { return w.index > index; });
      it = it->second.empty() ? clients_.erase(it) : std::next(it);
    }
  }

 private:
  struct write {
    std::uint64_t sequence = 0;
    std::uint64_t index = 0;
    Outcome outcome;
  };
  std::map<std::uint64_t, std::vector<write>> clients_;  // oldest first
};

}  // namespace coact::replication
