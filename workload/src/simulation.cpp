#include "coact/workload/simulation.hpp"

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/actors/recording_client.hpp"
#include "coact/runtime/assert.hpp"

namespace coact::workload {
namespace {

/// One client's body: `w`'s requests through `client`, drawn from `random`. Inserts take
/// their key from `*record_count`, which every client of the world shares (the simulator
/// runs them on one thread); each request's latency goes to `*latencies`; `*done` counts
/// the clients that are done.
task<void> run_ycsb_client(actor_context& self, std::unique_ptr<kv::client> client, work w,
                           key_chooser keys, std::int64_t process, prng random,
                           std::uint64_t* record_count, std::vector<duration>* latencies,
                           std::size_t* done) {
  const bool open_loop = w.rate_per_s > 0;
  const duration interval{open_loop ? static_cast<std::int64_t>(1e9 / w.rate_per_s) : 0};
  // A random phase, so that open-loop clients are not all due at the same instants.
  time_point due = self.now() + duration{random.between(0, interval.count())};
  for (std::uint32_t i = 0; i < w.operations; ++i) {
    if (open_loop) {
      if (self.now() < due) co_await self.sleep(due - self.now());
    } else {
      co_await self.sleep(duration{random.between(0, w.think_max.count())});
      due = self.now();
    }
    const request r = next_request(w.requests, random);
    const std::uint64_t k = r == request::insert
                                ? (*record_count)++
                                : keys.next(random, std::max<std::uint64_t>(*record_count, 1));
    std::string key = "k" + std::to_string(k);
    std::string value = "p" + std::to_string(process) + "-" + std::to_string(i);
    std::optional<std::string> got;
    if (r == request::read || r == request::read_modify_write || r == request::compare_and_set) {
      auto answer = co_await client->get(self, key);
      if (answer) got = std::move(answer).value().value;
    }
    // A cas after a failed get expects no value: any expectation is a request worth checking.
    if (r == request::compare_and_set) {
      (void)co_await client->cas(self, std::move(key), std::move(got), std::move(value));
    } else if (r != request::read) {
      (void)co_await client->put(self, std::move(key), std::move(value));
    }
    latencies->push_back(self.now() - due);
    due = due + interval;
  }
  ++*done;
}

}  // namespace

simulation::simulation(const scenario& s, std::uint64_t seed)
    : replica_count_(s.nodes.replicas.size()), client_count_(s.nodes.clients.size()),
      links_(s.nodes.links), network_(std::make_shared<net::sim::network>(prng{seed}.split("net"))),
      world_(seed, network_) {
  log_ = std::make_unique<check::recorder>(world_.true_clock());
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
  const core_workload& r = w.requests;
  if (r.scan > 0) {
    if (why) {
      *why = "YCSB workload " + r.name + " asks for scans, and the " +
             deployment_->describe().family + " family has none";
    }
    return kv::kv_errc::unsupported;
  }
  const bool weights_valid =
      r.read >= 0 && r.update >= 0 && r.insert >= 0 && r.read_modify_write >= 0 &&
      r.compare_and_set >= 0 &&
      r.read + r.update + r.insert + r.read_modify_write + r.compare_and_set > 0;
  auto keys = key_chooser::make(r.distribution, r.zipfian_constant);
  if (!weights_valid || !keys || w.rate_per_s < 0) {
    if (why) *why = "a negative weight or rate, no positive weight, or a bad zipfian constant";
    return errc::invalid_argument;
  }
  record_count_ = std::max(record_count_, w.record_count);
  for (const std::size_t i : clients) {
    COACT_ASSERT(i < client_count_ && world_.system(client(i)) != nullptr);
    const std::int64_t process = next_process_++;
    auto inner = w.make_client ? w.make_client(*deployment_, client(i))
                               : deployment_->make_client(client(i));
    BOOST_OUTCOME_TRY(world_.system(client(i))->spawn(
        &run_ycsb_client, std::make_unique<kv::recording_client>(std::move(inner), *log_, process),
        w, keys.value(), process, world_.stream("client" + std::to_string(process)), &record_count_,
        &latencies_, &clients_done_));
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
