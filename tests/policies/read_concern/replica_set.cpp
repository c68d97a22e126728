#include "replica_set.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "coact/actors/log_storage.hpp"
#include "coact/actors/recording_client.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/check/recorder.hpp"
#include "coact/runtime/sim/world.hpp"

namespace coact::test::read_concern {
namespace {

namespace sim = coact::sim;
namespace nsim = coact::net::sim;

constexpr std::uint32_t member_count = 3;

/// What one session does: `ops` reads, puts and cas on a few keys, each value unique.
struct workload_plan {
  kv::client* client = nullptr;
  std::int64_t process = 0;
  int ops = 0;
  int keys = 0;
  double read_share = 0;
  double cas_share = 0;
  duration think_max;
  prng random{0};
  /// Counts the sessions that are done.
  std::size_t* finished = nullptr;
};

task<void> workload(actor_context& self, workload_plan plan) {
  std::map<std::string, std::optional<std::string>> seen;  // per key: the last value seen
  for (int i = 0; i < plan.ops; ++i) {
    co_await self.sleep(duration{plan.random.between(0, plan.think_max.count())});
    const std::string key = "k" + std::to_string(plan.random.below(plan.keys));
    const std::string value = "p" + std::to_string(plan.process) + "-" + std::to_string(i);
    if (plan.random.chance(plan.read_share)) {
      auto r = co_await plan.client->get(self, key);
      if (r) seen[key] = r.value().value;
    } else if (plan.random.chance(plan.cas_share)) {
      auto r = co_await plan.client->cas(self, key, seen[key], value);
      if (r && r.value().matched) seen[key] = value;
    } else {
      auto r = co_await plan.client->put(self, key, value);
      if (r) seen[key] = value;
    }
  }
  ++*plan.finished;
}

/// Reads every key at majority from the primary, retrying each until it answers, once all
/// `sessions` are done (a read that overlaps a write need not see it).
task<void> final_reader(actor_context& self, kv::client* client, int keys,
                        const std::size_t* finished, std::size_t sessions,
                        std::map<std::string, kv::read_result>* into) {
  while (*finished < sessions) co_await self.sleep(10ms);
  for (int k = 0; k < keys; ++k) {
    const std::string key = "k" + std::to_string(k);
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto r = co_await client->get(self, key);
      if (r) {
        into->emplace(key, std::move(r).value());
        break;
      }
    }
  }
}

/// The replica that is primary in the highest term among those up, if any.
std::optional<std::uint32_t> live_primary(const sim::world& w, const rc::deployment& d) {
  std::optional<std::uint32_t> found;
  std::uint64_t term = 0;
  for (std::uint32_t n = 0; n < member_count; ++n) {
    const auto status = d.status().get(n);
    if (w.state(n) != sim::node_state::up || !status) continue;
    if (status->role == rc::member_role::primary && (!found || status->term > term)) {
      found = n;
      term = status->term;
    }
  }
  return found;
}

/// Runs `action` on the primary of the moment at `at`, or as soon after as there is one
/// (looking every 10 ms, 50 times at most): a fault aimed at the primary needs one.
void on_primary(sim::world& w, const rc::deployment& d, time_point at,
                std::function<void(std::uint32_t)> action, int tries = 50) {
  w.at(at, [&w, &d, action = std::move(action), tries]() mutable {
    if (const auto primary = live_primary(w, d)) {
      action(*primary);
    } else if (tries > 1) {
      on_primary(w, d, w.now() + 10ms, std::move(action), tries - 1);
    }
  });
}

}  // namespace

outcome run_scenario(const scenario& s) {
  auto network = std::make_shared<nsim::network>(prng{s.seed}.split("net"));
  REQUIRE(network->set_defaults({.delay = s.delay,
                                 .loss_probability = s.loss,
                                 .duplication_probability = s.duplication,
                                 .fifo = s.fifo}));
  // Destroyed first (below), while the clients and the deployment its actors use still live.
  auto world = std::make_unique<sim::world>(s.seed, network);
  sim::world& w = *world;
  outcome out;

  kv::topology topology;
  for (std::uint32_t n = 0; n < member_count; ++n) {
    topology.replicas.push_back({.node = n, .name = "m" + std::to_string(n), .datacenter = "dc"});
  }
  rc::options set = s.set;
  set.seed = s.seed;
  set.report = [](const std::string&) {};  // kept in rollbacks(); the tests print them
  if (s.durable) {
    set.storage = kv::simulated_disks(w);
  }
  auto deployed = rc::deploy(topology, set);
  REQUIRE(deployed);
  rc::deployment& d = *deployed.value();

  for (std::uint32_t n = 0; n < member_count; ++n) {
    w.add_node({.name = "m" + std::to_string(n), .datacenter = "dc"},
               [&d](actor_system& system, sim::node_id node) { d.boot(system, node); });
  }

  check::recorder log{w.true_clock()};
  std::vector<std::unique_ptr<kv::client>> clients;
  std::size_t finished = 0;
  for (std::size_t i = 0; i < s.sessions.size(); ++i) {
    const auto process = static_cast<std::int64_t>(i);
    const std::uint32_t home = member_count + static_cast<std::uint32_t>(i);
    clients.push_back(std::make_unique<kv::recording_client>(
        d.make_client(home, s.sessions[i].options), log, process, "s" + std::to_string(i)));
    workload_plan plan{.client = clients.back().get(),
                       .process = process,
                       .ops = s.ops_per_session,
                       .keys = s.keys,
                       .read_share = s.sessions[i].read_share,
                       .cas_share = s.cas_share,
                       .think_max = s.think_max,
                       .random = w.stream("session" + std::to_string(i)),
                       .finished = &finished};
    w.add_node({.name = "c" + std::to_string(i), .datacenter = "dc"},
               [plan](actor_system& system, sim::node_id) { (void)system.spawn(&workload, plan); });
  }

  // The final reads: a fresh majority session at the primary, once everything is quiet and
  // every session is done.
  rc::session_options final_session{.read = rc::read_level::majority,
                                    .preference = rc::read_preference::primary};
  const std::uint32_t reader_home = member_count + static_cast<std::uint32_t>(s.sessions.size());
  auto final_client = d.make_client(reader_home, final_session);
  const sim::node_id reader =
      w.add_node({.name = "final", .datacenter = "dc"}, [](actor_system&, sim::node_id) {});
  w.at(time_point{s.final_read_at}, [&] {
    (void)w.system(reader)->spawn(&final_reader, final_client.get(), s.keys, &finished,
                                  s.sessions.size(), &out.final_reads);
  });

  if (s.chaos) {
    (void)network->start_chaos(
        w, {.mean_between = 150ms, .mean_length = 80ms, .until = time_point{s.faults_until}});
  }
  for (const duration at : s.crash_primary_at) {
    on_primary(w, d, time_point{at}, [&](std::uint32_t primary) {
      w.crash(primary);
      ++out.crashes;
      w.after(s.down_for, [&w, primary] { w.restart(primary); });
    });
  }
  for (const duration at : s.pause_primary_at) {
    on_primary(w, d, time_point{at}, [&](std::uint32_t primary) {
      w.pause(primary);
      ++out.pauses;
      w.after(s.pause_for, [&w, primary] { w.resume(primary); });
    });
  }
  for (const duration at : s.cut_primary_at) {
    on_primary(w, d, time_point{at}, [&](std::uint32_t primary) {
      std::vector<std::uint32_t> away;
      for (std::uint32_t other = 0; other < member_count; ++other) {
        if (other != primary) away.push_back(other);
      }
      for (const std::size_t i : s.cut_sessions) {
        away.push_back(member_count + static_cast<std::uint32_t>(i));
      }
      for (const std::uint32_t other : away) {
        (void)network->partition_at(w, w.now(), s.cut_for,
                                    nsim::partition::between(primary, other));
      }
      ++out.cuts;
    });
  }

  w.run_until(time_point{s.run_for});

  out.history = log.snapshot();
  out.rolled_back = d.rollbacks().writes();
  for (std::uint32_t n = 0; n < member_count; ++n) {
    const auto status = d.status().get(n);
    REQUIRE(status);
    out.members.push_back(*status);
    out.max_term = std::max(out.max_term, status->term);
  }
  out.network = network->counters();
  world.reset();
  return out;
}

void check_linearizable(const check::history& history) {
  auto report = check::check_linearizability(history);
  REQUIRE(report);
  INFO(report.value().explanation);
  REQUIRE(report.value().outcome != check::verdict::unknown);
  CHECK(report.value().outcome == check::verdict::linearizable);
}

check::session_report check_sessions(const check::history& history) {
  auto report = check::check_session_guarantees(history);
  REQUIRE(report);
  INFO(describe(report.value()));
  CHECK(report.value().valid());
  return std::move(report).value();
}

std::string describe(const check::session_report& report) {
  std::string text = std::to_string(report.violations.size()) + " violations";
  for (std::size_t i = 0; i < std::min<std::size_t>(3, report.violations.size()); ++i) {
    const auto& v = report.violations[i];
    text += "\n  " + std::string{check::to_string(v.kind)} + " in " + v.session + " on " + v.key +
            ": " + v.reason;
  }
  return text;
}

}  // namespace coact::test::read_concern
