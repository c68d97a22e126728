#pragma once

#include <cstdint>
#include <vector>

#include "coact/runtime/actor_ref.hpp"
#include "free_slots.hpp"

namespace coact {
class ask_awaiter;
class fan_out;
}  // namespace coact

namespace coact::detail {

/// A shard's asks awaiting replies, by correlation id. Ids carry a generation, so a
/// late reply to a reused slot is recognised as stale. 0 is never an id.
class pending_asks {
 public:
  /// Who waits for an ask's outcome: a single ask, or target `target` of a fan-out.
  struct sink {
    ask_awaiter* single = nullptr;
    fan_out* group = nullptr;
    std::uint32_t target = 0;
  };
  struct entry {
    sink to;
    actor_ref asker;
    actor_ref responder;
    std::uint64_t timer = 0;
    std::uint32_t generation = 1;
    [[nodiscard]] bool live() const noexcept { return to.single != nullptr || to.group != nullptr; }
  };

  std::uint64_t add(sink to, actor_ref asker, actor_ref responder) {
    const std::uint32_t slot = take_slot(entries_, free_);
    entry& e = entries_[slot];
    e.to = to;
    e.asker = asker;
    e.responder = responder;
    e.timer = 0;
    return (std::uint64_t{e.generation} << 32) | slot;
  }

  [[nodiscard]] entry* find(std::uint64_t id) noexcept {
    const auto slot = static_cast<std::uint32_t>(id & 0xffffffffu);
    if (slot >= entries_.size()) return nullptr;
    entry& e = entries_[slot];
    if (!e.live() || e.generation != static_cast<std::uint32_t>(id >> 32)) return nullptr;
    return &e;
  }

  /// The ids of the asks waiting for an actor on `node`.
  [[nodiscard]] std::vector<std::uint64_t> to_node(std::uint32_t node) const {
    std::vector<std::uint64_t> ids;
    for (std::uint32_t slot = 0; slot < entries_.size(); ++slot) {
      const entry& e = entries_[slot];
      if (e.live() && e.responder.node == node) {
        ids.push_back((std::uint64_t{e.generation} << 32) | slot);
      }
    }
    return ids;
  }

  void remove(std::uint64_t id) noexcept {
    entry* e = find(id);
    if (e == nullptr) return;
    e->to = {};
    if (++e->generation == 0) e->generation = 1;
    free_.push_back(static_cast<std::uint32_t>(id & 0xffffffffu));
  }

 private:
  std::vector<entry> entries_;
  std::vector<std::uint32_t> free_;
};

}  // namespace coact::detail
