#pragma once

#include <array>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/result.hpp"

namespace coact {

namespace detail {
class cell;
struct child_task;
}  // namespace detail

/// One request asked of several actors at once: the asks leave when it is made, each with
/// the same deadline, and their outcomes are kept by target index as they arrive, in any
/// order. This is how one actor has many asks in flight. Await next(), first(n) or all()
/// as often as needed, from the coroutine that made it.
///
/// Lives in the frame of the actor (or actor task) that made it and is used only on its
/// shard. Destroying it abandons the asks still pending: their late replies are counted
/// as dead letters, like replies after a deadline.
///
/// Outcomes are as for a single ask: the reply, or errc::timeout, errc::actor_gone,
/// errc::overloaded, errc::node_unreachable, errc::no_reply, errc::message_too_large,
/// errc::shutting_down, or errc::malformed_message for a reply of another type than
/// expected.
class fan_out {
 public:
  /// Sends `request` (copied for all but the last target) to every target.
  fan_out(detail::cell& c, std::span<const actor_ref> targets, envelope request, duration timeout,
          std::uint64_t reply_type);
  fan_out(const fan_out&) = delete;
  fan_out& operator=(const fan_out&) = delete;
  ~fan_out();

  /// The number of targets.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  /// Targets whose outcome has not arrived.
  [[nodiscard]] std::size_t pending() const noexcept { return pending_; }
  [[nodiscard]] std::size_t successes() const noexcept { return successes_; }
  [[nodiscard]] std::size_t failures() const noexcept { return size_ - pending_ - successes_; }
  /// Target `i`'s outcome, or null while it is pending. The reply may be moved out.
  [[nodiscard]] result<envelope>* outcome(std::size_t i) noexcept;

  /// Awaits an arrival: yields the index of the next target whose outcome arrived (in
  /// arrival order, each once), or nullopt once every arrival has been yielded.
  class [[nodiscard]] next_awaiter;
  [[nodiscard]] next_awaiter next() noexcept;
  /// Awaits n successes, or enough failures that n can no longer succeed; yields whether
  /// n succeeded.
  class [[nodiscard]] count_awaiter;
  [[nodiscard]] count_awaiter first(std::size_t n) noexcept;
  /// Awaits every outcome.
  [[nodiscard]] count_awaiter all() noexcept;

  /// For the runtime, on this fan-out's shard: target `i`'s outcome arrived.
  void complete(std::uint32_t i, result<envelope> outcome) noexcept;

 private:
  enum class wait : std::uint8_t { none, next, first, all };
  static constexpr std::uint32_t no_slot = ~std::uint32_t{0};
  /// Targets kept inline: a replica set's size, so a usual fan-out allocates nothing.
  static constexpr std::size_t inline_targets = 5;

  struct slot {
    std::uint64_t pending = 0;  // the ask's id in the shard's pending-ask table, 0 once done
    std::uint32_t next_arrival = no_slot;
    std::optional<result<envelope>> outcome;
  };

  [[nodiscard]] bool satisfied(wait w, std::size_t n) const noexcept;
  [[nodiscard]] bool park(wait w, std::size_t n, std::coroutine_handle<> h);
  void store(std::uint32_t i, result<envelope> outcome) noexcept;
  void start(std::uint32_t i, actor_ref target, envelope request);

  detail::cell* cell_;
  duration timeout_;
  std::uint64_t reply_type_;
  std::size_t size_;
  std::array<slot, inline_targets> inline_slots_;
  std::unique_ptr<slot[]> heap_slots_;
  slot* slots_;
  std::size_t pending_;
  std::size_t successes_ = 0;
  // Arrivals not yet yielded by next(), oldest first, linked through the slots.
  std::uint32_t arrivals_head_ = no_slot;
  std::uint32_t arrivals_tail_ = no_slot;
  // The coroutine waiting, and for what.
  wait waiting_ = wait::none;
  std::size_t want_ = 0;
  detail::child_task* waiter_ = nullptr;
};

class fan_out::next_awaiter {
 public:
  explicit next_awaiter(fan_out& f) noexcept : fan_(&f) {}
  bool await_ready() const noexcept { return fan_->satisfied(wait::next, 0); }
  bool await_suspend(std::coroutine_handle<> h) { return fan_->park(wait::next, 0, h); }
  std::optional<std::size_t> await_resume() noexcept;

 private:
  fan_out* fan_;
};

class fan_out::count_awaiter {
 public:
  count_awaiter(fan_out& f, wait w, std::size_t n) noexcept : fan_(&f), wait_(w), n_(n) {}
  bool await_ready() const noexcept { return fan_->satisfied(wait_, n_); }
  bool await_suspend(std::coroutine_handle<> h) { return fan_->park(wait_, n_, h); }
  /// Whether the awaited successes arrived (for all(): whether every target succeeded).
  bool await_resume() const noexcept {
    return fan_->successes_ >= (wait_ == wait::all ? fan_->size_ : n_);
  }

 private:
  fan_out* fan_;
  wait wait_;
  std::size_t n_;
};

/// What ask_all yields: every target's outcome, by target index.
using all_replies = std::vector<result<envelope>>;

/// Awaitable of actor_context::ask_all.
class [[nodiscard]] ask_all_awaiter {
 public:
  ask_all_awaiter(detail::cell& c, std::span<const actor_ref> targets, envelope request,
                  duration timeout, std::uint64_t reply_type)
      : fan_(c, targets, std::move(request), timeout, reply_type), all_(fan_.all()) {}
  bool await_ready() const noexcept { return all_.await_ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return all_.await_suspend(h); }
  all_replies await_resume();

 private:
  fan_out fan_;
  fan_out::count_awaiter all_;
};

/// One reply of a first-n ask, with the index of the target that sent it.
struct target_reply {
  std::size_t target = 0;
  envelope reply;
};
/// One failure of a first-n ask, with the index of the target it concerns.
struct target_error {
  std::size_t target = 0;
  std::error_code error;
};
/// What ask_first yields: the first n replies when they arrived (met), or else the
/// errors that made n unreachable, with the replies that did arrive. Asks still pending
/// when it is decided are abandoned.
struct first_replies {
  bool met = false;
  std::vector<target_reply> replies;  // in arrival order
  std::vector<target_error> errors;   // in arrival order
};

/// Awaitable of actor_context::ask_first.
class [[nodiscard]] ask_first_awaiter {
 public:
  ask_first_awaiter(detail::cell& c, std::size_t n, std::span<const actor_ref> targets,
                    envelope request, duration timeout, std::uint64_t reply_type)
      : fan_(c, targets, std::move(request), timeout, reply_type), first_(fan_.first(n)), n_(n) {}
  bool await_ready() const noexcept { return first_.await_ready(); }
  bool await_suspend(std::coroutine_handle<> h) { return first_.await_suspend(h); }
  first_replies await_resume();

 private:
  fan_out fan_;
  fan_out::count_awaiter first_;
  std::size_t n_;
};

}  // namespace coact
