#pragma once

#include <cstddef>
#include <memory>

#include "coact/actors/directory.hpp"
#include "coact/policies/quorum/placement.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::quorum {

/// The directory roles of the actors each replica node runs.
inline constexpr const char* replica_role = "replica";
inline constexpr const char* coordinator_role = "coordinator";

/// What one coordinator needs.
struct coordinator_config {
  /// Where keys live; shared by the deployment's coordinators and clients.
  std::shared_ptr<const placement> layout;
  /// The replicas' current references (role replica_role), kept by the deployment.
  std::shared_ptr<const kv::directory> refs;
  /// This coordinator's node, as an index into layout->topology().replicas.
  std::size_t member = 0;
  /// Blocking read repair: before answering a read, write the newest value back to the
  /// replicas that answered with older data, until the read's level holds it.
  bool read_repair = true;
  /// ABD write-back: before answering a read, write the value back until the request's
  /// write level holds it, so that (with R + W > N) reads and writes are linearizable.
  bool write_back = false;
  /// How long one replica may take to answer one ask.
  duration replica_timeout{0};
  /// How often hints are replayed to the replicas that missed writes.
  duration hint_interval{0};
  /// Bounds of the hint store and of the replays in flight at once.
  std::size_t hints_max = 0;
  std::size_t hint_replays_max = 0;
};

/// The coordinator actor of one replica node. It answers QuorumRead and QuorumWrite
/// (quorum.capnp) from clients: it asks every replica of the key (placement) at once and
/// answers as soon as the request's level is met, while the other replicas still get the
/// write (or their answer is ignored). A write is versioned {its clock's time in ns,
/// strictly increasing per coordinator; this node}. A read returns the newest answer among
/// the first that meet its level, after read repair and write-back as configured. A level
/// that cannot be met within replica_timeout is answered with Unmet (level, needed,
/// answered). Replicas that did not acknowledge a write get it later from this
/// coordinator's hints, replayed every hint_interval. Malformed requests are refused with
/// errc::malformed_message. Runs until stopped; its state is volatile.
task<void> coordinator(actor_context& self, coordinator_config config);

}  // namespace coact::policies::quorum
