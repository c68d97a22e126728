#pragma once

#include <coroutine>

#include "cell.hpp"
#include "shard.hpp"
#include "system_core.hpp"

namespace coact::detail {

/// How an awaiter parks the coroutine that awaits it and wakes it again: the body of an
/// actor waits in the cell's state, a launched task in its child_task.

inline shard& shard_of(cell* c) noexcept { return *c->shard_; }

/// The body waits: what wakes it must schedule the cell.
inline void begin_wait(cell* c, std::coroutine_handle<> h) noexcept {
  c->resume_ = h;
  c->state_ = cell::state::waiting;
  ++c->wait_epoch_;
  c->wait_timed_out_ = false;
}

/// Parks the running coroutine (the body, or the running launched task) at `h`; returns
/// the task to wake later, or null for the body.
inline child_task* suspend(cell* c, std::coroutine_handle<> h) noexcept {
  if (child_task* t = c->running_child_) {
    t->resume = h;
    return t;
  }
  begin_wait(c, h);
  c->receiving_ = false;
  return nullptr;
}

/// Wakes what suspend() parked.
inline void wake(cell* c, child_task* waiter) noexcept {
  if (waiter != nullptr) {
    shard_of(c).schedule(c, waiter);
  } else {
    shard_of(c).schedule(c);
  }
}

/// Sizes are checked where a message enters the runtime, so no receiver ever sees an
/// oversized local message.
inline result<void> check_size(cell* c, envelope_node* node) {
  if (node->payload_bytes() > c->shard_->system_.config_.message_bytes_max) {
    node->replied = true;
    release_node(node);
    return errc::message_too_large;
  }
  return success();
}

}  // namespace coact::detail
