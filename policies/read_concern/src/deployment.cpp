#include "coact/policies/read_concern/deployment.hpp"

#include <algorithm>
#include <cassert>
#include <set>
#include <string>
#include <utility>
#include <vector>

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
    : topology_(std::move(topology)), options_(std::move(opts)),
      descriptor_(describe_with(options_.session)), rollbacks_(options_.report) {}

void deployment::boot(actor_system& system, std::uint32_t node) {
  std::vector<std::uint32_t> members;
  for (const kv::member& m : topology_.replicas) members.push_back(m.node);
  assert(std::find(members.begin(), members.end(), node) != members.end());
  std::uint32_t boot_number = 0;
  {
    std::lock_guard lock{mutex_};
    boot_number = boots_[node]++;
  }
  const bool durable = static_cast<bool>(options_.storage);
  member_config config{
      .node = node,
      .members = std::move(members),
      .directory = &directory_,
      .timing = options_.timing,
      .tick = options_.tick,
      .status = &status_,
      .rollbacks = &rollbacks_,
      .random = prng{options_.seed}.split("read_concern/member/" + std::to_string(node) + "/boot/" +
                                          std::to_string(boot_number)),
      .voter = durable || boot_number == 0,
      .storage = durable ? options_.storage(node) : nullptr};
  auto ref = system.spawn(&run_member, std::move(config));
  assert(ref);
  if (ref) directory_.set(node, member_directory_role, ref.value());
}

std::unique_ptr<kv::client> deployment::make_client(std::uint32_t home) {
  return make_client(home, options_.session);
}

std::unique_ptr<kv::client> deployment::make_client(std::uint32_t home, session_options session) {
  std::uint64_t number = 0;
  {
    std::lock_guard lock{mutex_};
    number = sessions_++;
  }
  const auto stream = "read_concern/session/" + std::to_string(home) + "/" + std::to_string(number);
  return std::make_unique<session_client>(topology_.replicas, directory_, session, number + 1,
                                          prng{options_.seed}.split(stream));
}

result<std::unique_ptr<deployment>> deploy(kv::topology topology, options opts) {
  std::set<std::uint32_t> nodes;
  for (const kv::member& m : topology.replicas) nodes.insert(m.node);
  const duration zero{0};
  const auto& t = opts.timing;
  const bool valid =
      !topology.replicas.empty() && nodes.size() == topology.replicas.size() && opts.tick > zero &&
      t.heartbeat_period > zero && t.election_timeout_min > zero &&
      t.election_timeout_min <= t.election_timeout_max && t.entries_per_message_max > 0 &&
      (!t.step_down_after || *t.step_down_after > zero) && opts.session.operation_timeout > zero &&
      opts.session.attempt_timeout > zero && opts.session.retry_backoff > zero;
  if (!valid) return errc::invalid_argument;
  return std::make_unique<deployment>(std::move(topology), std::move(opts));
}

}  // namespace coact::policies::read_concern
