#include "policy_catalog.hpp"

#include "coact/actors/replica.capnp.h"
#include "coact/policies/catalog.hpp"
#include "single_replica.hpp"

namespace coact::bench {

std::vector<policy_variant> policy_catalog() {
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
  for (const policies::variant& v : policies::catalog()) {
    out.push_back(
        {.name = v.name,
         .slug = v.slug,
         .family = v.family,
         .linearizable = v.linearizable,
         .deploy = [&v](const bench_topology& where) { return v.deploy(where.replicas, {}); },
         .write_request_types = v.write_request_types});
  }
  return out;
}

}  // namespace coact::bench
