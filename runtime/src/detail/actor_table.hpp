#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "coact/runtime/assert.hpp"

namespace coact::detail {

class cell;

/// A shard's actors by slot. Slots live in chunks that never move, so the owning shard
/// reads them without a lock while any thread may reserve a slot (spawn) under the
/// mutex. A slot's generation changes on every reuse, so stale references miss.
class actor_table {
 public:
  static constexpr std::uint32_t chunk_bits = 12;
  static constexpr std::uint32_t chunk_slots = 1u << chunk_bits;
  static constexpr std::uint32_t chunk_count_max = 1024;  // 4 M actors per shard

  /// Generations start above `generation_base`: a node restarted with a new base never
  /// hands out a reference that one of its earlier lives did (barring 2^20 reuses of a slot).
  explicit actor_table(std::uint32_t generation_base = 0) noexcept
      : generation_base_(generation_base) {}
  actor_table(const actor_table&) = delete;
  actor_table& operator=(const actor_table&) = delete;
  ~actor_table() {
    for (auto& chunk : chunks_) delete[] chunk.load(std::memory_order_relaxed);
  }

  /// (slot, generation) for a new actor, or nothing when the table is full.
  std::optional<std::pair<std::uint32_t, std::uint32_t>> reserve(cell* c) {
    std::lock_guard lock{mutex_};
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      if (next_ == chunk_slots * chunk_count_max) return std::nullopt;
      id = take_new_slot();
    }
    slot& s = at(id);
    std::uint32_t gen = s.generation.load(std::memory_order_relaxed) + 1;
    if (gen == 0) gen = 1;
    s.generation.store(gen, std::memory_order_relaxed);
    s.owner.store(c, std::memory_order_release);
    return std::pair{id, gen};
  }

  /// Slot 0 with `generation`, for an actor at a well-known address (the registry): the
  /// first reservation of the table.
  void reserve_first(cell* c, std::uint32_t generation) {
    std::lock_guard lock{mutex_};
    COACT_ASSERT(next_ == 0);
    slot& s = at(take_new_slot());
    s.generation.store(generation, std::memory_order_relaxed);
    s.owner.store(c, std::memory_order_release);
  }

  /// The live actor in `id` with `generation`, or null. Owning shard only.
  [[nodiscard]] cell* find(std::uint32_t id, std::uint32_t generation) const noexcept {
    if (id >= chunk_slots * chunk_count_max) return nullptr;
    slot* chunk = chunks_[id >> chunk_bits].load(std::memory_order_acquire);
    if (chunk == nullptr) return nullptr;
    const slot& s = chunk[id & (chunk_slots - 1)];
    cell* c = s.owner.load(std::memory_order_acquire);
    if (c == nullptr || s.generation.load(std::memory_order_relaxed) != generation) return nullptr;
    return c;
  }

  void release(std::uint32_t id) {
    std::lock_guard lock{mutex_};
    at(id).owner.store(nullptr, std::memory_order_release);
    free_.push_back(id);
  }

  /// Every live actor. Owning shard only.
  template <class F>
  void for_each(F&& f) const {
    std::uint32_t end;
    {
      std::lock_guard lock{mutex_};
      end = next_;
    }
    for (std::uint32_t id = 0; id < end; ++id) {
      if (cell* c = at(id).owner.load(std::memory_order_acquire)) f(c);
    }
  }

 private:
  struct slot {
    std::atomic<cell*> owner{nullptr};
    std::atomic<std::uint32_t> generation{0};
  };
  /// The next never used slot, its chunk allocated. Under mutex_, below the table's size.
  std::uint32_t take_new_slot() {
    const std::uint32_t id = next_++;
    if ((id & (chunk_slots - 1)) == 0) {
      auto* chunk = new slot[chunk_slots];
      for (std::uint32_t i = 0; i < chunk_slots; ++i) {
        chunk[i].generation.store(generation_base_, std::memory_order_relaxed);
      }
      chunks_[id >> chunk_bits].store(chunk, std::memory_order_release);
    }
    return id;
  }
  slot& at(std::uint32_t id) const {
    return chunks_[id >> chunk_bits].load(std::memory_order_acquire)[id & (chunk_slots - 1)];
  }

  std::uint32_t generation_base_;
  std::array<std::atomic<slot*>, chunk_count_max> chunks_{};
  mutable std::mutex mutex_;
  std::vector<std::uint32_t> free_;
  std::uint32_t next_ = 0;
};

}  // namespace coact::detail
