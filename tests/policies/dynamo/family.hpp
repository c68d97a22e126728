#pragma once

// How the dynamo family enters workload simulations in its tests: its deployment with a
// watcher of partition leaders on every replica node, client processes doing puts, cases
// and reads of both kinds, crashes aimed at partition leaders (a leader is family-specific,
// so no nemesis can aim at one), and a probe that reads every replica once the run is quiet.
// Replicas are nodes 0..R-1 (partition p on nodes p, p+1, p+2), then one client per node.
// Each client records its writes and consistent reads as process p and its eventually
// consistent reads as process eventual_base + p. Every random choice comes from the seed.

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/deployment_base.hpp"
#include "coact/actors/recording_client.hpp"
#include "coact/check/recorder.hpp"
#include "coact/policies/dynamo/deployment.hpp"
#include "coact/policies/dynamo/partition_replica.hpp"
#include "coact/policies/dynamo/replica_status.hpp"
#include "coact/workload/simulation.hpp"
#include "sim_seeds.hpp"

namespace dynamo_test {

using namespace std::chrono_literals;
namespace sim = coact::sim;
namespace nsim = coact::net::sim;
namespace kv = coact::kv;
namespace dynamo = coact::policies::dynamo;
namespace workload = coact::workload;
using coact::actor_context;
using coact::task;
using coact::time_point;
using coact::test::search_seeds;
using coact::test::seeds;

inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/dynamo/dynamo_tests");
}

/// The process number of a client's eventually consistent reads is this plus its own.
inline constexpr std::int64_t eventual_base = 100;

/// What each client process does: operations on `keys` after pauses drawn from
/// [0, think_max], from `start` until `ops` are done or `stop` has passed.
struct client_work {
  int ops = 300;
  coact::duration think_max = 12ms;
  time_point start{600ms};
  time_point stop{3s};
  std::vector<std::string> keys{"a", "b", "c", "d", "e", "f", "g", "h"};
  double put_share = 0.3;
  double cas_share = 0.1;
  double consistent_read_share = 0.3;  // the rest are eventually consistent reads
};

/// A faulty run: the faults last until faults_until, then the run stays quiet (no faults,
/// no loss, no clients) for `quiet` before every replica's state is read.
struct run_settings {
  std::uint64_t seed = 1;
  std::size_t replicas = 5;
  std::size_t clients = 4;
  client_work work;
  /// Loss is the nemesis's (loss_probability until faults_until), not the links'.
  nsim::link_settings links{.delay = nsim::delay_distribution::lnkd_ssd(), .fifo = false};
  double loss_probability = 0.02;
  /// Random partitions of every kind, over replicas and clients, until faults_until.
  bool chaos = true;
  nsim::chaos_options chaos_shape{.mean_between = 400ms, .mean_length = 300ms};
  /// The leader of a random partition crashed every crash_mean_between on average (one
  /// crash at a time), restarted after [crash_length_min, crash_length_max].
  bool leader_crashes = true;
  coact::duration crash_mean_between = 400ms;
  coact::duration crash_length_min = 100ms;
  coact::duration crash_length_max = 500ms;
  /// How long after a restart the next crash may come at the earliest.
  coact::duration settle = 0ms;
  /// The share of those crashes that also take down a follower of that partition (the
  /// partition then has one replica left until they restart).
  double double_crash_share = 0;
  time_point faults_until{3s};
  /// Replicas keep their logs on their simulated disks.
  bool durable = true;
  coact::duration quiet = 2s;
};

/// Everything one run produced.
struct outcome {
  coact::check::history history;
  /// Every replica's status after the quiet time, by partition (a replica that did not
  /// answer is missing).
  std::map<std::uint32_t, std::vector<dynamo::replica_status>> statuses;
  /// Then, for every key, an eventually consistent read at each replica of its partition
  /// (by node; empty when it failed), and a consistent read.
  std::map<std::string, std::map<std::uint32_t, std::optional<kv::read_result>>> replica_reads;
  std::map<std::string, std::optional<kv::read_result>> consistent_reads;
  bool collected = false;
  int clients_done = 0;
  /// Crashes of a node a watcher had just seen lead a partition, and of a follower with it.
  int leader_crashes = 0;
  int follower_crashes = 0;
  /// The (partition, term) pairs in which a leader was seen.
  std::set<std::pair<std::uint32_t, std::uint64_t>> leaders_seen;
  std::uint64_t partitions_started = 0;
  /// Messages the network delivered twice.
  std::uint64_t duplicated = 0;
  std::uint32_t partition_count = 0;
};

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
inline task<void> leader_watch(actor_context& self, const dynamo::deployment* policy,
                               sim::node_id node, leader_table* table) {
  for (;;) {
    co_await self.sleep(10ms);
    for (const std::uint32_t p : policy->layout().partitions_on(node)) {
      auto s = co_await dynamo::query_status(
          self, policy->directory().get(node, dynamo::directory_role(p)), 10ms);
      if (s && s.value().role == dynamo::replica_role::leader) table->saw(p, s.value().term, node);
    }
  }
}

/// The dynamo deployment with a leader watcher booted beside it on every replica node at
/// each start and restart (the simulation boots only what the deployment boots).
class watched_deployment final : public kv::deployment {
 public:
  explicit watched_deployment(std::unique_ptr<dynamo::deployment> inner)
      : inner_(std::move(inner)) {}

  [[nodiscard]] const kv::descriptor& describe() const override { return inner_->describe(); }
  void boot(coact::actor_system& system, std::uint32_t node) override {
    inner_->boot(system, node);
    (void)system.spawn(&leader_watch, inner_.get(), node, &leaders_);
  }
  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t home) override {
    return inner_->make_client(home);
  }

  [[nodiscard]] dynamo::deployment& policy() const noexcept { return *inner_; }
  [[nodiscard]] const leader_table& leaders() const noexcept { return leaders_; }

 private:
  std::unique_ptr<dynamo::deployment> inner_;
  leader_table leaders_;
};

/// Deploys the policy with one partition per replica; with `durable`, each replica keeps
/// its log on its node's simulated disk.
inline workload::deploy_function deploy(std::uint64_t seed, bool durable) {
  return
      [seed, durable](sim::world& w,
                      const kv::topology& nodes) -> coact::result<std::unique_ptr<kv::deployment>> {
        dynamo::options o;
        o.seed = seed;
        o.partition_count = static_cast<std::uint32_t>(nodes.replicas.size());
        if (durable) o.storage = kv::simulated_disks(w);
        BOOST_OUTCOME_TRY(auto d, dynamo::deploy(nodes, std::move(o)));
        return std::unique_ptr<kv::deployment>{std::make_unique<watched_deployment>(std::move(d))};
      };
}

/// One client process: the work's operations, one at a time. Writes and consistent reads
/// are recorded through `strong`, eventually consistent reads through `eventual`. A cas
/// expects the value this process last saw for the key, so that some match.
inline task<void> client_process(actor_context& self, std::unique_ptr<kv::recording_client> strong,
                                 std::unique_ptr<kv::recording_client> eventual,
                                 std::int64_t process, client_work work, coact::prng random,
                                 int* done) {
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
inline task<void> collect(actor_context& self, const dynamo::deployment* policy,
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
  crash_schedule(sim::world& w, const run_settings& settings, const watched_deployment& policy,
                 outcome& out)
      : world_(w), settings_(settings), policy_(policy), out_(out), random_(w.stream("crashes")) {}

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
    const auto& layout = policy_.policy().layout();
    const auto p = static_cast<std::uint32_t>(random_.below(layout.count()));
    const auto found = policy_.leaders().latest.find(p);
    if (found == policy_.leaders().latest.end()) return;
    const sim::node_id leader = found->second.second;
    if (world_.state(leader) != sim::node_state::up) return;
    std::vector<sim::node_id> victims{leader};
    if (random_.chance(settings_.double_crash_share)) {
      for (const std::uint32_t node : layout.replicas(p)) {
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
  const run_settings& settings_;
  const watched_deployment& policy_;
  outcome& out_;
  coact::prng random_;
  bool down_ = false;
};

/// One simulated run: the scenario's world with the family's clients, crashes and probe.
inline outcome run(const run_settings& settings) {
  outcome out;
  workload::nemesis faults;
  faults.loss(time_point{}, settings.faults_until - time_point{}, settings.loss_probability);
  if (settings.chaos) {
    nsim::chaos_options partitions = settings.chaos_shape;
    partitions.until = settings.faults_until;
    faults.random_partitions(partitions);
  }
  const workload::scenario shape{
      .deploy = deploy(settings.seed, settings.durable),
      .nodes = {.replicas = std::vector<std::string>(settings.replicas, "dc"),
                .clients = std::vector<std::string>(settings.clients, "dc"),
                .links = settings.links},
      .faults = faults};
  // The recorder outlives the simulation, whose actors record into it.
  std::optional<coact::check::recorder> log;
  auto made = workload::simulation::make(shape, settings.seed);
  REQUIRE(made);
  std::unique_ptr<workload::simulation> s = std::move(made).value();
  sim::world& w = s->world();
  log.emplace(w.true_clock());
  auto& watched = dynamic_cast<watched_deployment&>(s->deployment());
  dynamo::deployment& policy = watched.policy();
  out.partition_count = policy.layout().count();

  for (std::size_t c = 0; c < settings.clients; ++c) {
    const auto process = static_cast<std::int64_t>(c) + 1;
    const sim::node_id node = s->client(c);
    auto strong = std::make_unique<kv::recording_client>(
        policy.connect(node, {.consistent_read = true}), *log, process);
    auto eventual = std::make_unique<kv::recording_client>(
        policy.connect(node, {.consistent_read = false}), *log, eventual_base + process);
    REQUIRE(w.system(node)->spawn(&client_process, std::move(strong), std::move(eventual), process,
                                  settings.work, w.stream("client" + std::to_string(process)),
                                  &out.clients_done));
  }
  crash_schedule crashes{w, settings, watched, out};
  if (settings.leader_crashes) crashes.start();
  // Random partitions begun before faults_until may last past it.
  w.at(settings.faults_until, [&s] { s->network().heal_all(); });

  const time_point collect_at = settings.faults_until + settings.quiet;
  w.run_until(collect_at);
  const sim::node_id reader_node = s->client(0);
  REQUIRE(
      w.system(reader_node)
          ->spawn(&collect, &policy, policy.connect(reader_node, {}), settings.work.keys, &out));
  w.run_until(collect_at + 2s);

  out.leaders_seen = watched.leaders().seen;
  out.partitions_started = s->network().counters().partitions_started;
  out.duplicated = s->network().counters().duplicated;
  out.history = log->snapshot();
  // The actors go first: they refer to the crash schedule, `out` and the recorder.
  s.reset();
  return out;
}

/// The history's writes and consistent reads: every event of the processes below
/// eventual_base.
inline coact::check::history strong_part(const coact::check::history& h) {
  coact::check::history part;
  for (const auto& e : h) {
    if (e.process < eventual_base) part.push_back(e);
  }
  return part;
}

/// The layout the runs use, for `replicas` replica nodes (it depends on node numbers only).
inline dynamo::partitioning test_layout(std::size_t replicas) {
  kv::topology t;
  for (std::uint32_t n = 0; n < replicas; ++n)
    t.replicas.push_back({n, "r" + std::to_string(n), "dc"});
  return dynamo::partitioning::make(t, static_cast<std::uint32_t>(replicas)).value();
}

/// The history's events on the keys of partition `p` under the test layout.
inline coact::check::history partition_part(const coact::check::history& h,
                                            const dynamo::partitioning& layout, std::uint32_t p) {
  coact::check::history part;
  for (const auto& e : h) {
    if (layout.partition_of(e.key) == p) part.push_back(e);
  }
  return part;
}

/// The replica's name in check::replica_states: "r<node>".
inline std::string replica_name(std::uint32_t node) { return "r" + std::to_string(node); }

}  // namespace dynamo_test
