#include "coact/policies/txn/deployment.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "coact/policies/txn/coordinator.hpp"
#include "coact/policies/txn/replicated_coordinator.hpp"
#include "coact/runtime/assert.hpp"

namespace coact::policies::txn {
namespace {

kv::descriptor descriptor_of(const options& o) {
  if (o.epsilon) {
    return {.family = "spanner",
            .guarantees =
                "externally consistent transactions (TrueTime commit wait over "
                "two-phase commit: commit order matches real time while clock error "
                "stays within epsilon) and lock-free snapshot reads",
            .under_partition = kv::availability::unavailable,
            .round_trips =
                "read-write: 2 RTT and a one-way decision, plus commit wait (about "
                "2 epsilon); read-only: 1 RTT to each group, no locks",
            .capabilities = {"transactions"}};
  }
  if (!o.replicated) {
    return {.family = "txn-2pc",
            .guarantees =
                "serializable transactions (strict two-phase locking, no-wait; "
                "two-phase commit with a durable decision): all of a transaction "
                "or none, money neither created nor lost",
            .under_partition = kv::availability::unavailable,
            .round_trips =
                "a transaction: 2 RTT (client-coordinator, coordinator-"
                "participants prepare) and a one-way decision; a log sync at each "
                "participant and, to commit, at the coordinator",
            .capabilities = {"transactions"}};
  }
  return {.family = "txn-2pc-replicated",
          .guarantees =
              "serializable transactions as txn-2pc, the commit decided by a Raft "
              "group of coordinators: a coordinator crash blocks no participant",
          .under_partition = kv::availability::unavailable,
          .round_trips =
              "a transaction: 3 RTT (client-leader, leader-participants prepare, "
              "leader-majority for the decision) and a one-way decision; a log "
              "sync at each participant and on a majority of coordinators",
          .capabilities = {"transactions"}};
}

class txn_deployment final : public kv::deployment_base {
 public:
  txn_deployment(kv::topology topology, options settings)
      : deployment_base(std::move(topology), descriptor_of(settings), settings),
        settings_(std::move(settings)) {
    settings_.client.epsilon = settings_.epsilon;
    for (const auto& m : topology_.replicas) groups_.push_back(m.node);
  }

  void boot(actor_system& system, std::uint32_t node) override {
    COACT_ASSERT(std::find(groups_.begin(), groups_.end(), node) != groups_.end());
    count_boot(node);
    auto p =
        system.spawn(&participant, participant_config{.node = node,
                                                      .groups = groups_,
                                                      .directory = directory_.get(),
                                                      .coordinators = coordinators(),
                                                      .storage = storage(node, "participant.log"),
                                                      .inquiry_after = settings_.inquiry_after,
                                                      .on_decided = settings_.on_decided,
                                                      .epsilon = settings_.epsilon});
    auto c = settings_.replicated
                 ? system.spawn(
                       &replicated_coordinator,
                       replicated_coordinator_config{.node = node,
                                                     .members = groups_,
                                                     .groups = groups_,
                                                     .directory = directory_.get(),
                                                     .timing = settings_.timing,
                                                     .storage = storage(node, "coordinator.raft"),
                                                     .random = random(node, "txn/raft"),
                                                     .prepare_timeout = settings_.prepare_timeout,
                                                     .on_leader = settings_.on_leader})
                 : system.spawn(&coordinator,
                                coordinator_config{.node = node,
                                                   .groups = groups_,
                                                   .directory = directory_.get(),
                                                   .storage = storage(node, "coordinator.log"),
                                                   .prepare_timeout = settings_.prepare_timeout,
                                                   .epsilon = settings_.epsilon,
                                                   .on_commit_wait = settings_.on_commit_wait});
    // A system that refuses to spawn is shutting down: its node serves nothing anyway.
    if (p) directory_->set(node, participant_role, p.value());
    if (c) directory_->set(node, coordinator_role, c.value());
  }

  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t) override {
    return std::make_unique<txn_client>(*directory_, topology_.replicas, coordinators(),
                                        next_client_id(), settings_.client);
  }

 private:
  /// The coordinator group, when there is one.
  [[nodiscard]] std::vector<std::uint32_t> coordinators() const {
    return settings_.replicated ? groups_ : std::vector<std::uint32_t>{};
  }

  options settings_;
  std::vector<std::uint32_t> groups_;
};

}  // namespace

result<std::unique_ptr<kv::deployment>> deploy(kv::topology topology, options settings) {
  if (!kv::distinct_replicas(topology) ||
      (settings.replicated && !replication::valid(settings.timing))) {
    return errc::invalid_argument;
  }
  if (settings.epsilon && (*settings.epsilon <= duration{0} || settings.replicated)) {
    return errc::invalid_argument;
  }
  return std::make_unique<txn_deployment>(std::move(topology), std::move(settings));
}

}  // namespace coact::policies::txn
