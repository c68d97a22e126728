#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/clock.hpp"
#include "shard.hpp"

namespace coact::detail {

/// The state behind actor_system: its shards and what they share.
class system_core {
 public:
  system_core(actor_system& facade, system_config config,
              const std::vector<asio::io_context*>& contexts);
  system_core(const system_core&) = delete;
  system_core& operator=(const system_core&) = delete;
  ~system_core();

  /// Routes a prepared message (target, sender, kind set) from any thread. Runtime
  /// traffic (replies, downs) always flows; users' sends are refused once shut down.
  result<void> send(envelope_node* node);
  /// Answers an ask with an error reply instead of a payload.
  void reply_error(envelope_node* request, std::error_code error);
  void reply_error(actor_ref asker, actor_ref responder, std::uint64_t correlation,
                   std::error_code error);
  /// Sends a Down or Exit to `to` about `about`.
  void notify_stop(actor_ref to, actor_ref about, control kind, const stop_reason& reason);
  /// Sends a control envelope (no payload) from `from` to `to`.
  void send_control(actor_ref from, actor_ref to, control kind, std::error_code error = {});

  void forget_names(actor_ref ref);
  /// A message arrived from another node: notes the watches it starts or ends.
  void note_arrival(const envelope_node& node);
  /// `local` stopped: forgets its watches of remote actors.
  void forget_watches(actor_ref local);
  /// See actor_system::node_lost.
  void node_lost(std::uint32_t node, const std::string& reason);
  void shutdown();

  /// Simulated systems only, on the simulator's thread: the earliest pending timer of any
  /// shard, on this system's clock.
  [[nodiscard]] std::optional<time_point> next_timer_due() const;
  /// Simulated systems only: fires every timer due by now on this system's clock.
  void fire_due_timers();

  /// Admits a spawn unless the system is shutting down. An admitted spawn calls end_spawn
  /// once its actor is started (or abandoned); shutdown waits for those, so that every
  /// actor it has to stop is in its shard's table, fully set up, when it stops them.
  [[nodiscard]] bool begin_spawn() noexcept;
  void end_spawn() noexcept;

  [[nodiscard]] bool accepting() const noexcept {
    return accepting_.load(std::memory_order_acquire);
  }
  [[nodiscard]] bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  [[nodiscard]] shard* local_shard() const noexcept;

  actor_system& facade_;
  system_config config_;
  std::shared_ptr<const clock> clock_;
  std::vector<std::shared_ptr<shard>> shards_;
  std::atomic<std::uint32_t> next_shard_{0};

  mutable std::mutex names_mutex_;
  std::unordered_map<std::string, actor_ref> names_;
  std::atomic<std::size_t> name_count_{0};

 private:
  /// A local actor that monitors (or is linked to) an actor of another node.
  struct remote_watch {
    actor_ref local;
    actor_ref remote;
    bool link = false;
    friend bool operator==(const remote_watch&, const remote_watch&) = default;
  };
  /// Routes a control message to another node, noting the watch it starts or ends. A
  /// monitor or link the router refuses is answered at once: a Down or Exit with why.
  result<void> route_control(envelope_node* node);
  void watch(const remote_watch& w);
  void unwatch(const remote_watch& w);

  std::mutex watches_mutex_;
  /// By the remote actor's node, each in the order the watches began.
  std::unordered_map<std::uint32_t, std::vector<remote_watch>> watches_;
  std::atomic<std::size_t> watch_count_{0};

  std::atomic<bool> accepting_{true};
  std::atomic<bool> closed_{false};
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;  // guarded by shutdown_mutex_
  std::atomic<std::uint32_t> spawns_in_flight_{0};
};

/// Error code used for asks left unanswered by an actor that is being stopped.
void set_unanswered_error(errc e) noexcept;
[[nodiscard]] errc unanswered_error() noexcept;

/// An ask dropped without a reply during an actor's turn. Its answer waits for the end
/// of the turn: if the actor stopped (a throw unwinds its locals before the runtime
/// learns of it), the asker is told actor_gone rather than no_reply.
struct unanswered_ask {
  system_core* system;
  actor_ref asker;
  actor_ref responder;
  std::uint64_t correlation;
};
/// Where this thread collects unanswered asks; null outside actor turns.
void set_unanswered_sink(std::vector<unanswered_ask>* sink) noexcept;

}  // namespace coact::detail
