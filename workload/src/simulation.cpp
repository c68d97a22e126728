#include "coact/workload/simulation.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/actors/recording_client.hpp"
#include "coact/runtime/assert.hpp"

namespace coact::workload {
simulation::simulation(const scenario& s, std::uint64_t seed)
    : replica_count_(s.nodes.replicas.size()), client_count_(s.nodes.clients.size()),
      links_(s.nodes.links), network_(std::make_shared<net::sim::network>(prng{seed}.split("net"))),
      world_(seed, network_) {
  log_ = std::make_unique<check::recorder>(world_.true_clock());
  // The world runs every client on this thread.
  clients_.on_latency = [this](duration d) { latencies_.push_back(d); };
  network_->set_datacenters(net::sim::datacenters_of(world_));
}

result<std::unique_ptr<simulation>> simulation::make(const scenario& s, std::uint64_t seed) {
  std::unique_ptr<simulation> self{new simulation{s, seed}};
  BOOST_OUTCOME_TRY(self->network_->set_defaults(self->links_));
  kv::topology nodes;
  for (std::size_t i = 0; i < s.nodes.replicas.size(); ++i) {
    nodes.replicas.push_back(
        {self->replica(i), "replica" + std::to_string(i), s.nodes.replicas[i]});
  }
  for (std::size_t i = 0; i < s.nodes.clients.size(); ++i) {
    nodes.clients.push_back({self->client(i), "client" + std::to_string(i), s.nodes.clients[i]});
  }
  BOOST_OUTCOME_TRY(self->deployment_, s.deploy(self->world_, nodes));
  const auto add = [&](const kv::member& m, sim::world::boot_function boot) {
    const auto [offset, drift] = s.faults.skew_of(m.node);
    self->world_.add_node({.name = m.name,
                           .datacenter = m.datacenter,
                           .clock_offset = offset,
                           .clock_drift_ppm = drift},
                          std::move(boot));
  };
  kv::deployment* policy = self->deployment_.get();
  for (const kv::member& m : nodes.replicas) {
    add(m, [policy](actor_system& system, sim::node_id n) { policy->boot(system, n); });
  }
  for (const kv::member& m : nodes.clients) add(m, [](actor_system&, sim::node_id) {});
  BOOST_OUTCOME_TRY(s.faults.apply(*self));
  return self;
}

result<void> simulation::start(const work& w, std::string* why) {
  std::vector<std::size_t> all(client_count_);
  std::iota(all.begin(), all.end(), std::size_t{0});
  return start_clients(w, all, why);
}

result<void> simulation::start_clients(const work& w, const std::vector<std::size_t>& clients,
                                       std::string* why) {
  if (w.requests.scan > 0) {
    if (why) {
      *why = "YCSB workload " + w.requests.name + " asks for scans, and the " +
             deployment_->describe().family + " family has none";
    }
    return kv::kv_errc::unsupported;
  }
  BOOST_OUTCOME_TRY(validate(w, why));
  const auto keys = key_chooser::make(w.requests.distribution, w.requests.zipfian_constant);
  clients_.record_count = std::max(clients_.record_count.load(), w.record_count);
  for (const std::size_t i : clients) {
    COACT_ASSERT(i < client_count_ && world_.system(client(i)) != nullptr);
    const std::int64_t process = next_process_++;
    auto inner = w.make_client ? w.make_client(*deployment_, client(i))
                               : deployment_->make_client(client(i));
    BOOST_OUTCOME_TRY(world_.system(client(i))->spawn(
        &run_client, std::make_unique<kv::recording_client>(std::move(inner), *log_, process), w,
        keys.value(), process, world_.stream("client" + std::to_string(process)), &clients_));
  }
  return success();
}

result<void> simulation::start_transactions(const txn_work& w, std::string* why) {
  const kv::descriptor& family = deployment_->describe();
  if (std::find(family.capabilities.begin(), family.capabilities.end(), "transactions") ==
      family.capabilities.end()) {
    if (why) *why = "the " + family.family + " family has no transactions";
    return kv::kv_errc::unsupported;
  }
  BOOST_OUTCOME_TRY(validate(w, why));
  txns_.clients = client_count_;
  for (std::size_t i = 0; i < client_count_; ++i) {
    COACT_ASSERT(world_.system(client(i)) != nullptr);
    const std::int64_t process = next_process_++;
    BOOST_OUTCOME_TRY(world_.system(client(i))->spawn(
        &run_txn_client,
        std::make_unique<kv::recording_client>(deployment_->make_client(client(i)), *log_, process),
        w, i == 0, process, world_.stream("client" + std::to_string(process)), &txns_));
  }
  return success();
}

result<void> simulation::set_links(net::sim::link_settings settings) {
  BOOST_OUTCOME_TRY(network_->set_defaults(settings));
  links_ = std::move(settings);
  return success();
}

report simulation::results() const {
  report r{.history = history(),
           .latencies = latencies_,
           .network = network_->counters(),
           .events = world_.events()};
  for (const check::event& e : r.history) {
    if (e.type == check::event_type::ok) ++r.ok;
    if (e.type == check::event_type::fail) ++r.failed;
    if (e.type == check::event_type::info) ++r.unknown;
  }
  return r;
}

}  // namespace coact::workload
