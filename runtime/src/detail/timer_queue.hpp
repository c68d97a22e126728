#pragma once

#include <cstdint>
#include <vector>

#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/assert.hpp"
#include "coact/runtime/clock.hpp"
#include "free_slots.hpp"

namespace coact::detail {

struct envelope_node;

/// What a timer does when it fires.
struct timer_action {
  enum class kind : std::uint8_t {
    wake_receive,
    wake_sleep,
    wake_child,
    ask_deadline,
    deliver,
    tick
  };
  kind what = kind::wake_receive;
  actor_ref owner;  // the actor whose timer this is
  std::uint64_t token =
      0;  // wake: the owner's wait epoch (a child: its id); ask: the pending slot id
  envelope_node* message = nullptr;  // deliver: owned until fired or cancelled
  duration period{0};                // tick: re-armed with this period
};

/// One shard's timers: an indexed binary heap, so cancelling is O(log n) and the heap
/// holds only live timers. Ids carry a generation so a stale cancel is harmless.
class timer_queue {
 public:
  using id = std::uint64_t;

  id add(time_point deadline, const timer_action& action) {
    const std::uint32_t slot = take_slot(entries_, free_);
    entry& e = entries_[slot];
    e.deadline = deadline;
    e.action = action;
    e.seq = next_seq_++;
    e.heap_pos = heap_.size();
    heap_.push_back(slot);
    sift_up(e.heap_pos);
    return make_id(slot, e.generation);
  }

  /// Removes a live timer and returns its action; false if it is not live.
  bool cancel(id timer, timer_action* out = nullptr) {
    const auto slot = static_cast<std::uint32_t>(timer & 0xffffffffu);
    if (timer == 0 || slot >= entries_.size()) return false;
    entry& e = entries_[slot];
    if (e.generation != static_cast<std::uint32_t>(timer >> 32) || e.heap_pos == npos) return false;
    if (out != nullptr) *out = e.action;
    remove_at(e.heap_pos);
    return true;
  }

  /// The action of a live timer, or null.
  [[nodiscard]] const timer_action* find(id timer) const noexcept {
    const auto slot = static_cast<std::uint32_t>(timer & 0xffffffffu);
    if (timer == 0 || slot >= entries_.size()) return nullptr;
    const entry& e = entries_[slot];
    if (e.generation != static_cast<std::uint32_t>(timer >> 32) || e.heap_pos == npos)
      return nullptr;
    return &e.action;
  }

  [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }
  [[nodiscard]] time_point earliest() const {
    COACT_ASSERT(!heap_.empty());
    return entries_[heap_.front()].deadline;
  }
  /// Removes the earliest timer and returns its action.
  timer_action pop() {
    COACT_ASSERT(!heap_.empty());
    timer_action a = entries_[heap_.front()].action;
    remove_at(0);
    return a;
  }
  [[nodiscard]] std::size_t size() const noexcept { return heap_.size(); }

 private:
  static constexpr std::size_t npos = ~std::size_t{0};
  struct entry {
    time_point deadline;
    std::uint64_t seq = 0;  // ties fire in the order they were added
    timer_action action;
    std::size_t heap_pos = npos;
    std::uint32_t generation = 1;
  };

  static id make_id(std::uint32_t slot, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | slot;
  }
  bool before(std::uint32_t a, std::uint32_t b) const {
    const entry& x = entries_[a];
    const entry& y = entries_[b];
    return x.deadline < y.deadline || (x.deadline == y.deadline && x.seq < y.seq);
  }
  void place(std::size_t pos, std::uint32_t slot) {
    heap_[pos] = slot;
    entries_[slot].heap_pos = pos;
  }
  void sift_up(std::size_t pos) {
    const std::uint32_t slot = heap_[pos];
    while (pos > 0) {
      const std::size_t parent = (pos - 1) / 2;
      if (!before(slot, heap_[parent])) break;
      place(pos, heap_[parent]);
      pos = parent;
    }
    place(pos, slot);
  }
  void sift_down(std::size_t pos) {
    const std::uint32_t slot = heap_[pos];
    for (;;) {
      std::size_t child = 2 * pos + 1;
      if (child >= heap_.size()) break;
      if (child + 1 < heap_.size() && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], slot)) break;
      place(pos, heap_[child]);
      pos = child;
    }
    place(pos, slot);
  }
  void remove_at(std::size_t pos) {
    const std::uint32_t slot = heap_[pos];
    const std::uint32_t last = heap_.back();
    heap_.pop_back();
    if (pos < heap_.size()) {
      place(pos, last);
      sift_down(pos);
      sift_up(entries_[last].heap_pos);
    }
    entry& e = entries_[slot];
    e.heap_pos = npos;
    e.action = {};
    ++e.generation;
    if (e.generation == 0) e.generation = 1;
    free_.push_back(slot);
  }

  std::vector<entry> entries_;
  std::vector<std::uint32_t> heap_;
  std::vector<std::uint32_t> free_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace coact::detail
