#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "coact/net/sim/delay_distribution.hpp"
#include "coact/net/sim/partition.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/sim/world.hpp"

namespace coact::net::sim {

/// How one directed link (from one node to another) treats the messages it carries.
struct link_settings {
  /// How long each copy takes (the default: 1 ms, like the world's default links), unless
  /// its payload type has an entry in delay_by_type.
  delay_distribution delay;
  /// Per message class: the delay of a message whose payload has this Cap'n Proto type id
  /// (capnp::typeId<T>()), in place of `delay`.
  std::map<std::uint64_t, delay_distribution> delay_by_type;
  /// The probability that a message is lost, in [0, 1].
  double loss_probability = 0;
  /// The probability that a message that is not lost arrives twice, in [0, 1].
  double duplication_probability = 0;
  /// As TCP: no message arrives before one sent earlier on the same link (a sampled
  /// arrival earlier than the link's last is moved to it). Off: messages reorder freely.
  bool fifo = true;

  /// The delay of a message whose payload has type id `type_id`.
  [[nodiscard]] const delay_distribution& delay_of(std::uint64_t type_id) const;
};

/// The settings of a link in one of the PBS paper's deployments: messages whose payload
/// has type id `write_request_type` are delayed by `model.write`, all others by
/// `model.other`; no loss, no duplication, and not FIFO: the paper draws every message's
/// delay independently, so a slow write must not hold back the messages behind it.
[[nodiscard]] link_settings pbs_link(const pbs_model& model, std::uint64_t write_request_type);

/// A partition's handle on one network, for healing it.
using partition_id = std::uint64_t;

/// A random fault schedule: one partition at a time, each of a kind drawn from `kinds`
/// over randomly drawn nodes, separated by exponentially distributed quiet gaps and
/// lasting exponentially distributed lengths.
struct chaos_options {
  /// The mean quiet time between one partition's heal and the next one's start.
  duration mean_between = std::chrono::seconds{10};
  /// The mean length of a partition.
  duration mean_length = std::chrono::seconds{5};
  /// The kinds to draw from, each equally likely.
  std::vector<partition::kind> kinds{partition::kind::one_way, partition::kind::symmetric,
                                     partition::kind::isolate};
  /// True time at which the schedule ends: no partition starts at or after it, and the
  /// one active then is healed then, so the world can run out of events.
  time_point until;
};

/// What a network has done since it was made.
struct network_counters {
  /// Messages handed to the network (one per plan call).
  std::uint64_t planned = 0;
  /// Copies scheduled for arrival (a duplicated message counts twice).
  std::uint64_t delivered = 0;
  /// Messages lost to the link's loss probability.
  std::uint64_t lost_to_loss = 0;
  /// Messages lost because a partition cut their link.
  std::uint64_t lost_to_partition = 0;
  /// Messages that arrive twice.
  std::uint64_t duplicated = 0;
  /// Partitions that took effect (blocked now, or started on schedule).
  std::uint64_t partitions_started = 0;
  /// Partitions healed while in effect.
  std::uint64_t partitions_healed = 0;
};

/// The simulated network: a coact::sim::link_model with per-link delay distributions,
/// loss, duplication, FIFO or reordering, and partitions applied now, on a schedule or at
/// random. Every random choice comes from the prng it is given (message fates) and a
/// stream split from it ("chaos": the random fault schedule), so one seed replays the same
/// arrivals and the same faults.
///
/// Not thread-safe: like the world it serves, use it on the simulator's thread only. The
/// scheduling calls hand the world actions that refer to this network: the network must
/// outlive them (it does when it is that world's link model, which the world owns).
class network final : public coact::sim::link_model {
 public:
  /// Draws from `random` (typically world.stream("net"), or prng{seed}.split("net") before
  /// the world exists). `datacenter_of` is needed only by datacenter partitions; it can
  /// also be set later with set_datacenters (for instance to datacenters_of(world)).
  explicit network(coact::prng random, datacenter_function datacenter_of = nullptr);

  /// The settings of every link without settings of its own. invalid_argument if a
  /// probability is outside [0, 1].
  [[nodiscard]] result<void> set_defaults(link_settings settings);
  /// The settings of the link from `from` to `to` (one direction). invalid_argument if a
  /// probability is outside [0, 1].
  [[nodiscard]] result<void> set_link(node_id from, node_id to, link_settings settings);
  /// Returns the link from `from` to `to` to the defaults.
  void reset_link(node_id from, node_id to);
  /// The settings in force on the link from `from` to `to`; valid until they change.
  [[nodiscard]] const link_settings& settings(node_id from, node_id to) const;
  /// Where each node is, for datacenter partitions.
  void set_datacenters(datacenter_function datacenter_of);

  /// Cuts the links of `p` now, until healed. invalid_argument if `p` needs datacenters
  /// and none are set.
  [[nodiscard]] result<partition_id> block(partition p);
  /// Heals partition `id`, whether in effect or scheduled and not yet started (then it
  /// never starts). A link stays cut while another partition cuts it. False if `id` is
  /// neither.
  bool heal(partition_id id);
  /// Heals every partition in effect and cancels every scheduled one.
  void heal_all();
  /// True if a partition in effect cuts the link from `from` to `to` (see
  /// coact::sim::link_model::cuts: the world's failure detector hears of every change).
  [[nodiscard]] bool cuts(node_id from, node_id to) const override;
  /// How many partitions are in effect.
  [[nodiscard]] std::size_t partitions_in_effect() const noexcept { return active_.size(); }

  /// Schedules `p` on world `w`: in effect from true time `start` (now if past) to
  /// `start + heal_after`. invalid_argument if `p` needs datacenters and none are set, or
  /// if heal_after is negative.
  [[nodiscard]] result<partition_id> partition_at(coact::sim::world& w, time_point start,
                                                  duration heal_after, partition p);
  /// Starts a random fault schedule on world `w` (see chaos_options), drawing from this
  /// network's "chaos" stream. invalid_argument if a mean is not positive, `kinds` is
  /// empty, a datacenter kind is chosen and no datacenters are set, or a schedule is
  /// already running.
  [[nodiscard]] result<void> start_chaos(coact::sim::world& w, chaos_options options);

  /// What the network has done so far.
  [[nodiscard]] const network_counters& counters() const noexcept { return counters_; }

  /// Decides the fate of one message (see coact::sim::link_model): lost if its link is
  /// cut or by the link's loss probability, else one or two copies with delays sampled
  /// from the link's distribution for its type (link_settings::delay_of), held back behind the
  /// link's last arrival when the link is FIFO.
  void plan(node_id from, node_id to, std::uint64_t type_id, time_point now,
            std::vector<duration>& arrivals) override;

 private:
  [[nodiscard]] static std::uint64_t key(node_id from, node_id to) noexcept {
    return (std::uint64_t{from} << 32) | to;
  }
  [[nodiscard]] result<void> check(const partition& p) const;
  void start(partition_id id);
  void chaos_start(coact::sim::world& w);
  [[nodiscard]] duration chaos_draw(duration mean);

  coact::prng random_;
  coact::prng chaos_random_;
  datacenter_function datacenter_of_;
  link_settings defaults_;
  std::unordered_map<std::uint64_t, link_settings> links_;
  /// The latest arrival planned on each link, FIFO or not, so that turning FIFO on never
  /// lets a message overtake one already in flight.
  std::unordered_map<std::uint64_t, time_point> last_arrival_;
  /// Ordered by id, so that iteration (heal_all) is deterministic.
  std::map<partition_id, partition> active_;
  std::map<partition_id, partition> scheduled_;
  partition_id next_id_ = 1;
  std::optional<chaos_options> chaos_;
  network_counters counters_;
};

}  // namespace coact::net::sim
