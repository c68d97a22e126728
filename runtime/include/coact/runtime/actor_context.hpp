#pragma once

#include <coroutine>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/counters.hpp"
#include "coact/runtime/fan_out.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/stop_reason.hpp"
#include "coact/runtime/system.capnp.h"
#include "coact/runtime/task.hpp"

namespace coact {

class actor_system;
struct spawn_options;

namespace detail {
class cell;
struct child_task;
}  // namespace detail

/// Identifies a timer started by an actor, for cancel_timer.
using timer_id = std::uint64_t;

/// Awaitable for the next message (optionally of one type, optionally with a deadline).
/// Messages of other types stay in the mailbox, in order, for later receives.
class [[nodiscard]] receive_awaiter {
 public:
  receive_awaiter(detail::cell& c, std::uint64_t type_filter, std::optional<duration> timeout)
      : cell_(&c), type_filter_(type_filter), timeout_(timeout) {}
  receive_awaiter(const receive_awaiter&) = delete;
  receive_awaiter& operator=(const receive_awaiter&) = delete;
  ~receive_awaiter();

  bool await_ready() noexcept;
  void await_suspend(std::coroutine_handle<> h);
  /// The message, or errc::timeout when the deadline passed first.
  result<envelope> await_resume() noexcept;

 private:
  detail::cell* cell_;
  std::uint64_t type_filter_;
  std::optional<duration> timeout_;
  std::uint64_t timer_ = 0;
};

/// receive() without a deadline: yields the envelope itself.
class [[nodiscard]] receive_any_awaiter {
 public:
  explicit receive_any_awaiter(detail::cell& c) : inner_(c, 0, std::nullopt) {}
  bool await_ready() noexcept { return inner_.await_ready(); }
  void await_suspend(std::coroutine_handle<> h) { inner_.await_suspend(h); }
  envelope await_resume() noexcept { return std::move(inner_.await_resume()).value(); }

 private:
  receive_awaiter inner_;
};

/// Awaitable reply to an ask. Completes with the reply, or with errc::timeout,
/// errc::actor_gone, errc::overloaded, errc::no_reply, errc::malformed_message (the
/// reply was not of the expected type) or errc::shutting_down.
class [[nodiscard]] ask_awaiter {
 public:
  ask_awaiter(detail::cell& c, actor_ref target, envelope request, duration timeout,
              std::uint64_t reply_type)
      : cell_(&c), target_(target), request_(std::move(request)), timeout_(timeout),
        reply_type_(reply_type) {}
  ask_awaiter(const ask_awaiter&) = delete;
  ask_awaiter& operator=(const ask_awaiter&) = delete;
  ~ask_awaiter();

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h);
  result<envelope> await_resume() noexcept;

  /// Called by the runtime on the asker's shard when the reply or the deadline arrives.
  void complete(result<envelope> outcome) noexcept;

 private:
  detail::cell* cell_;
  actor_ref target_;
  envelope request_;
  duration timeout_;
  std::uint64_t reply_type_;
  std::uint64_t pending_ = 0;             // slot in the shard's pending-ask table, 0 if none
  detail::child_task* waiter_ = nullptr;  // the actor task waiting, or null for the body
  std::optional<result<envelope>> outcome_;
};

/// Awaitable pause; other actors on the shard run meanwhile. Messages keep queueing.
class [[nodiscard]] sleep_awaiter {
 public:
  sleep_awaiter(detail::cell& c, duration d) : cell_(&c), duration_(d) {}
  sleep_awaiter(const sleep_awaiter&) = delete;
  sleep_awaiter& operator=(const sleep_awaiter&) = delete;
  ~sleep_awaiter();
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() noexcept {}

 private:
  detail::cell* cell_;
  duration duration_;
  std::uint64_t timer_ = 0;
};

/// Awaitable that lets the other ready actors of the shard run first.
class [[nodiscard]] yield_awaiter {
 public:
  explicit yield_awaiter(detail::cell& c) : cell_(&c) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() noexcept {}

 private:
  detail::cell* cell_;
};

/// The running actor's view of the runtime ("self"). Valid for the actor's whole life;
/// every member must be called on the actor's own shard, from the actor's own code: its
/// body, or a task it launched.
class actor_context {
 public:
  explicit actor_context(detail::cell& c) noexcept : cell_(&c) {}
  actor_context(const actor_context&) = delete;
  actor_context& operator=(const actor_context&) = delete;

  /// This actor's own reference.
  [[nodiscard]] actor_ref ref() const noexcept;
  [[nodiscard]] actor_system& system() const noexcept;
  /// The index of the shard this actor runs on.
  [[nodiscard]] std::uint32_t shard() const noexcept;
  /// The current time on this shard's clock.
  [[nodiscard]] time_point now() const noexcept;

  /// The next message, whatever its type.
  [[nodiscard]] receive_any_awaiter receive() noexcept { return receive_any_awaiter{*cell_}; }
  /// The next message, or errc::timeout after `timeout`.
  [[nodiscard]] receive_awaiter receive_for(duration timeout) noexcept {
    return receive_awaiter{*cell_, 0, timeout};
  }
  /// The next message of type T, or errc::timeout after `timeout`; other messages wait.
  template <class T>
  [[nodiscard]] receive_awaiter receive(duration timeout) noexcept {
    return receive_awaiter{*cell_, capnp::typeId<T>(), timeout};
  }

  /// Fire and forget. A message that cannot be sent is counted as a dead letter, with
  /// its reason, in this shard's counters and dead-letter log.
  template <class T>
  void tell(actor_ref target, message<T>&& m) {
    tell(target, std::move(m).take());
  }
  void tell(actor_ref target, envelope&& e);
  /// Fire and forget, for a sender that acts on a refusal. Fails synchronously only with
  /// what the sender can see at once: errc::overloaded or errc::actor_gone for a target on
  /// the same shard, errc::node_unreachable, errc::message_too_large, errc::shutting_down.
  /// A refused message is not counted as a dead letter (the caller was told).
  template <class T>
  [[nodiscard]] result<void> try_tell(actor_ref target, message<T>&& m) {
    return try_tell(target, std::move(m).take());
  }
  [[nodiscard]] result<void> try_tell(actor_ref target, envelope&& e);

  /// Request/response with a deadline; the reply must be of type Reply.
  template <class Reply, class T>
  [[nodiscard]] ask_awaiter ask(actor_ref target, message<T>&& m, duration timeout) {
    return ask_awaiter{*cell_, target, std::move(m).take(), timeout, capnp::typeId<Reply>()};
  }
  /// Request/response with a deadline; any reply type is accepted.
  template <class T>
  [[nodiscard]] ask_awaiter ask(actor_ref target, message<T>&& m, duration timeout) {
    return ask_awaiter{*cell_, target, std::move(m).take(), timeout, 0};
  }
  /// Request/response with an already built request; reply_type 0 accepts any reply.
  [[nodiscard]] ask_awaiter ask_envelope(actor_ref target, envelope request, duration timeout,
                                         std::uint64_t reply_type) {
    return ask_awaiter{*cell_, target, std::move(request), timeout, reply_type};
  }

  /// Asks every target the same request at once, each with this deadline; the replies
  /// must be of type Reply. Await its outcomes as they come (see fan_out).
  template <class Reply, class T>
  [[nodiscard]] fan_out ask_each(std::span<const actor_ref> targets, message<T>&& m,
                                 duration timeout) {
    return fan_out{*cell_, targets, std::move(m).take(), timeout, capnp::typeId<Reply>()};
  }
  /// Asks every target at once and yields every outcome, by target index, once all have
  /// arrived (replies of type Reply, or errors as for ask).
  template <class Reply, class T>
  [[nodiscard]] ask_all_awaiter ask_all(std::span<const actor_ref> targets, message<T>&& m,
                                        duration timeout) {
    return ask_all_awaiter{*cell_, targets, std::move(m).take(), timeout, capnp::typeId<Reply>()};
  }
  /// Asks every target at once and yields as soon as `n` replies of type Reply arrived,
  /// or as soon as so many asks failed that `n` cannot; the rest are abandoned.
  template <class Reply, class T>
  [[nodiscard]] ask_first_awaiter ask_first(std::size_t n, std::span<const actor_ref> targets,
                                            message<T>&& m, duration timeout) {
    return ask_first_awaiter{
        *cell_, n, targets, std::move(m).take(), timeout, capnp::typeId<Reply>()};
  }

  /// Runs `t` inside this actor, beside its body: it starts at once and runs until it
  /// first waits, then goes on whenever what it awaits arrives, interleaved with the
  /// body and the other tasks but never at the same time (the actor's state needs no
  /// locks). A task may ask, fan out, sleep and yield, but not receive: the mailbox is
  /// the body's. It lives no longer than the actor: when the actor stops, its tasks are
  /// destroyed where they wait. A task that throws stops the actor with errc::actor_failed.
  void launch(task<void> t);

  /// Answers an ask. An ask is answered at most once: a second answer, or an answer to
  /// what is not an ask, is a bug and counted as a dead letter with
  /// errc::invalid_argument, as is an answer that cannot be sent.
  template <class T>
  void reply(envelope& request, message<T>&& m) {
    reply(request, std::move(m).take());
  }
  void reply(envelope& request, envelope&& response);
  /// Answers an ask with an error instead of a payload (counted as reply does).
  void reply_error(envelope& request, std::error_code error);

  [[nodiscard]] sleep_awaiter sleep(duration d) noexcept { return sleep_awaiter{*cell_, d}; }
  [[nodiscard]] yield_awaiter yield() noexcept { return yield_awaiter{*cell_}; }

  /// Delivers `m` to `target` after `delay`.
  template <class T>
  timer_id send_after(actor_ref target, duration delay, message<T>&& m) {
    return send_after(target, delay, std::move(m).take());
  }
  timer_id send_after(actor_ref target, duration delay, envelope&& e);
  /// Delivers a sys::Tick to this actor every `period` until cancelled or stopped.
  timer_id tick_every(duration period);
  /// Cancels one of this actor's send_after or tick_every timers; false if it already fired
  /// (send_after), was cancelled, or is not this actor's.
  bool cancel_timer(timer_id id) noexcept;

  /// Asks for a sys::Down message when `target` stops (at once if it is already gone).
  void monitor(actor_ref target);
  void demonitor(actor_ref target);
  /// Links both ways: when either stops abnormally, the other is stopped with the same
  /// reason, unless it traps exits (then it receives a sys::Exit message instead).
  void link(actor_ref target);
  void unlink(actor_ref target);
  void trap_exit(bool enabled) noexcept;

  /// Stops `target` with `reason` (default errc::killed).
  void stop(actor_ref target, std::error_code reason = errc::killed);

 private:
  void refused(dead_letter letter, std::error_code reason);

  detail::cell* cell_;
};

/// The stop reason carried by a sys::Down or sys::Exit message.
[[nodiscard]] stop_reason reason_of(sys::Reason::Reader reason);
/// Converts between actor_ref and its wire form.
[[nodiscard]] actor_ref ref_of(sys::ActorRef::Reader r) noexcept;
void set_ref(sys::ActorRef::Builder b, actor_ref r) noexcept;

}  // namespace coact
