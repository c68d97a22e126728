#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "coact/runtime/sim/world.hpp"

namespace coact::net::sim {

/// A simulated node's number, as coact::sim::world numbers them.
using node_id = coact::sim::node_id;

/// The datacenter a node is in; called on the simulator's thread, only while a
/// datacenter partition is active or being chosen.
using datacenter_function = std::function<std::string(node_id)>;

/// The datacenters of `w`'s nodes (node_options::datacenter), read at each call: `w` must
/// outlive the returned function's last call.
[[nodiscard]] datacenter_function datacenters_of(const coact::sim::world& w);

/// Which links a network partition cuts. A value: block it on a network (now or at a
/// scheduled time) to make every message on those links lost, heal it to restore them.
class partition {
 public:
  /// The shapes a partition can take.
  enum class kind : std::uint8_t {
    /// One direction of one link: `from` cannot reach `to`, `to` still reaches `from`.
    one_way,
    /// Both directions between two nodes.
    symmetric,
    /// Every link to and from one node.
    isolate,
    /// Every link between a node of the listed datacenters and a node of any other.
    datacenter_split,
    /// Every link between nodes of different datacenters: each datacenter alone.
    datacenters_apart,
  };

  /// `from` cannot reach `to`.
  [[nodiscard]] static partition one_way(node_id from, node_id to);
  /// `a` and `b` cannot reach each other.
  [[nodiscard]] static partition between(node_id a, node_id b);
  /// `n` reaches no node and no node reaches it.
  [[nodiscard]] static partition isolate(node_id n);
  /// The nodes of `datacenters` on one side, every other node on the other.
  [[nodiscard]] static partition split(std::vector<std::string> datacenters);
  /// Every datacenter cut off from every other.
  [[nodiscard]] static partition datacenters_apart();

  /// Its shape.
  [[nodiscard]] kind which() const noexcept { return kind_; }
  /// True if deciding what it blocks needs each node's datacenter.
  [[nodiscard]] bool needs_datacenters() const noexcept {
    return kind_ == kind::datacenter_split || kind_ == kind::datacenters_apart;
  }
  /// True if it cuts the link from `from` to `to`; `datacenter_of` must be set when
  /// needs_datacenters() holds.
  [[nodiscard]] bool blocks(node_id from, node_id to,
                            const datacenter_function& datacenter_of) const;

 private:
  partition(kind k, node_id first, node_id second) noexcept
      : kind_(k), first_(first), second_(second) {}
  [[nodiscard]] bool in_split(const std::string& datacenter) const;

  kind kind_;
  node_id first_;
  node_id second_;
  std::vector<std::string> datacenters_;
};

}  // namespace coact::net::sim
