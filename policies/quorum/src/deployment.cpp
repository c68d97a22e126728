#include "coact/policies/quorum/deployment.hpp"

#include <algorithm>
#include <cassert>
#include <set>
#include <utility>
#include <vector>

#include "coact/actors/replica.hpp"
#include "coact/policies/quorum/coordinator.hpp"
#include "coact/policies/quorum/unmet_level.hpp"
#include "coact/runtime/actor_system.hpp"

namespace coact::policies::quorum {
namespace {

std::set<std::string> datacenters_of(const kv::topology& nodes) {
  std::set<std::string> all;
  for (const kv::member& m : nodes.replicas) all.insert(m.datacenter);
  return all;
}

const kv::member* find_member(const std::vector<kv::member>& members, std::uint32_t node) {
  const auto it = std::find_if(members.begin(), members.end(),
                               [&](const kv::member& m) { return m.node == node; });
  return it == members.end() ? nullptr : &*it;
}

/// Whether reads at `read` see writes at `write` wherever their coordinators are.
bool overlap_everywhere(const placement& layout, const levels& l) {
  for (const std::string& reader : datacenters_of(layout.topology())) {
    for (const std::string& writer : datacenters_of(layout.topology())) {
      if (!always_overlap(required(l.read, layout.factors(), reader),
                          required(l.write, layout.factors(), writer), layout.factors())) {
        return false;
      }
    }
  }
  return true;
}

bool needs_one(level l) { return l == level::one || l == level::local_one; }

kv::descriptor describe(const placement& layout, const options& o) {
  std::string factors;
  for (const auto& [datacenter, factor] : layout.factors()) {
    factors += (factors.empty() ? "" : ", ") + datacenter + ":" + std::to_string(factor);
  }
  const bool overlap = overlap_everywhere(layout, o.defaults);
  std::string guarantees =
      std::string{"R="} + to_string(o.defaults.read) + " W=" + to_string(o.defaults.write) +
      " N=" + std::to_string(replica_count(layout.factors())) + " (" + factors + "): ";
  guarantees += overlap ? "R+W>N, a read sees every write acknowledged before it began"
                        : "R+W<=N, a read may miss acknowledged writes (staleness measured)";
  if (o.read_repair) guarantees += "; blocking read repair";
  if (o.write_back) {
    guarantees +=
        overlap ? "; write-back: linearizable (with synchronized clocks)" : "; write-back";
  }
  guarantees += "; last writer wins (coordinator clock, node tiebreak); hinted handoff";
  return {.family = "quorum",
          .guarantees = std::move(guarantees),
          .under_partition = needs_one(o.defaults.read) && needs_one(o.defaults.write)
                                 ? kv::availability::total
                                 : kv::availability::unavailable,
          .round_trips =
              "write: 1 RTT to the first W of N replicas; read: 1 RTT to the first "
              "R of N, +1 RTT when read repair or write-back writes; +1 RTT "
              "client to coordinator unless on the same node"};
}

}  // namespace

deployment::deployment(std::shared_ptr<const placement> layout, options o)
    : deployment_base(layout->topology(), quorum::describe(*layout, o), o),
      layout_(std::move(layout)), settings_(std::move(o)) {}

void deployment::boot(actor_system& system, std::uint32_t node) {
  const kv::member* me = find_member(layout_->topology().replicas, node);
  assert(me != nullptr);
  auto replica = system.spawn(&kv::replica, storage(node, "quorum.log"));
  directory_->set(node, replica_role, replica.value());
  coordinator_config config{
      .layout = layout_,
      .refs = directory_,
      .member = static_cast<std::size_t>(me - layout_->topology().replicas.data()),
      .read_repair = settings_.read_repair,
      .write_back = settings_.write_back,
      .replica_timeout = settings_.replica_timeout,
      .hint_interval = settings_.hint_interval,
      .hints_max = settings_.hints_max,
      .hint_replays_max = settings_.hint_replays_max};
  auto coordinating = system.spawn(&coordinator, std::move(config));
  directory_->set(node, coordinator_role, coordinating.value());
}

std::unique_ptr<kv::client> deployment::make_client(std::uint32_t home) {
  return make_quorum_client(home, settings_.defaults);
}

std::unique_ptr<client> deployment::make_quorum_client(std::uint32_t home, levels defaults,
                                                       const std::string& datacenter) {
  const auto& nodes = layout_->topology();
  const kv::member* at_home = find_member(nodes.replicas, home);
  const kv::member* client_node = find_member(nodes.clients, home);
  std::string where = datacenter;
  if (where.empty() && at_home != nullptr) where = at_home->datacenter;
  if (where.empty() && client_node != nullptr) where = client_node->datacenter;
  if (where.empty()) where = nodes.replicas.front().datacenter;
  std::vector<std::uint32_t> coordinators;
  if (at_home != nullptr && at_home->datacenter == where) {
    coordinators.push_back(home);
  } else {
    for (const kv::member& m : nodes.replicas) {
      if (m.datacenter == where) coordinators.push_back(m.node);
    }
  }
  assert(!coordinators.empty());
  return std::make_unique<client>(directory_, std::move(coordinators), home, defaults,
                                  settings_.client_timeout);
}

result<std::unique_ptr<deployment>> deploy(kv::topology nodes, options o) {
  if (!kv::distinct_replicas(nodes)) return errc::invalid_argument;
  if (o.factors.empty()) {
    for (const kv::member& m : nodes.replicas) ++o.factors[m.datacenter];
  }
  for (const auto& [datacenter, factor] : o.factors) {
    const auto members = std::count_if(
        nodes.replicas.begin(), nodes.replicas.end(),
        [&datacenter = datacenter](const kv::member& m) { return m.datacenter == datacenter; });
    if (factor == 0 || factor > static_cast<std::uint64_t>(members)) return errc::invalid_argument;
  }
  if (replica_count(o.factors) > error_count_max) return errc::invalid_argument;
  if (o.replica_timeout <= duration::zero() || o.client_timeout <= duration::zero() ||
      o.hint_interval <= duration::zero() || o.hint_replays_max == 0) {
    return errc::invalid_argument;
  }
  auto layout = std::make_shared<const placement>(std::move(nodes), o.factors);
  return std::make_unique<deployment>(std::move(layout), std::move(o));
}

}  // namespace coact::policies::quorum
