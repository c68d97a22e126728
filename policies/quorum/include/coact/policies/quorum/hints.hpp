#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/kv_client.hpp"

namespace coact::policies::quorum {

/// A write a coordinator owes one replica node.
struct hint {
  std::uint32_t node = 0;
  std::string key;
  std::string value;
  kv::version version;
};

/// The hints of one coordinator (hinted handoff): writes that a replica did not
/// acknowledge, kept to be replayed to it until it does. Under last-writer-wins only the
/// newest write of a key matters to a replica, so one hint per (node, key) is kept, the
/// newest. Bounded: at most `count_max` hints; a hint beyond that is dropped (counted),
/// as Cassandra stops hinting past its hint window: read repair is then the only way the
/// replica catches up. Volatile: hints die with the coordinator. One actor's state.
class hints {
 public:
  explicit hints(std::size_t count_max) noexcept : count_max_(count_max) {}

  /// Keeps `h` unless a newer hint of its node and key is kept already. False when it was
  /// dropped because the store is full.
  bool add(hint h);
  /// Marks up to `count_max` hints that are not being replayed as being replayed, and
  /// returns copies of them (in node, then key order).
  [[nodiscard]] std::vector<hint> start_replay(std::size_t count_max);
  /// A replay of (node, key) at `version` ended: delivered (the replica acknowledged it)
  /// or not. A delivered hint is forgotten unless a newer one replaced it meanwhile.
  void replayed(std::uint32_t node, const std::string& key, kv::version version, bool delivered);

  [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }
  /// Hints dropped because the store was full.
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  struct entry {
    std::string value;
    kv::version version;
    bool replaying = false;
  };
  std::size_t count_max_;
  std::map<std::pair<std::uint32_t, std::string>, entry> entries_;
  std::uint64_t dropped_ = 0;
};

}  // namespace coact::policies::quorum
