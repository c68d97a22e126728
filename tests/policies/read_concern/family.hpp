#pragma once

// How the read-concern family enters workload scenarios in its tests: a three-member
// replica set, sessions at given concerns, faults aimed at the primary of the moment (only
// the family knows which member that is), a final majority read of every key once every
// session is done, and the checks the tests share.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/log_storage.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/check/session_guarantees.hpp"
#include "coact/policies/read_concern/deployment.hpp"
#include "coact/workload/simulation.hpp"
#include "sim_seeds.hpp"

namespace read_concern_test {

namespace rc = coact::policies::read_concern;
namespace workload = coact::workload;
namespace nsim = coact::net::sim;
namespace check = coact::check;
namespace kv = coact::kv;
using namespace std::chrono_literals;
using coact::duration;
using coact::time_point;
using coact::test::search_seeds;
using coact::test::seeds;

inline constexpr std::size_t member_count = 3;

inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/read_concern/read_concern_tests");
}

/// Deploys a replica set with `o`, its election timeouts drawn from the run's seed; with
/// `durable`, members keep their term, vote and oplog on their simulated disk. Rollbacks
/// are kept in rollbacks(), not printed: the tests print the ones they need.
inline workload::deploy_function deploy(rc::options o, bool durable = true) {
  return [o, durable](coact::sim::world& w,
                      const kv::topology& nodes) -> coact::result<std::unique_ptr<kv::deployment>> {
    rc::options with = o;
    with.seed = w.stream("read_concern").next();
    with.report = [](const std::string&) {};
    if (durable) with.storage = kv::simulated_disks(w);
    BOOST_OUTCOME_TRY(auto d, rc::deploy(nodes, std::move(with)));
    return std::unique_ptr<kv::deployment>{std::move(d)};
  };
}

/// The replica set `s` runs.
inline rc::deployment& policy(workload::simulation& s) {
  return dynamic_cast<rc::deployment&>(s.deployment());
}

/// Three members and one client node per session, in one datacenter, on `links`.
inline workload::topology nodes(std::size_t sessions, nsim::link_settings links) {
  return {.replicas = std::vector<std::string>(member_count, "dc"),
          .clients = std::vector<std::string>(sessions, "dc"),
          .links = std::move(links)};
}

/// Links of LNKD-SSD delays (the PBS paper's, 0.235 ms and up), reordering, `loss` of
/// messages lost and `duplication` delivered twice.
inline nsim::link_settings lnkd_links(double loss = 0.02, double duplication = 0) {
  return {.delay = nsim::delay_distribution::lnkd_ssd(),
          .loss_probability = loss,
          .duplication_probability = duplication,
          .fifo = false};
}

/// Random partitions of every kind until 1.5 s, as every fault below ends by then.
inline workload::nemesis chaos() {
  return workload::nemesis{}.random_partitions(
      {.mean_between = 150ms, .mean_length = 80ms, .until = time_point{1500ms}});
}

inline rc::session_options concerns(rc::read_level read, rc::write_level write,
                                    rc::read_preference preference) {
  return {.read = read, .write = write, .preference = preference};
}

/// One session per entry of `sessions` (client i at sessions[i]), each doing `operations`
/// requests, a share `read` of them reads and the rest writes (a share `cas` of those a get
/// then a cas), of `keys` keys chosen uniformly, each after a pause of up to 20 ms: long
/// enough that they work through every fault.
inline workload::work work(std::vector<rc::session_options> sessions, double read = 0.5,
                           double cas = 0, std::uint32_t operations = 80, std::uint64_t keys = 3) {
  return {.requests = {.read = read,
                       .update = (1 - read) * (1 - cas),
                       .distribution = workload::request_distribution::uniform,
                       .compare_and_set = (1 - read) * cas},
          .record_count = keys,
          .operations = operations,
          .think_max = 20ms,
          .make_client = [sessions](kv::deployment& d, coact::sim::node_id home) {
            return dynamic_cast<rc::deployment&>(d).make_client(home,
                                                                sessions.at(home - member_count));
          }};
}

/// A replica set of `o` (durable unless not) with one client per session of `sessions`
/// doing work(sessions, read), under chaos(), for 3 s.
inline workload::scenario replica_set(std::vector<rc::session_options> sessions, double read = 0.5,
                                      rc::options o = {}, bool durable = true) {
  const std::size_t count = sessions.size();
  return {.deploy = deploy(std::move(o), durable),
          .nodes = nodes(count, lnkd_links()),
          .work = work(std::move(sessions), read),
          .faults = chaos(),
          .length = 3000ms};
}

/// `count` sessions at `options`.
inline std::vector<rc::session_options> same(std::size_t count, rc::session_options options) {
  return std::vector<rc::session_options>(count, options);
}

/// Faults aimed at whichever member is primary when each is due (or soon after).
struct primary_faults {
  /// When the primary is crashed (its synced disk kept), and how long it stays down.
  std::vector<duration> crash_at;
  duration down_for = 150ms;
  /// When the primary is cut off from the other members (clients still reach it), and for
  /// how long; the client nodes in cut_clients are cut off from it too.
  std::vector<duration> cut_at;
  duration cut_for = 400ms;
  std::vector<std::size_t> cut_clients;
  /// When the primary is paused (a long GC pause: messages to it wait), and for how long.
  std::vector<duration> pause_at;
  duration pause_for = 150ms;
};

/// What a run left behind, beyond the workload's report.
struct outcome {
  workload::report report;
  std::vector<rc::rolled_back_write> rolled_back;
  /// The final majority read of each key that succeeded.
  std::map<std::string, kv::read_result> final_reads;
  /// What each member last published of itself, by node.
  std::vector<rc::member_status> members;
  /// The highest term any member reached.
  std::uint64_t max_term = 0;
  std::size_t crashes = 0;
  std::size_t cuts = 0;
  std::size_t pauses = 0;
};

/// The member that is primary in the highest term among those up, if any.
inline std::optional<coact::sim::node_id> live_primary(workload::simulation& s) {
  std::optional<coact::sim::node_id> found;
  std::uint64_t term = 0;
  for (std::size_t i = 0; i < member_count; ++i) {
    const auto status = policy(s).status().get(s.replica(i));
    if (s.world().state(s.replica(i)) != coact::sim::node_state::up || !status) continue;
    if (status->role == rc::member_role::primary && (!found || status->term > term)) {
      found = s.replica(i);
      term = status->term;
    }
  }
  return found;
}

/// Runs `action` on the primary at `at`, or as soon after as there is one (looking every
/// 10 ms, 50 times at most): a fault aimed at the primary needs one.
inline void on_primary(workload::simulation& s, time_point at,
                       std::function<void(coact::sim::node_id)> action, int tries = 50) {
  s.world().at(at, [&s, action = std::move(action), tries]() mutable {
    if (const auto primary = live_primary(s)) {
      action(*primary);
    } else if (tries > 1) {
      on_primary(s, s.world().now() + 10ms, std::move(action), tries - 1);
    }
  });
}

inline void schedule(workload::simulation& s, const primary_faults& f, outcome& out) {
  for (const duration at : f.crash_at) {
    on_primary(s, time_point{at}, [&s, &f, &out](coact::sim::node_id primary) {
      s.world().crash(primary);
      ++out.crashes;
      s.world().after(f.down_for, [&s, primary] { s.world().restart(primary); });
    });
  }
  for (const duration at : f.pause_at) {
    on_primary(s, time_point{at}, [&s, &f, &out](coact::sim::node_id primary) {
      s.world().pause(primary);
      ++out.pauses;
      s.world().after(f.pause_for, [&s, primary] { s.world().resume(primary); });
    });
  }
  for (const duration at : f.cut_at) {
    on_primary(s, time_point{at}, [&s, &f, &out](coact::sim::node_id primary) {
      std::vector<coact::sim::node_id> away;
      for (std::size_t i = 0; i < member_count; ++i) {
        if (s.replica(i) != primary) away.push_back(s.replica(i));
      }
      for (const std::size_t i : f.cut_clients) away.push_back(s.client(i));
      for (const coact::sim::node_id other : away) {
        (void)s.network().partition_at(s.world(), s.world().now(), f.cut_for,
                                       nsim::partition::between(primary, other));
      }
      ++out.cuts;
    });
  }
}

/// Once every session is done (a read that overlaps a write need not see it), reads each
/// of `keys` keys at majority from the primary through a fresh session, retrying each until
/// it answers.
inline coact::task<void> read_back(coact::actor_context& self, workload::simulation* s,
                                   std::unique_ptr<kv::client> client, std::uint64_t keys,
                                   std::map<std::string, kv::read_result>* into) {
  constexpr int attempts_max = 20;
  while (s->clients_done() < s->client_count()) co_await self.sleep(10ms);
  for (std::uint64_t k = 0; k < keys; ++k) {
    const std::string key = "k" + std::to_string(k);
    for (int attempt = 0; attempt < attempts_max; ++attempt) {
      auto r = co_await client->get(self, key);
      if (r) {
        into->emplace(key, std::move(r).value());
        break;
      }
    }
  }
}

/// Work for some client nodes only (indices).
struct group {
  workload::work work;
  std::vector<std::size_t> clients;
};

/// Runs `sc` with `seed` for its length (its work on every client node, or each of `groups`
/// on its own), with `faults` aimed at the primary, and reads every key back at 2.5 s
/// (later if a session is not done by then).
inline outcome run(const workload::scenario& sc, const primary_faults& faults, std::uint64_t seed,
                   const std::vector<group>& groups = {}) {
  outcome out;
  auto made = workload::simulation::make(sc, seed);
  REQUIRE(made);
  workload::simulation& s = *made.value();
  schedule(s, faults, out);
  if (groups.empty()) REQUIRE(s.start(sc.work));
  for (const group& g : groups) REQUIRE(s.start_clients(g.work, g.clients));
  s.world().at(time_point{2500ms}, [&s, &sc, &out] {
    auto reader = policy(s).make_client(s.client(0), {.read = rc::read_level::majority,
                                                      .preference = rc::read_preference::primary});
    REQUIRE(s.world()
                .system(s.client(0))
                ->spawn(&read_back, &s, std::move(reader), sc.work.record_count, &out.final_reads));
  });
  s.run_for(sc.length);
  out.report = s.results();
  out.rolled_back = policy(s).rollbacks().writes();
  for (std::size_t i = 0; i < member_count; ++i) {
    const auto status = policy(s).status().get(s.replica(i));
    REQUIRE(status);
    out.members.push_back(*status);
    out.max_term = std::max(out.max_term, status->term);
  }
  return out;
}

/// A session report's violations (the first three), for a failed assertion's message.
inline std::string describe(const check::session_report& report) {
  std::string text = std::to_string(report.violations.size()) + " violations";
  for (std::size_t i = 0; i < std::min<std::size_t>(3, report.violations.size()); ++i) {
    const auto& v = report.violations[i];
    text += "\n  " + std::string{check::to_string(v.kind)} + " in " + v.session + " on " + v.key +
            ": " + v.reason;
  }
  return text;
}

/// Asserts that `history` is linearizable, with the checker's explanation when not.
inline void check_linearizable(const check::history& history) {
  auto report = check::check_linearizability(history);
  REQUIRE(report);
  INFO(report.value().explanation);
  REQUIRE(report.value().outcome != check::verdict::unknown);
  CHECK(report.value().outcome == check::verdict::linearizable);
}

/// Asserts that `history` keeps every session guarantee, naming the violations when not;
/// the report.
inline check::session_report check_sessions(const check::history& history) {
  auto report = check::check_session_guarantees(history);
  REQUIRE(report);
  INFO(describe(report.value()));
  CHECK(report.value().valid());
  return std::move(report).value();
}

}  // namespace read_concern_test
