#include "cluster.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <memory>

#include "coact/actors/log_storage.hpp"
#include "coact/actors/recording_client.hpp"
#include "coact/check/recorder.hpp"
#include "coact/policies/dynamo/partition_replica.hpp"
#include "coact/runtime/sim/world.hpp"

namespace dynamo_test {
namespace {

using coact::actor_context;
using coact::task;
using coact::time_point;

/// The latest leader seen of each partition, and every (partition, term) seen led.
struct leader_table {
  std::map<std::uint32_t, std::pair<std::uint64_t, sim::node_id>> latest;
  std::set<std::pair<std::uint32_t, std::uint64_t>> seen;

  void saw(std::uint32_t partition, std::uint64_t term, sim::node_id node) {
    seen.emplace(partition, term);
    auto& last = latest[partition];
    if (term >= last.first) last = {term, node};
  }
};

/// Watches the partition replicas of its own node (asks that cross no network) and notes
/// which lead.
task<void> leader_watch(actor_context& self, const dynamo::deployment* policy, sim::node_id node,
                        leader_table* table) {
  for (;;) {
    co_await self.sleep(10ms);
    for (const std::uint32_t p : policy->layout().partitions_on(node)) {
      auto s = co_await dynamo::query_status(
          self, policy->directory().get(node, dynamo::directory_role(p)), 10ms);
      if (s && s.value().role == dynamo::replica_role::leader) table->saw(p, s.value().term, node);
    }
  }
}

/// One client process: the workload's operations, one at a time. Writes and consistent
/// reads are recorded through `strong`, eventually consistent reads through `eventual`.
/// A cas expects the value this process last saw for the key, so that some match.
task<void> client_process(actor_context& self, std::unique_ptr<kv::recording_client> strong,
                          std::unique_ptr<kv::recording_client> eventual, std::int64_t process,
                          workload work, coact::prng random, int* done) {
  if (self.now() < work.start) co_await self.sleep(work.start - self.now());
  std::map<std::string, std::optional<std::string>> seen;
  for (int i = 0; i < work.ops && self.now() < work.stop; ++i) {
    co_await self.sleep(coact::duration{random.between(0, work.think_max.count())});
    const std::string key = work.keys[random.below(work.keys.size())];
    const std::string value = "p" + std::to_string(process) + "." + std::to_string(i);
    const double pick = random.unit();
    if (pick < work.put_share) {
      auto r = co_await strong->put(self, key, value);
      if (r) seen[key] = value;
    } else if (pick < work.put_share + work.cas_share) {
      const auto expected = seen.contains(key) ? seen[key] : std::nullopt;
      auto r = co_await strong->cas(self, key, expected, value);
      if (r && r.value().matched) seen[key] = value;
    } else {
      // Not one `?:` of two co_awaits: GCC 12 destroys the wrong temporary.
      kv::recording_client& reader =
          pick < work.put_share + work.cas_share + work.consistent_read_share ? *strong : *eventual;
      auto r = co_await reader.get(self, key);
      if (r) seen[key] = r.value().value;
    }
  }
  ++*done;
}

/// Reads every replica's status, then every key at each replica and at the leader.
task<void> collect(actor_context& self, const dynamo::deployment* policy,
                   std::unique_ptr<dynamo::client> reader, std::vector<std::string> keys,
                   outcome* out) {
  const auto& layout = policy->layout();
  for (std::uint32_t p = 0; p < layout.count(); ++p) {
    for (const std::uint32_t node : layout.replicas(p)) {
      auto s = co_await dynamo::query_status(
          self, policy->directory().get(node, dynamo::directory_role(p)), 100ms);
      if (s) out->statuses[p].push_back(std::move(s).value());
    }
  }
  for (const std::string& key : keys) {
    for (const std::uint32_t node : layout.replicas(layout.partition_of(key))) {
      auto r = co_await reader->get_from(self, key, node);
      out->replica_reads[key][node] = r ? std::optional{std::move(r).value()} : std::nullopt;
    }
    auto r = co_await reader->get(self, key, true);
    out->consistent_reads[key] = r ? std::optional{std::move(r).value()} : std::nullopt;
  }
  out->collected = true;
}

/// Crashes the leader of a random partition (as last seen), one crash at a time, until
/// the faults end; sometimes a follower of that partition with it.
class crash_schedule {
 public:
  crash_schedule(sim::world& w, const cluster_settings& settings, const leader_table& leaders,
                 const dynamo::partitioning& layout, outcome& out)
      : world_(w), settings_(settings), leaders_(leaders), layout_(layout), out_(out),
        random_(w.stream("crashes")) {}

  void start() { plan_next(); }

 private:
  void plan_next() {
    const auto gap = coact::duration{static_cast<std::int64_t>(
        random_.exponential(1.0 / static_cast<double>(settings_.crash_mean_between.count())))};
    const time_point at = world_.now() + gap;
    if (at >= settings_.faults_until) return;
    world_.at(at, [this] {
      strike();
      plan_next();
    });
  }

  void strike() {
    if (down_) return;
    const auto p = static_cast<std::uint32_t>(random_.below(layout_.count()));
    const auto found = leaders_.latest.find(p);
    if (found == leaders_.latest.end()) return;
    const sim::node_id leader = found->second.second;
    if (world_.state(leader) != sim::node_state::up) return;
    std::vector<sim::node_id> victims{leader};
    if (random_.chance(settings_.double_crash_share)) {
      for (const std::uint32_t node : layout_.replicas(p)) {
        if (node != leader) {
          victims.push_back(node);
          break;
        }
      }
    }
    for (const sim::node_id n : victims) world_.crash(n);
    ++out_.leader_crashes;
    out_.follower_crashes += static_cast<int>(victims.size()) - 1;
    down_ = true;
    const auto length = coact::duration{
        random_.between(settings_.crash_length_min.count(), settings_.crash_length_max.count())};
    world_.after(length, [this, victims] {
      for (const sim::node_id n : victims) world_.restart(n);
      world_.after(settings_.settle, [this] { down_ = false; });
    });
  }

  sim::world& world_;
  const cluster_settings& settings_;
  const leader_table& leaders_;
  const dynamo::partitioning& layout_;
  outcome& out_;
  coact::prng random_;
  bool down_ = false;
};

dynamo::options test_options(const cluster_settings& settings, sim::world& w) {
  dynamo::options o;
  o.seed = settings.seed;
  o.partition_count = static_cast<std::uint32_t>(settings.replicas);
  if (settings.durable) {
    o.storage = [&w](std::uint32_t node, const std::string& file) {
      return kv::sim_file(w.disk(node), file);
    };
  }
  return o;
}

kv::topology test_topology(std::size_t replicas) {
  kv::topology t;
  for (std::uint32_t n = 0; n < replicas; ++n) t.replicas.push_back({n, replica_name(n), "dc"});
  return t;
}

}  // namespace

dynamo::partitioning test_layout(std::size_t replicas) {
  return dynamo::partitioning::make(test_topology(replicas), static_cast<std::uint32_t>(replicas))
      .value();
}

std::string replica_name(std::uint32_t node) { return "r" + std::to_string(node); }

outcome run(const cluster_settings& settings) {
  outcome out;
  auto network = std::make_shared<nsim::network>(coact::prng{settings.seed}.split("net"));
  REQUIRE(network->set_defaults(settings.links));
  auto w = std::make_unique<sim::world>(settings.seed, network);
  coact::check::recorder log{w->true_clock()};
  auto deployed = dynamo::deploy(test_topology(settings.replicas), test_options(settings, *w));
  REQUIRE(deployed);
  dynamo::deployment& policy = *deployed.value();
  out.partition_count = policy.layout().count();
  leader_table leaders;

  for (std::size_t n = 0; n < settings.replicas; ++n) {
    w->add_node({.name = replica_name(static_cast<std::uint32_t>(n))},
                [&](coact::actor_system& system, sim::node_id node) {
                  policy.boot(system, node);
                  (void)system.spawn(&leader_watch, &policy, node, &leaders);
                });
  }
  for (std::size_t c = 0; c < settings.clients; ++c) {
    const auto process = static_cast<std::int64_t>(c) + 1;
    w->add_node(
        {.name = "client" + std::to_string(process)},
        [&, process](coact::actor_system& system, sim::node_id node) {
          auto strong = std::make_unique<kv::recording_client>(
              policy.connect(node, {.consistent_read = true}), log, process);
          auto eventual = std::make_unique<kv::recording_client>(
              policy.connect(node, {.consistent_read = false}), log, eventual_base + process);
          (void)system.spawn(&client_process, std::move(strong), std::move(eventual), process,
                             settings.work, w->stream("client" + std::to_string(process)),
                             &out.clients_done);
        });
  }

  if (settings.chaos) {
    nsim::chaos_options shape = settings.chaos_shape;
    shape.until = settings.faults_until;
    REQUIRE(network->start_chaos(*w, shape));
  }
  crash_schedule crashes{*w, settings, leaders, policy.layout(), out};
  if (settings.leader_crashes) crashes.start();
  w->at(settings.faults_until, [&] {
    network->heal_all();
    nsim::link_settings calm = settings.links;
    calm.loss_probability = 0;
    REQUIRE(network->set_defaults(calm));
  });

  const time_point collect_at = settings.faults_until + settings.quiet;
  w->run_until(collect_at);
  const sim::node_id reader_node = static_cast<sim::node_id>(settings.replicas);
  (void)w->system(reader_node)
      ->spawn(&collect, &policy, policy.connect(reader_node, {}), settings.work.keys, &out);
  w->run_until(collect_at + 2s);

  out.leaders_seen = leaders.seen;
  out.partitions_started = network->counters().partitions_started;
  out.duplicated = network->counters().duplicated;
  out.history = log.snapshot();
  // The actors go first: they refer to the policy's directory and the recorder.
  w.reset();
  return out;
}

coact::check::history strong_part(const coact::check::history& h) {
  coact::check::history part;
  for (const auto& e : h) {
    if (e.process < eventual_base) part.push_back(e);
  }
  return part;
}

coact::check::history partition_part(const coact::check::history& h,
                                     const dynamo::partitioning& layout, std::uint32_t p) {
  coact::check::history part;
  for (const auto& e : h) {
    if (layout.partition_of(e.key) == p) part.push_back(e);
  }
  return part;
}

}  // namespace dynamo_test
