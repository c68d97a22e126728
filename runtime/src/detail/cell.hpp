#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/actor_system.hpp"
#include "envelope_node.hpp"

namespace coact::detail {

class shard;

/// A task an actor launched (actor_context::launch): a coroutine that runs beside the
/// body, on the actor's shard, resumed only by the shard between other coroutines' turns.
/// Owned by its cell.
struct child_task {
  std::coroutine_handle<> frame;    // the task's own frame, destroyed with the task
  promise_base* promise = nullptr;  // where the task leaves an exception
  std::coroutine_handle<> resume;   // the innermost frame waiting to go on
  std::uint64_t id = 0;             // names the task to its sleep timers
  bool ready = false;               // listed in child_tasks::ready
};

/// The tasks one actor launched; those whose awaited event arrived, to run in its next
/// turn; and why the actor must stop, if one threw.
struct child_tasks {
  std::vector<std::unique_ptr<child_task>> all;
  std::vector<child_task*> ready;
  std::optional<stop_reason> failure;
  std::uint64_t next_id = 1;

  [[nodiscard]] child_task* find(std::uint64_t id) const noexcept {
    for (const auto& t : all) {
      if (t->id == id) return t.get();
    }
    return nullptr;
  }
};

/// One actor: its coroutine, its mailbox and its links. Owned by its shard and only
/// ever touched on that shard's thread once started.
class cell {
 public:
  enum class state : std::uint8_t {
    created,  // spawned, not yet started
    ready,    // in the run queue
    running,  // its coroutine is executing
    waiting,  // suspended in receive, ask, or sleep
    dead,     // finalized; memory waits for the run queue to let go of it
  };

  cell(shard& s, actor_ref ref, std::uint32_t mailbox_capacity, std::uint32_t turn_messages)
      : context_(*this), shard_(&s), ref_(ref), mailbox_capacity_(mailbox_capacity),
        turn_messages_(turn_messages) {}
  cell(const cell&) = delete;
  cell& operator=(const cell&) = delete;

  actor_context context_;
  shard* shard_;
  actor_ref ref_;
  body_handle body_;
  std::coroutine_handle<> resume_;  // the innermost frame waiting to go on
  state state_ = state::created;
  bool trap_exit_ = false;
  bool in_run_queue_ = false;
  cell* next_ready_ = nullptr;

  // Mailbox: a plain FIFO, touched only by this shard's thread.
  envelope_node* head_ = nullptr;
  envelope_node* tail_ = nullptr;
  std::uint32_t queued_ = 0;
  std::uint32_t mailbox_capacity_;
  std::uint32_t turn_messages_;
  std::uint32_t turn_left_ = 0;

  // What a waiting receive accepts (0 = anything), and the wait's identity so a stale
  // timer cannot wake a later wait.
  bool receiving_ = false;
  std::uint64_t receive_filter_ = 0;
  std::uint64_t wait_epoch_ = 0;
  bool wait_timed_out_ = false;

  std::vector<actor_ref> monitors_;  // who gets Down when this actor stops
  std::vector<actor_ref> links_;
  /// Periodic timers: (stable tick id, current timer-queue id).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ticks_;

  /// The launched task running now; null while the body runs (or nothing does).
  child_task* running_child_ = nullptr;
  /// The actor's launched tasks: made at its first launch, so that an actor that never
  /// launches one stays small.
  std::unique_ptr<child_tasks> tasks_;

  /// Why the actor must stop after this turn: one of its tasks threw.
  [[nodiscard]] const std::optional<stop_reason>* task_failure() const noexcept {
    return tasks_ && tasks_->failure ? &tasks_->failure : nullptr;
  }

  [[nodiscard]] bool matches(const envelope_node* n) const noexcept {
    return receive_filter_ == 0 || n->type_id == receive_filter_;
  }
  /// The first queued message the current filter accepts, and its predecessor.
  envelope_node* find(std::uint64_t filter, envelope_node** prev) const noexcept {
    envelope_node* before = nullptr;
    for (envelope_node* n = head_; n != nullptr; before = n, n = n->next) {
      if (filter == 0 || n->type_id == filter) {
        *prev = before;
        return n;
      }
    }
    return nullptr;
  }
  void push_back(envelope_node* n) noexcept {
    n->next = nullptr;
    if (tail_ != nullptr) {
      tail_->next = n;
    } else {
      head_ = n;
    }
    tail_ = n;
    ++queued_;
  }
  envelope_node* unlink_after(envelope_node* prev, envelope_node* n) noexcept {
    if (prev != nullptr) {
      prev->next = n->next;
    } else {
      head_ = n->next;
    }
    if (tail_ == n) tail_ = prev;
    n->next = nullptr;
    --queued_;
    return n;
  }
};

}  // namespace coact::detail
