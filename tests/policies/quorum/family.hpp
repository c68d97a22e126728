#pragma once

// How the quorum family enters workload scenarios in its tests: its deployment, clients at
// given levels, the links the tests run on, a probe that reads one replica's storage
// directly, and the seeds.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "coact/actors/replica.capnp.h"
#include "coact/actors/versioned_map.hpp"
#include "coact/policies/quorum/coordinator.hpp"
#include "coact/policies/quorum/deployment.hpp"
#include "coact/workload/simulation.hpp"
#include "sim_seeds.hpp"

namespace quorum_test {

namespace quorum = coact::policies::quorum;
namespace workload = coact::workload;
namespace nsim = coact::net::sim;
using namespace std::chrono_literals;
using coact::time_point;
using coact::test::search_seeds;
using coact::test::seeds;

inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/quorum/quorum_tests");
}

/// Links whose delays are uniform in [0.1, 3] ms, reordering, `loss` of messages lost.
inline nsim::link_settings jittery_links(double loss) {
  return {.delay = nsim::delay_distribution::uniform(0.1, 3.0).value(),
          .loss_probability = loss,
          .fifo = false};
}

/// Links with a slow tail: delays mostly 0.1-1 ms, one in four 5-20 ms (a write can reach
/// one replica long after the others), reordering, `loss` of messages lost.
inline nsim::link_settings slow_tail_links(double loss) {
  const auto fast = nsim::delay_distribution::uniform(0.1, 1.0).value();
  const auto slow = nsim::delay_distribution::uniform(5.0, 20.0).value();
  return {.delay = nsim::delay_distribution::mixture({{0.75, fast}, {0.25, slow}}).value(),
          .loss_probability = loss,
          .fifo = false};
}

/// Deploys the policy with `o`; with `durable`, each replica keeps its log on its node's
/// simulated disk.
inline workload::deploy_function deploy(quorum::options o, bool durable = false) {
  return [o, durable](coact::sim::world& w, const coact::kv::topology& nodes)
             -> coact::result<std::unique_ptr<coact::kv::deployment>> {
    quorum::options with = o;
    if (durable) with.storage = coact::kv::simulated_disks(w);
    BOOST_OUTCOME_TRY(auto d, quorum::deploy(nodes, std::move(with)));
    return std::unique_ptr<coact::kv::deployment>{std::move(d)};
  };
}

/// The quorum deployment `s` runs.
inline quorum::deployment& policy(workload::simulation& s) {
  return dynamic_cast<quorum::deployment&>(s.deployment());
}

/// Each client's work: `operations` requests at `levels`, a share `read` of them reads and
/// the rest updates, of `keys` keys chosen uniformly, each after a pause of up to 3 ms.
inline workload::work mix(quorum::levels levels, std::uint32_t operations, double read = 0.5,
                          std::uint64_t keys = 2) {
  return {.requests = {.read = read,
                       .update = 1 - read,
                       .distribution = workload::request_distribution::uniform},
          .record_count = keys,
          .operations = operations,
          .make_client = [levels](coact::kv::deployment& d, coact::sim::node_id home) {
            return std::unique_ptr<coact::kv::client>{
                dynamic_cast<quorum::deployment&>(d).make_quorum_client(home, levels)};
          }};
}

/// What a probe read straight from one replica's storage actor.
struct probe_result {
  bool answered = false;
  std::optional<coact::kv::stored_value> value;
};

/// Asks replica `node`'s storage actor (as the directory names it now) for `key`, a few
/// times if lost.
inline coact::task<void> run_probe(coact::actor_context& self, const coact::kv::directory* refs,
                                   coact::sim::node_id node, std::string key,
                                   std::shared_ptr<std::optional<probe_result>> out) {
  constexpr int attempts_max = 5;
  probe_result r;
  for (int attempt = 0; attempt < attempts_max && !r.answered; ++attempt) {
    coact::message<coact::kv::proto::ReplicaRead> read;
    read->setKey(key);
    auto answer = co_await self.ask<coact::kv::proto::ReplicaValue>(
        refs->get(node, quorum::replica_role), std::move(read), 50ms);
    if (!answer) continue;
    r.answered = true;
    const auto v = answer.value().get<coact::kv::proto::ReplicaValue>();
    if (v.getPresent()) {
      r.value = coact::kv::stored_value{
          std::string{v.getValue().cStr(), v.getValue().size()},
          {.counter = v.getVersion().getCounter(), .writer = v.getVersion().getWriter()}};
    }
  }
  *out = r;
}

/// Reads `key` from replica `i`'s storage at true time `t`, from the first client node;
/// the result fills in when the probe has run.
inline std::shared_ptr<std::optional<probe_result>> probe_at(workload::simulation& s, time_point t,
                                                             std::size_t i, std::string key) {
  auto out = std::make_shared<std::optional<probe_result>>();
  s.world().at(t, [&s, i, key = std::move(key), out] {
    REQUIRE(s.world()
                .system(s.client(0))
                ->spawn(&run_probe, &policy(s).directory(), s.replica(i), key, out));
  });
  return out;
}

}  // namespace quorum_test
