#pragma once

#include <atomic>

#include "envelope_node.hpp"

namespace coact::detail {

/// The lock-free multi-producer, single-consumer inbox of a shard. Producers push onto
/// a stack with one CAS; the consumer takes the whole stack at once and reverses it, so
/// it drains in batches and every producer's messages stay in the order it sent them.
class inbox {
 public:
  /// Pushes a chain linked newest to oldest through `next`, with one CAS. Returns true on
  /// the empty-to-non-empty transition: that producer owes a wake-up.
  bool push(envelope_node* newest, envelope_node* oldest) noexcept {
    envelope_node* head = head_.load(std::memory_order_relaxed);
    do {
      oldest->next = head;
    } while (!head_.compare_exchange_weak(head, newest, std::memory_order_seq_cst,
                                          std::memory_order_relaxed));
    return head == nullptr;
  }

  /// Everything pushed so far, oldest first.
  [[nodiscard]] envelope_node* take_all() noexcept {
    envelope_node* stack = head_.exchange(nullptr, std::memory_order_seq_cst);
    envelope_node* fifo = nullptr;
    while (stack != nullptr) {
      envelope_node* next = stack->next;
      stack->next = fifo;
      fifo = stack;
      stack = next;
    }
    return fifo;
  }

  [[nodiscard]] bool empty() const noexcept {
    return head_.load(std::memory_order_seq_cst) == nullptr;
  }

 private:
  alignas(64) std::atomic<envelope_node*> head_{nullptr};
};

}  // namespace coact::detail
