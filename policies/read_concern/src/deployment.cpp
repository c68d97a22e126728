#include "coact/policies/read_concern/deployment.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "coact/runtime/assert.hpp"
#include "member.hpp"
#include "session_client.hpp"

namespace coact::policies::read_concern {
namespace {

std::string guarantees_of(const session_options& s) {
  if (s.read == read_level::linearizable && s.write == write_level::majority) {
    return "linearizable (linearizable reads, w:majority writes); majority-acknowledged "
           "writes are never rolled back";
  }
  if (s.read == read_level::majority && s.write == write_level::majority) {
    return "causal sessions: read-your-writes, monotonic reads, monotonic writes, "
           "writes-follow-reads; majority-acknowledged writes are never rolled back";
  }
  if (s.write == write_level::majority) {
    return "majority-acknowledged writes are never rolled back; reads may see writes that "
           "later are (session guarantees not promised)";
  }
  return "w:1 writes may be rolled back after a failover (counted and reported); session "
         "guarantees not promised";
}

kv::descriptor describe_with(const session_options& s) {
  return {.family = "read_concern",
          .guarantees =
              std::string{to_string(s.read)} + "/" + to_string(s.write) + ": " + guarantees_of(s),
          .under_partition = kv::availability::unavailable,
          .round_trips =
              "write w:1: 1 RTT to the primary; w:majority: + 1 RTT primary to a "
              "majority; read local, available, majority: 1 RTT to one member "
              "(+ the wait for the session's token); linearizable: 1 RTT to the "
              "primary + 1 RTT primary to a majority"};
}

}  // namespace

deployment::deployment(kv::topology topology, options opts)
    : deployment_base(std::move(topology), describe_with(opts.session), opts),
      settings_(std::move(opts)), rollbacks_(settings_.report) {}

void deployment::boot(actor_system& system, std::uint32_t node) {
  std::vector<std::uint32_t> members;
  for (const kv::member& m : topology_.replicas) members.push_back(m.node);
  COACT_ASSERT(std::find(members.begin(), members.end(), node) != members.end());
  const std::uint32_t boot_number = count_boot(node);
  const bool durable = static_cast<bool>(settings_.storage);
  member_config config{.node = node,
                       .members = std::move(members),
                       .directory = directory_.get(),
                       .timing = settings_.timing,
                       .tick = settings_.tick,
                       .status = &status_,
                       .rollbacks = &rollbacks_,
                       .random = random(node, "read_concern/member"),
                       .voter = durable || boot_number == 0,
                       .storage = storage(node, "oplog")};
  auto ref = system.spawn(&run_member, std::move(config));
  COACT_ASSERT(ref);
  if (ref) directory_->set(node, member_directory_role, ref.value());
}

std::unique_ptr<kv::client> deployment::make_client(std::uint32_t home) {
  return make_client(home, settings_.session);
}

std::unique_ptr<kv::client> deployment::make_client(std::uint32_t home, session_options session) {
  const std::uint64_t number = next_client_id() - 1;
  const auto stream = "read_concern/session/" + std::to_string(home) + "/" + std::to_string(number);
  return std::make_unique<session_client>(topology_.replicas, *directory_, session, number + 1,
                                          prng{settings_.seed}.split(stream));
}

result<std::unique_ptr<deployment>> deploy(kv::topology topology, options opts) {
  const duration zero{0};
  const bool valid = kv::distinct_replicas(topology) && replication::valid(opts.timing) &&
                     opts.tick > zero && opts.session.operation_timeout > zero &&
                     opts.session.attempt_timeout > zero && opts.session.retry_backoff > zero;
  if (!valid) return errc::invalid_argument;
  return std::make_unique<deployment>(std::move(topology), std::move(opts));
}

}  // namespace coact::policies::read_concern
