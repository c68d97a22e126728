// The bank sample: clients transfer money between accounts sharded over participant groups
// while audits sum every balance; the transactions commit by two-phase commit (txn-2pc),
// optionally with the coordinator's decisions on a Raft group (--replicated). One flag
// crashes the coordinator mid-run to show 2PC's block, and its absence when replicated;
// --spanner runs it on spanner (TrueTime commit wait, audits as lock-free snapshot reads).
// Runs in the simulator, from a seed, or (--tcp) on nodes in this process over real TCP.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "coact/check/bank.hpp"
#include "coact/check/history_json.hpp"
#include "coact/policies/txn/deployment.hpp"
#include "coact/policies/txn/placement.hpp"
#include "coact/workload/loopback_cluster.hpp"
#include "coact/workload/simulation.hpp"

namespace {

namespace txn = coact::policies::txn;
namespace workload = coact::workload;
namespace sim = coact::sim;
using namespace std::chrono_literals;
using coact::duration;
using coact::time_point;

struct settings {
  std::uint64_t accounts = 6;
  std::int64_t balance = 100;
  std::size_t groups = 3;
  std::size_t clients = 4;
  std::uint32_t transfers = 50;
  double audit = 0.2;
  bool replicated = false;
  bool spanner = false;
  bool crash_coordinator = false;
  std::uint32_t down_ms = 300;
  std::uint64_t seed = 1;
  std::string history;
  bool tcp = false;
};

/// What the participants reported: per node, the longest a prepared transaction waited for
/// its decision.
struct blocking {
  std::vector<duration> longest;
  std::uint64_t decided = 0;
};

/// spanner's TrueTime bound, the paper's typical one.
constexpr duration spanner_epsilon = std::chrono::milliseconds{4};

/// The variant the flags choose.
txn::options family_options(const settings& s) {
  txn::options o;
  o.replicated = s.replicated;
  if (s.spanner) o.epsilon = spanner_epsilon;
  return o;
}

const char* family(const settings& s) {
  if (s.spanner) return "spanner";
  return s.replicated ? "txn-2pc-replicated" : "txn-2pc";
}

std::string ms(duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

int report(const settings& s, const coact::check::history& h, bool finished, duration longest,
           std::uint64_t decided) {
  if (!s.history.empty()) {
    if (const auto saved = coact::check::save_history(s.history, h); !saved) {
      std::fprintf(stderr, "coact-sample-bank: cannot write the history to %s: %s\n",
                   s.history.c_str(), saved.error().message().c_str());
      return 2;
    }
  }
  std::uint64_t transfers = 0, aborted = 0, unknown = 0;
  for (const auto& e : h) {
    if (e.type == coact::check::event_type::ok && e.txn.size() == 4) ++transfers;
    if (e.type == coact::check::event_type::fail) ++aborted;
    if (e.type == coact::check::event_type::info) ++unknown;
  }
  const auto total = static_cast<std::int64_t>(s.accounts) * s.balance;
  const auto report = coact::check::check_bank(h, s.accounts, total);
  if (!report) {
    std::fprintf(stderr, "coact-sample-bank: the history does not pair up\n");
    return 1;
  }
  std::printf("transfers: %llu committed, %llu aborted, %llu unknown\n",
              static_cast<unsigned long long>(transfers), static_cast<unsigned long long>(aborted),
              static_cast<unsigned long long>(unknown));
  std::printf("audits: %llu, %s %lld\n", static_cast<unsigned long long>(report.value().audits),
              report.value().valid() ? "every one summing to" : "NOT all summing to",
              static_cast<long long>(total));
  std::printf(
      "blocked: a prepared transaction on a node that stayed up waited at most %s for "
      "its decision (%llu decided)\n",
      ms(longest).c_str(), static_cast<unsigned long long>(decided));
  if (!s.history.empty()) {
    std::printf("history: %s (%zu events; coact check bank %s --accounts %llu --total %lld)\n",
                s.history.c_str(), h.size(), s.history.c_str(),
                static_cast<unsigned long long>(s.accounts), static_cast<long long>(total));
  }
  for (const auto& v : report.value().violations) {
    std::printf("violation: %s\n", v.reason.c_str());
  }
  if (!finished) std::printf("unfinished: the clients did not finish in time\n");
  return report.value().valid() && finished ? 0 : 1;
}

int run_simulated(const settings& s) {
  blocking blocked{.longest = std::vector<duration>(s.groups, duration{0})};
  std::vector<std::uint32_t> leaders;
  workload::scenario scenario{
      .deploy = [&](sim::world& w, const coact::kv::topology& nodes)
          -> coact::result<std::unique_ptr<coact::kv::deployment>> {
        txn::options o = family_options(s);
        o.seed = w.seed();
        o.storage = coact::kv::simulated_disks(w);
        o.timing = {
            .election_timeout_min = 10ms, .election_timeout_max = 20ms, .heartbeat_period = 3ms};
        o.on_decided = [&blocked](std::uint32_t node, duration held, bool) {
          blocked.longest[node] = std::max(blocked.longest[node], held);
          ++blocked.decided;
        };
        o.on_leader = [&leaders](std::uint32_t node, std::uint64_t) { leaders.push_back(node); };
        return txn::deploy(nodes, std::move(o));
      },
      .nodes = {.replicas = std::vector<std::string>(s.groups, "dc1"),
                .clients = std::vector<std::string>(s.clients, "dc1")}};
  auto made = workload::simulation::make(scenario, s.seed);
  if (!made) {
    std::fprintf(stderr, "coact-sample-bank: cannot set the bank up: %s\n",
                 made.error().message().c_str());
    return 1;
  }
  workload::simulation& bank = *made.value();
  sim::world& w = bank.world();
  const workload::txn_work work{.what = workload::txn_work::kind::bank,
                                .keys = s.accounts,
                                .transactions = s.transfers,
                                .initial_balance = s.balance,
                                .audit = s.audit};
  if (s.replicated) {
    while (leaders.empty() && w.now() < time_point{1s}) w.run_for(1ms);
  }
  std::string why;
  if (const auto started = bank.start_transactions(work, &why); !started) {
    std::fprintf(stderr, "coact-sample-bank: %s\n", why.c_str());
    return 2;
  }
  std::printf(
      "bank: %s on %zu groups, %llu accounts of %lld, %zu clients, seed %llu "
      "(simulated)\n",
      family(s), s.groups, static_cast<unsigned long long>(s.accounts),
      static_cast<long long>(s.balance), s.clients, static_cast<unsigned long long>(s.seed));

  std::optional<sim::node_id> crashed;
  if (s.crash_coordinator) {
    // The coordinator to crash: the group's leader, or the one that coordinates every
    // audit (the owner of "a0"); crashed as soon as another node has prepared.
    const auto coordinator = s.replicated && !leaders.empty()
                                 ? static_cast<sim::node_id>(leaders.back())
                                 : static_cast<sim::node_id>(txn::group_of("a0", s.groups));
    while (!crashed && w.now() < time_point{10s}) {
      w.run_for(100us);
      for (sim::node_id n = 0; n < s.groups; ++n) {
        if (n != coordinator && !w.disk(n).read("participant.log").empty()) crashed = coordinator;
      }
    }
    if (crashed) {
      w.crash(*crashed);
      const time_point back = w.now() + std::chrono::milliseconds{s.down_ms};
      w.at(back, [&w, n = *crashed] { w.restart(n); });
      std::printf(
          "coordinator crash: replica%u down for %u ms from %s, between prepare and "
          "decision\n",
          *crashed, s.down_ms, ms(w.now().since_epoch).c_str());
    }
  }
  while (bank.transactions().done.load() < bank.client_count() && w.now() < time_point{600s}) {
    bank.run_for(10ms);
  }
  // A participant on the crashed node waited for its own restart, not for a coordinator.
  duration longest{0};
  for (sim::node_id n = 0; n < s.groups; ++n) {
    if (n != crashed) longest = std::max(longest, blocked.longest[n]);
  }
  return report(s, bank.history(), bank.transactions().done.load() == bank.client_count(), longest,
                blocked.decided);
}

int run_over_tcp(const settings& s) {
  coact::kv::topology nodes;
  for (std::uint32_t i = 0; i < s.groups; ++i) {
    nodes.replicas.push_back({i, "replica" + std::to_string(i), "dc1"});
  }
  for (std::uint32_t i = 0; i < s.clients; ++i) {
    const auto n = static_cast<std::uint32_t>(s.groups + i);
    nodes.clients.push_back({n, "client" + std::to_string(i), "dc1"});
  }
  // Told on the nodes' threads.
  std::mutex mutex;
  std::vector<duration> longest(s.groups, duration{0});
  std::uint64_t decided = 0;
  std::atomic<bool> led{false};
  txn::options o = family_options(s);
  o.seed = s.seed;
  o.on_decided = [&](std::uint32_t node, duration held, bool) {
    const std::lock_guard lock{mutex};
    longest[node] = std::max(longest[node], held);
    ++decided;
  };
  o.on_leader = [&led](std::uint32_t, std::uint64_t) { led.store(true); };
  // Declared before the cluster, which stops the nodes when it goes.
  auto deployment = txn::deploy(nodes, std::move(o));
  if (!deployment) {
    std::fprintf(stderr, "coact-sample-bank: cannot set the bank up: %s\n",
                 deployment.error().message().c_str());
    return 1;
  }
  coact::check::recorder log{std::make_shared<coact::real_clock>()};
  workload::txn_group group;
  workload::loopback_cluster cluster{"coact-sample-bank"};
  std::vector<coact::kv::member> all = nodes.replicas;
  all.insert(all.end(), nodes.clients.begin(), nodes.clients.end());
  const auto started = cluster.start(all);
  if (!started || !cluster.connected(std::chrono::steady_clock::now() + 10s)) {
    std::fprintf(stderr, "coact-sample-bank: the nodes did not connect over 127.0.0.1\n");
    return 1;
  }
  for (const auto& m : nodes.replicas) deployment.value()->boot(cluster.system(m.node), m.node);
  const auto until = [](const auto& done, duration limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(1ms);
    return done();
  };
  if (s.replicated && !until([&] { return led.load(); }, 10s)) {
    std::fprintf(stderr, "coact-sample-bank: the coordinator group elected no leader\n");
    return 1;
  }
  std::printf("bank: %s on %zu groups, %llu accounts of %lld, %zu clients (TCP on 127.0.0.1)\n",
              family(s), s.groups, static_cast<unsigned long long>(s.accounts),
              static_cast<long long>(s.balance), s.clients);
  group.clients = s.clients;
  const workload::txn_work work{.what = workload::txn_work::kind::bank,
                                .keys = s.accounts,
                                .transactions = s.transfers,
                                .initial_balance = s.balance,
                                .audit = s.audit};
  const coact::prng random{s.seed};
  for (std::uint32_t i = 0; i < s.clients; ++i) {
    const std::uint32_t home = nodes.clients[i].node;
    const auto process = static_cast<std::int64_t>(i + 1);
    const auto spawned = cluster.system(home).spawn(
        &workload::run_txn_client,
        std::make_unique<coact::kv::recording_client>(deployment.value()->make_client(home), log,
                                                      process),
        work, i == 0, process, random.split("client" + std::to_string(i)), &group);
    if (!spawned) {
      std::fprintf(stderr, "coact-sample-bank: cannot start a client: %s\n",
                   spawned.error().message().c_str());
      return 1;
    }
  }
  const bool finished = until([&] { return group.done.load() == s.clients; }, 120s);
  const std::lock_guard lock{mutex};
  return report(s, log.snapshot(), finished, *std::max_element(longest.begin(), longest.end()),
                decided);
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{
      "coact-sample-bank: transfers and audits over two-phase commit, in the simulator "
      "or over TCP"};
  app.add_option("--accounts", s.accounts, "accounts")->check(CLI::Range(2, 10'000));
  app.add_option("--balance", s.balance, "each account's opening balance")
      ->check(CLI::Range(0, 1'000'000'000));
  app.add_option("--groups", s.groups, "participant groups (nodes)")->check(CLI::Range(1, 16));
  app.add_option("--clients", s.clients, "clients")->check(CLI::Range(1, 64));
  app.add_option("--transfers", s.transfers, "transactions per client")
      ->check(CLI::Range(0, 1'000'000));
  app.add_option("--audit", s.audit, "share of a client's transactions that are audits")
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--replicated", s.replicated,
               "txn-2pc-replicated: the coordinator's decisions on a Raft group");
  app.add_flag("--spanner", s.spanner,
               "spanner: TrueTime commit wait (epsilon 4 ms), audits as snapshot reads")
      ->excludes("--replicated");
  app.add_flag("--crash-coordinator", s.crash_coordinator,
               "crash the coordinator between a transaction's prepare and its decision");
  app.add_option("--down-ms", s.down_ms, "how long the crashed coordinator stays down")
      ->check(CLI::Range(1, 60'000));
  app.add_option("--seed", s.seed, "the simulation's seed");
  app.add_option("--history", s.history,
                 "write the clients' history there, as Jepsen JSON lines (f txn)");
  app.add_flag("--tcp", s.tcp, "run the nodes in this process over real TCP on 127.0.0.1");
  CLI11_PARSE(app, argc, argv);
  if (s.tcp && s.crash_coordinator) {
    std::fprintf(stderr,
                 "coact-sample-bank: --crash-coordinator needs the simulator (not --tcp)\n");
    return 2;
  }
  return s.tcp ? run_over_tcp(s) : run_simulated(s);
}
