#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "actor_table.hpp"
#include "coact/runtime/counters.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/stop_reason.hpp"
#include "envelope_node.hpp"
#include "inbox.hpp"
#include "pending_asks.hpp"
#include "timer_queue.hpp"

namespace coact::detail {

class cell;
struct child_task;
class system_core;
struct unanswered_ask;

/// Counters written only by the owning shard and read by anyone: plain loads and
/// stores (no read-modify-write), so the hot path pays no locked instruction.
struct atomic_counters {
  std::atomic<std::uint64_t> messages_delivered{0};
  std::atomic<std::uint64_t> mailbox_high_water{0};
  std::atomic<std::uint64_t> asks_timed_out{0};
  std::atomic<std::uint64_t> dead_letters{0};
  std::atomic<std::uint64_t> mailbox_rejected{0};
  std::atomic<std::uint64_t> actors_spawned{0};
  std::atomic<std::uint64_t> actors_stopped{0};

  static void bump(std::atomic<std::uint64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  [[nodiscard]] shard_counters snapshot() const noexcept;
};

/// One shard: one thread (or one thread of an embedding program's io_context), its
/// actors, their timers and asks. Everything but the inbox and the actor table's
/// reservations is touched only on the shard's own thread.
class shard : public std::enable_shared_from_this<shard> {
 public:
  shard(system_core& system, std::uint32_t index, asio::io_context* external);
  shard(const shard&) = delete;
  shard& operator=(const shard&) = delete;
  ~shard();

  /// The shard whose thread is the calling thread, if any.
  static shard* current() noexcept;

  void start_thread();
  /// From any thread: hands a message to this shard.
  result<void> accept(envelope_node* node);
  /// On this shard's thread: routes a message to its actor (or asker, or dead letters).
  /// A synchronous delivery (the sender runs on this shard) reports failure to the
  /// caller, and the message is freed without answering its asker.
  result<void> deliver(envelope_node* node, bool synchronous);

  /// The actor's body may go on: runs it in the cell's next turn.
  void schedule(cell* c) noexcept;
  /// The cell's launched task `t` may go on: runs it in the cell's next turn.
  void schedule(cell* c, child_task* t) noexcept;
  /// Gives the cell a turn later, at the back of the run queue.
  void requeue(cell* c) noexcept;
  void start(cell* c);
  /// During the cell's turn: runs a launched task until it next waits, and destroys it
  /// once it is done.
  void run_child(cell* c, child_task* t);

  std::uint64_t add_timer(duration after, const timer_action& action);
  /// Cancels a timer; false if it is not pending. A pending message is freed.
  bool cancel_timer(std::uint64_t id);

  /// Stops `c` (never the running actor): destroys its coroutine, fails its queued
  /// asks, tells its monitors and links.
  void finalize(cell* c, const stop_reason& reason);
  void dead_letter(envelope_node* node, std::error_code reason);
  /// Counts and logs a message that was refused before it became a node of this shard's.
  void dead_letter(const coact::dead_letter& letter);

  /// Shutdown, phase one, on this shard's thread: stop every actor, drop timers.
  void stop_all_actors();
  /// Shutdown, phase two: ends the thread (owned) or releases the io_context (embedded).
  void stop_thread();
  /// Shutdown, last: frees messages still queued. Only when no thread runs the shard.
  void discard_queued();

  /// From any thread: runs `fn` on the shard's thread.
  template <class F>
  void post(F&& fn) {
    asio::post(*io_, std::forward<F>(fn));
  }

  [[nodiscard]] time_point now() const noexcept;
  /// Sends `request` from `asker` to `target` as an ask whose outcome (reply, error or
  /// deadline) goes to `to`; returns its id in the pending-ask table, or the error that
  /// kept it from leaving (then `to` hears nothing).
  result<std::uint64_t> start_ask(cell* asker, actor_ref target, envelope request, duration timeout,
                                  pending_asks::sink to);
  /// Forgets a pending ask whose waiter is going away; its late reply is a dead letter.
  void abandon_ask(std::uint64_t id);
  /// On this shard's thread: every ask waiting for an actor on `node` fails with `error`.
  void fail_asks_to(std::uint32_t node, std::error_code error);
  /// On this shard's thread (its alarm, or the simulator): fires the timers due by now,
  /// then runs what they woke.
  void fire_due_timers();

  system_core& system_;
  std::uint32_t index_;
  asio::io_context* io_;
  actor_table table_;
  pending_asks pending_;
  timer_queue timers_;
  atomic_counters counters_;
  cell* running_ = nullptr;
  std::uint64_t next_tick_ = std::uint64_t{1} << 63;  // tick ids never clash with queue ids

  mutable std::mutex dead_log_mutex_;
  std::deque<coact::dead_letter> dead_log_;

 private:
  void run_thread();
  /// Drains the inbox and runs ready actors, at most `turns_max` turns. True if it did
  /// anything.
  bool process(std::size_t turns_max);
  void process_from_handler();
  void drain_inbox();
  void drain_deferred();
  void handle_system(envelope_node* node);
  void run(cell* c);
  /// An ask's outcome arrived (a reply, an error, its deadline): gives it to its waiter.
  void complete_ask(std::uint64_t id, result<envelope> outcome);
  void fire_timers();
  void fire(const timer_action& action);
  void arm_alarm();
  void wake();
  void enqueue_message(cell* c, envelope_node* node);
  /// From any thread: takes a chain of messages linked newest to oldest.
  void receive_chain(envelope_node* newest, envelope_node* oldest);
  /// On this shard's thread, during a turn: holds a message for another shard.
  void stage(shard& target, envelope_node* node);
  void flush_outboxes();

  /// Messages the running actor sends to one other shard, linked newest to oldest. They
  /// leave together at the end of the turn (or once a batch fills): one CAS on the
  /// target's inbox per batch instead of one contended CAS per message.
  struct outbox {
    envelope_node* newest = nullptr;
    envelope_node* oldest = nullptr;
    std::uint32_t count = 0;
    bool listed = false;  // in outbox_targets_
  };

  std::unique_ptr<asio::io_context> owned_io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::thread thread_;
  std::atomic<bool> stop_requested_{false};
  bool embedded_;
  bool closed_ = false;
  bool processing_ = false;

  inbox inbox_;
  alignas(64) std::atomic<bool> sleeping_;

  cell* run_head_ = nullptr;
  cell* run_tail_ = nullptr;
  envelope_node* deferred_head_ = nullptr;
  envelope_node* deferred_tail_ = nullptr;

  bool batching_ = false;         // during an actor's turn: cross-shard sends are staged
  std::vector<outbox> outboxes_;  // by target shard index; sized on first use
  std::vector<std::uint32_t> outbox_targets_;
  std::vector<unanswered_ask> unanswered_;  // dropped asks of the current turn
  std::unique_ptr<asio::steady_timer> alarm_;
  std::optional<time_point> alarm_at_;
};

}  // namespace coact::detail
