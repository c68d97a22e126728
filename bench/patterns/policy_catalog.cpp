#include "policy_catalog.hpp"

#include <cctype>
#include <string>
#include <utility>

#include "coact/actors/replica.capnp.h"
#include "coact/actors/replication/replication.capnp.h"
#include "coact/policies/dynamo/deployment.hpp"
#include "coact/policies/quorum/deployment.hpp"
#include "coact/policies/read_concern/deployment.hpp"
#include "coact/policies/strong/deployment.hpp"
#include "configured_deployment.hpp"
#include "single_replica.hpp"

namespace coact::bench {
namespace {

namespace quorum = coact::policies::quorum;
namespace read_concern = coact::policies::read_concern;
namespace dynamo = coact::policies::dynamo;
namespace strong = coact::policies::strong;

/// "LOCAL_QUORUM" as a slug: "local-quorum".
std::string slug_of(quorum::level l) {
  std::string out = quorum::to_string(l);
  for (char& c : out) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
  return out;
}

policy_variant quorum_variant(quorum::level read, quorum::level write) {
  return {
      .name = std::string{"quorum R="} + quorum::to_string(read) + " W=" + quorum::to_string(write),
      .slug = "quorum-" + slug_of(read) + "-" + slug_of(write),
      .family = "quorum",
      .deploy = [read,
                 write](const bench_topology& where) -> result<std::unique_ptr<kv::deployment>> {
        BOOST_OUTCOME_TRY(auto d, quorum::deploy(where.replicas, {.defaults = {read, write}}));
        quorum::deployment* policy = d.get();
        // Clients talk to coordinators of their own datacenter, as Cassandra drivers do.
        return std::make_unique<configured_deployment>(
            std::move(d), [policy, read, write](std::uint32_t home) {
              return std::unique_ptr<kv::client>{policy->make_quorum_client(home, {read, write})};
            });
      },
      .write_request_types = {capnp::typeId<kv::proto::ReplicaWrite>()}};
}

policy_variant read_concern_variant(std::string label, std::string slug,
                                    read_concern::session_options session) {
  const bool linearizable = session.read == read_concern::read_level::linearizable &&
                            session.write == read_concern::write_level::majority;
  return {
      .name = "read_concern " + std::move(label),
      .slug = "read-concern-" + std::move(slug),
      .family = "read_concern",
      .linearizable = linearizable,
      .deploy = [session](const bench_topology& where) -> result<std::unique_ptr<kv::deployment>> {
        BOOST_OUTCOME_TRY(auto d, read_concern::deploy(where.replicas, {.session = session}));
        read_concern::deployment* policy = d.get();
        return std::make_unique<configured_deployment>(
            std::move(d),
            [policy, session](std::uint32_t home) { return policy->make_client(home, session); });
      },
      .write_request_types = {capnp::typeId<coact::replication::proto::AppendEntries>()}};
}

policy_variant dynamo_variant(bool consistent_read) {
  // Its descriptor promises linearizable writes and consistent reads, so only the variant
  // whose every read is consistent has linearizable histories.
  return {.name = consistent_read ? "dynamo ConsistentRead" : "dynamo eventual",
          .slug = consistent_read ? "dynamo-consistent" : "dynamo-eventual",
          .family = "dynamo",
          .linearizable = consistent_read,
          .deploy = [consistent_read](
                        const bench_topology& where) -> result<std::unique_ptr<kv::deployment>> {
            BOOST_OUTCOME_TRY(auto d, dynamo::deploy(where.replicas, {}));
            dynamo::deployment* policy = d.get();
            return std::make_unique<configured_deployment>(
                std::move(d), [policy, consistent_read](std::uint32_t home) {
                  return std::unique_ptr<kv::client>{
                      policy->connect(home, {.consistent_read = consistent_read})};
                });
          },
          .write_request_types = {capnp::typeId<coact::replication::proto::AppendEntries>()}};
}

}  // namespace

std::vector<policy_variant> policy_catalog() {
  using read_concern::read_level;
  using read_concern::read_preference;
  using read_concern::write_level;
  std::vector<policy_variant> out;
  out.push_back(
      {.name = "single",
       .slug = "single",
       .family = "single",
       .linearizable = true,
       .deploy = [](const bench_topology& where) -> result<std::unique_ptr<kv::deployment>> {
         return deploy_single_replica(where.replicas);
       },
       .write_request_types = {capnp::typeId<kv::proto::ReplicaWrite>()}});
  out.push_back(
      {.name = "strong (Raft)",
       .slug = "strong",
       .family = "strong",
       .linearizable = true,
       .deploy = [](const bench_topology& where) -> result<std::unique_ptr<kv::deployment>> {
         return strong::deploy(where.replicas, {});
       },
       .write_request_types = {capnp::typeId<coact::replication::proto::AppendEntries>()}});
  out.push_back(quorum_variant(quorum::level::one, quorum::level::one));
  out.push_back(quorum_variant(quorum::level::one, quorum::level::all));
  out.push_back(quorum_variant(quorum::level::quorum, quorum::level::quorum));
  out.push_back(quorum_variant(quorum::level::local_quorum, quorum::level::local_quorum));
  out.push_back(read_concern_variant("local w:1", "local-w1",
                                     {.read = read_level::local, .write = write_level::one}));
  out.push_back(read_concern_variant("local w:1 secondary", "local-w1-secondary",
                                     {.read = read_level::local,
                                      .write = write_level::one,
                                      .preference = read_preference::secondary}));
  out.push_back(
      read_concern_variant("majority w:majority", "majority-wmajority",
                           {.read = read_level::majority, .write = write_level::majority}));
  out.push_back(
      read_concern_variant("linearizable w:majority", "linearizable-wmajority",
                           {.read = read_level::linearizable, .write = write_level::majority}));
  out.push_back(dynamo_variant(false));
  out.push_back(dynamo_variant(true));
  return out;
}

}  // namespace coact::bench
