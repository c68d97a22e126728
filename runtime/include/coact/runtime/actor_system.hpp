#pragma once

#include <asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/actor_ref.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/counters.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/remote_router.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact {

/// Settings of an actor system. Defaults suit a server on a dedicated machine.
struct system_config {
  /// Shards (threads) to run; 0 means one per hardware thread.
  std::size_t shard_count = 0;
  /// Messages an actor may take before other ready actors get their turn.
  std::uint32_t messages_per_turn = 64;
  /// How long an idle shard spins looking for work before it parks its thread;
  /// parking and waking costs tens of microseconds.
  std::chrono::microseconds spin_before_park{200};
  /// Largest message payload accepted for sending; larger ones fail with
  /// errc::message_too_large.
  std::size_t message_bytes_max = 16u << 20;
  /// Dead letters kept per shard for inspection (the counter counts all of them).
  std::size_t dead_letter_log_max = 64;
  /// This node's number in a cluster; 0 for a single process.
  std::uint32_t node = 0;
  /// Which life of this node this is (count its restarts): references to actors of an
  /// earlier life never reach an actor of this one. Below 4096.
  std::uint32_t incarnation = 0;
  /// Time source of every shard; a real clock if empty.
  std::shared_ptr<const clock> time_source;
  /// Where messages for other nodes go (the network layer); without one, sending to
  /// another node fails with errc::node_unreachable.
  std::shared_ptr<remote_router> router;
  /// Driven by the deterministic simulator (coact::sim::world), hosted on io_contexts it
  /// runs on one thread: shards arm no real-time alarms (the simulator fires their timers
  /// in virtual time) and shutdown runs inline on the calling thread, which must be the
  /// one that runs those io_contexts. Only with the hosted_on constructor.
  bool simulated = false;
};

/// Per-actor settings.
struct spawn_options {
  /// Shard to run on; by default the spawning actor's shard, or round-robin when spawned
  /// from outside the system.
  std::optional<std::uint32_t> shard;
  /// 0 = unbounded. Otherwise a full mailbox answers errc::overloaded (same shard, or an
  /// ask) or drops the message with a counter (tell from another shard). System
  /// messages are never bounded.
  std::uint32_t mailbox_capacity = 0;
  /// 0 = the system's messages_per_turn.
  std::uint32_t messages_per_turn = 0;
};

/// The io_contexts of an embedding program, one per shard (see actor_system).
struct hosted_on {
  std::vector<asio::io_context*> contexts;
};

namespace detail {
class system_core;
struct body_handle {
  std::coroutine_handle<> frame;
  promise_base* promise = nullptr;
  /// Where a task<result<void>> body leaves its result; null for task<void> bodies.
  std::optional<result<void>>* outcome = nullptr;
};
template <class T>
body_handle adopt_body(task<T>&& t) {
  auto h = t.release();
  body_handle b{h, &h.promise(), nullptr};
  if constexpr (std::is_same_v<T, result<void>>) b.outcome = &h.promise().value_;
  return b;
}
template <class Actor>
task<void> run_object(actor_context& self, std::unique_ptr<Actor> object) {
  co_await object->run(self);
}
}  // namespace detail

/// The actor runtime: N shards, each one thread with its own asio::io_context, or
/// shards driven by io_contexts the embedding program owns and runs.
/// Thread-safe: every member may be called from any thread, unless noted.
class actor_system {
 public:
  /// Starts config.shard_count threads, each running one shard.
  explicit actor_system(system_config config = {});
  /// Hosts one shard on each given io_context; the caller runs them, each on exactly one
  /// thread, and keeps them alive until this system is destroyed. The system holds work
  /// on them until shutdown so that run() does not return early.
  actor_system(const hosted_on& host, system_config config = {});
  actor_system(const actor_system&) = delete;
  actor_system& operator=(const actor_system&) = delete;
  /// Shuts down if that was not done.
  ~actor_system();

  /// Spawns an actor whose body is `body(self, args...)`, a coroutine function returning
  /// task<void> or task<result<void>> (an error result stops the actor with it).
  /// Arguments are moved into the coroutine frame. Fails with errc::shutting_down,
  /// errc::invalid_argument (no such shard) or errc::overloaded (shard full).
  template <class F, class... Args>
  result<actor_ref> spawn(const spawn_options& options, F&& body, Args&&... args) {
    auto c = create_cell(options);
    if (!c) return c.error();
    detail::body_handle b;
    try {
      b = detail::adopt_body(
          std::forward<F>(body)(context_of(c.value()), std::forward<Args>(args)...));
    } catch (...) {
      abandon_cell(c.value());  // e.g. bad_alloc for the frame, or an argument's copy threw
      throw;
    }
    return start_cell(c.value(), b);
  }
  template <class F, class... Args>
  requires(!std::is_same_v<std::remove_cvref_t<F>, spawn_options>) result<actor_ref> spawn(
      F&& body, Args&&... args) {
    return spawn(spawn_options{}, std::forward<F>(body), std::forward<Args>(args)...);
  }
  /// Spawns an object actor: `Actor{args...}` owned by the actor, whose
  /// `task<void> run(actor_context&)` is the body.
  template <class Actor, class... Args>
  result<actor_ref> spawn_object(const spawn_options& options, Args&&... args) {
    return spawn(options, &detail::run_object<Actor>,
                 std::make_unique<Actor>(std::forward<Args>(args)...));
  }

  /// Sends from outside any actor (the sender is invalid). See actor_context::tell.
  template <class T>
  result<void> tell(actor_ref target, message<T>&& m) {
    return tell(target, std::move(m).take());
  }
  result<void> tell(actor_ref target, envelope&& e);

  /// For the network layer: hands over a message that arrived from another node (tell,
  /// ask, reply or system message, with its header as sent) for its target on this node.
  /// Errors as for tell; a message for another node fails with errc::invalid_argument.
  result<void> receive_remote(envelope&& e);

  /// Asks from a thread that is not a shard thread and blocks for the answer.
  /// Must not be called from an actor (it would block its shard).
  template <class Reply, class T>
  result<envelope> ask_blocking(actor_ref target, message<T>&& m, duration timeout) {
    return ask_blocking(target, std::move(m).take(), timeout, capnp::typeId<Reply>());
  }
  result<envelope> ask_blocking(actor_ref target, envelope&& request, duration timeout,
                                std::uint64_t reply_type);

  /// `node` is lost (its network layer's failure detector gave up on it, or it crashed):
  /// every ask waiting for an actor there fails with errc::node_unreachable, and every
  /// local actor that monitors (is linked to) an actor there gets a sys::Down (sys::Exit)
  /// with errc::node_unreachable and `reason` in its text, on its own shard soon after
  /// this returns. The runtime notes these watches itself, as monitor and link requests
  /// leave for other nodes and links arrive from them. Whether later sends reach the node
  /// (it may come back) is the router's business.
  void node_lost(std::uint32_t node, const std::string& reason);

  /// Stops `target` with `reason`.
  void stop(actor_ref target, std::error_code reason = errc::killed);

  /// Names an actor for lookup, here (whereis) and from other nodes (coact::lookup, which
  /// asks this system's registry); replaces an earlier binding of the name.
  void register_name(const std::string& name, actor_ref ref);
  void unregister_name(const std::string& name);
  /// The actor registered under `name`, or an invalid ref.
  [[nodiscard]] actor_ref whereis(const std::string& name) const;

  /// Stops accepting work, stops every actor (pending asks fail with errc::actor_gone),
  /// joins the shard threads and frees every queued message. Idempotent. Must not be
  /// called from a shard thread.
  void shutdown();

  [[nodiscard]] std::size_t shard_count() const noexcept;
  /// The clock every shard of this system reads (config.time_source, or a real clock).
  [[nodiscard]] std::shared_ptr<const coact::clock> clock() const noexcept;
  [[nodiscard]] std::uint32_t node() const noexcept;
  [[nodiscard]] shard_counters counters(std::size_t shard) const;
  [[nodiscard]] shard_counters counters() const;
  /// The most recent dead letters of every shard.
  [[nodiscard]] std::vector<dead_letter> dead_letters() const;
  /// The io_context of a shard, for actors that do their own I/O on it.
  [[nodiscard]] asio::io_context& io_context(std::size_t shard) noexcept;

  [[nodiscard]] detail::system_core& core() noexcept { return *core_; }

 private:
  /// `registry`: the cell takes the registry's well-known slot.
  result<detail::cell*> create_cell(const spawn_options& options, bool registry = false);
  result<actor_ref> start_cell(detail::cell* c, detail::body_handle body);
  /// Undoes create_cell when the body could not be created.
  void abandon_cell(detail::cell* c) noexcept;
  static actor_context& context_of(detail::cell* c) noexcept;
  /// Spawns the registry (registry.hpp) at its well-known address, first of all actors.
  void spawn_registry();

  std::unique_ptr<detail::system_core> core_;
};

}  // namespace coact
