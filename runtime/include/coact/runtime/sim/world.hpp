#pragma once

#include <asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/sim/buggify.hpp"
#include "coact/runtime/sim/clocks.hpp"
#include "coact/runtime/sim/disk.hpp"

namespace coact::sim {

using node_id = std::uint32_t;

/// How one simulated node is set up.
struct node_options {
  std::string name;
  std::string datacenter;
  std::size_t shard_count = 1;
  /// Clock faults: the node's clock reads true time + offset, running fast by drift_ppm.
  duration clock_offset{0};
  double clock_drift_ppm = 0;
  std::uint32_t messages_per_turn = 64;
};

/// Decides what the network does with each message between two nodes: the simulated
/// network of net/sim implements it with delays, loss, duplication and partitions.
class link_model {
 public:
  virtual ~link_model() = default;
  /// A message whose payload has Cap'n Proto type id `type_id` (envelope::type_id(), so
  /// that a model can delay message classes differently) leaves `from` for `to` at true
  /// time `now`: append to `arrivals` the delay of every copy that will arrive. None: the
  /// message is lost; two or more: duplicated. Called on the simulator's thread, in a
  /// deterministic order.
  virtual void plan(node_id from, node_id to, std::uint64_t type_id, time_point now,
                    std::vector<duration>& arrivals) = 0;
  /// Whether a fault in effect (a partition) cuts every message from `from` to `to`, so
  /// that `to` hears nothing from `from` (see world::set_detection_delay). None by default.
  [[nodiscard]] virtual bool cuts(node_id /*from*/, node_id /*to*/) const { return false; }
  /// Set by the world this model serves (null to clear it): called whenever what cuts()
  /// answers may have changed, on the simulator's thread.
  void on_cuts_changed(std::function<void()> listener) { cuts_changed_ = std::move(listener); }

 protected:
  /// For implementations: what cuts() answers may have changed.
  void cuts_changed() const {
    if (cuts_changed_) cuts_changed_();
  }

 private:
  std::function<void()> cuts_changed_;
};

/// Every message arrives after the same delay, so links are FIFO and lossless.
class fixed_delay_links final : public link_model {
 public:
  explicit fixed_delay_links(duration delay) noexcept : delay_(delay) {}
  void plan(node_id, node_id, std::uint64_t, time_point, std::vector<duration>& arrivals) override {
    arrivals.push_back(delay_);
  }

 private:
  duration delay_;
};

/// Where a node is in its life.
enum class node_state : std::uint8_t { up, paused, crashed };

/// A deterministic simulation: a whole topology of nodes, each an actor system running the
/// same actor code as the threaded runtime, all on the calling thread in virtual time.
/// Time stands still while anything can run and jumps to the next timer, message arrival or
/// scheduled action when nothing can. Every random choice comes from one seed, so the same
/// seed replays the same run.
///
/// Not thread-safe: create, drive and destroy it on one thread, and call the nodes' actor
/// systems only from that thread (or from their actors).
class world {
 public:
  /// Runs on the node's fresh actor system at every start: spawns the node's actors.
  using boot_function = std::function<void(actor_system& system, node_id node)>;

  /// `links` carries messages between nodes; by default each arrives after 1 ms.
  explicit world(std::uint64_t seed, std::shared_ptr<link_model> links = nullptr);
  world(const world&) = delete;
  world& operator=(const world&) = delete;
  /// Stops every node.
  ~world();

  [[nodiscard]] std::uint64_t seed() const noexcept { return random_.seed(); }
  /// An independent random stream of this world's seed (see prng::split).
  [[nodiscard]] prng stream(std::string_view name) const noexcept { return random_.split(name); }
  /// True time.
  [[nodiscard]] time_point now() const noexcept { return truth_->now(); }
  [[nodiscard]] std::shared_ptr<const clock> true_clock() const noexcept { return truth_; }

  /// Adds a node, numbered from 0 in the order added (its actor_ref node number), and
  /// boots it.
  node_id add_node(node_options options, boot_function boot);
  [[nodiscard]] std::size_t node_count() const noexcept { return nodes_.size(); }
  [[nodiscard]] const node_options& options(node_id n) const;
  [[nodiscard]] node_state state(node_id n) const;
  /// The node's actor system; null while it is crashed.
  [[nodiscard]] actor_system* system(node_id n) const;
  [[nodiscard]] const skewed_clock& clock_of(node_id n) const;
  /// How many times the node has been restarted.
  [[nodiscard]] std::uint32_t incarnation(node_id n) const;
  /// The node's disk: what its actors synced there survives its crashes.
  [[nodiscard]] sim::disk& disk(node_id n) const;

  /// Crashes the node now: its actors vanish without a word, with their volatile state and
  /// every message queued for them; its disk keeps only what was synced (and maybe a torn
  /// prefix of the rest). Messages in flight to it are lost on arrival. The other nodes
  /// lose it after the detection delay. Call it from a scheduled action or between runs,
  /// never from the node's own actors.
  void crash(node_id n);
  /// Starts a crashed node again: a new actor system (new references), booted afresh;
  /// every node reaches it again. As over TCP, a node back within the detection delay is
  /// not lost at all: asks to its previous life end by their deadline.
  void restart(node_id n);

  /// The simulated failure detector: a node that hears nothing from another (it crashed,
  /// or the link model cuts the link from it) for `delay` of true time loses it, as a TCP
  /// node's detector would: actor_system::node_lost on the observer (its asks there fail
  /// and its watchers get a Down, with errc::node_unreachable), and its sends there fail
  /// with errc::node_unreachable until the node is heard again (restarted, or healed).
  /// 1 s by default; a change applies to the silences that begin after it.
  void set_detection_delay(duration delay) noexcept { detection_delay_ = delay; }
  /// Whether `observer` has lost `target` (see set_detection_delay).
  [[nodiscard]] bool lost(node_id observer, node_id target) const;
  /// Freezes the node: its actors and timers stop; messages to it wait. Like a long GC
  /// pause or a stopped VM.
  void pause(node_id n);
  void resume(node_id n);

  /// Runs `action` at true time `t` (now, if `t` has passed), after everything already
  /// scheduled for that instant.
  void at(time_point t, std::function<void()> action);
  void after(duration d, std::function<void()> action) { at(now() + d, std::move(action)); }

  /// Runs until true time `limit` (then leaves the clock there) or until nothing is left to
  /// run or scheduled. Returns the events run: handler runs, timer firings, arrivals and
  /// actions.
  std::uint64_t run_until(time_point limit);
  std::uint64_t run_for(duration d) { return run_until(now() + d); }

  /// Fault sites (COACT_SIM_BUGGIFY) in the code the world runs: on by default, with a
  /// quarter of the sites enabled per run, from the seed's "buggify" stream.
  void set_fault_injection(bool on) noexcept { faults_on_ = on; }
  [[nodiscard]] const fault_injector& faults() const noexcept { return faults_; }

  /// Events run since the world was made.
  [[nodiscard]] std::uint64_t events() const noexcept { return events_; }

  /// A message from an actor of node `from` to another node (its router calls this).
  [[nodiscard]] result<void> transmit(node_id from, envelope&& e);

 private:
  struct node;
  /// One entry of the agenda: an action, or a message arriving at a node.
  struct scheduled {
    time_point when;
    std::uint64_t seq = 0;  // set by schedule()
    std::function<void()> action;
    node_id to = 0;
    envelope message;
    /// The heap's order: a max-heap on "later", so the front is the earliest.
    friend bool operator<(const scheduled& a, const scheduled& b) {
      return a.when != b.when ? a.when > b.when : a.seq > b.seq;
    }
  };

  /// How one node sees another, for the failure detector.
  struct view {
    bool heard = true;        // it hears the other now
    bool lost = false;        // it has lost the other (node_lost) and not heard it since
    std::uint64_t epoch = 0;  // bumped when `heard` changes: a stale detection is ignored
  };

  void boot(node_id id);
  /// Whether `observer` hears `target`: target is not crashed, and no cut silences it.
  [[nodiscard]] bool hears(node_id observer, node_id target) const;
  /// Brings every view up to date after a crash, restart or cut, starting the detection
  /// delay of each silence that began.
  void update_views();
  /// The detection delay of a silence ended: `observer` loses `target` if the silence
  /// (`epoch`) still lasts.
  void detect(node_id observer, node_id target, std::uint64_t epoch);
  void schedule(scheduled entry);
  void deliver(node_id to, envelope&& e);
  /// Runs ready handlers on the running nodes, one per node in turn. True if any ran.
  bool run_ready();
  [[nodiscard]] std::optional<time_point> next_instant() const;
  void run_instant();
  bool step(time_point limit);

  prng random_;
  std::shared_ptr<virtual_clock> truth_;
  std::shared_ptr<link_model> links_;
  std::vector<std::unique_ptr<node>> nodes_;
  std::vector<scheduled> agenda_;  // a heap (std::push_heap): the earliest at the front
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_ = 0;
  std::vector<duration> arrivals_;  // scratch for link_model::plan
  fault_injector faults_;
  bool faults_on_ = true;
  duration detection_delay_ = std::chrono::seconds{1};
  std::vector<std::vector<view>> views_;  // views_[observer][target]
};

}  // namespace coact::sim
