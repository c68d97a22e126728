// coact-txn-bench: the transactional families side by side in the simulator, on the
// pattern benchmark's topologies: a bank's transfers and audits from every client, and per
// run the transaction latency (p50, p99, committed transactions), the abort rate, the
// outcomes left unknown, the throughput in virtual time, spanner's commit wait as a share of
// its commits' latency, and whether every audit summed to the bank's total.
// --commit-wait measures spanner's commit wait against TrueTime's bound instead.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench_topology.hpp"
#include "coact/check/bank.hpp"
#include "coact/policies/txn/deployment.hpp"
#include "coact/policies/txn/txn.capnp.h"
#include "coact/workload/transactions.hpp"
#include "delay_model.hpp"
#include "latency_histogram.hpp"
#include "policy_catalog.hpp"
#include "policy_selection.hpp"
#include "sim_run.hpp"

namespace {

using namespace coact;
using namespace coact::bench;

struct settings {
  std::vector<std::string> policies;
  std::vector<std::uint32_t> nodes{3, 5};
  std::vector<std::uint32_t> dcs{1, 2};
  std::uint32_t clients = 8;
  std::uint32_t transactions = 50;
  std::uint64_t accounts = 20;
  double audit = 0.1;
  double wan_ms = 20;
  std::string delay = "lnkd-ssd";
  std::uint64_t seed = 1;
  bool commit_wait = false;
  std::vector<double> epsilon_ms{1, 4, 7};
};

/// Every commit wait a spanner deployment reported, summed.
struct waits {
  duration total{0};
  std::uint64_t count = 0;
};

/// The spanner family with TrueTime's bound `epsilon`, its commit waits added to `*seen`
/// (on the simulator's one thread).
policy_variant spanner_with(duration epsilon, waits* seen) {
  return {.name = "spanner (TrueTime)",
          .slug = "spanner",
          .family = "spanner",
          .deploy = [epsilon,
                     seen](const bench_topology& where) -> result<std::unique_ptr<kv::deployment>> {
            policies::txn::options o;
            o.epsilon = epsilon;
            o.on_commit_wait = [seen](duration wait) {
              seen->total += wait;
              ++seen->count;
            };
            BOOST_OUTCOME_TRY(auto d, policies::txn::deploy(where.replicas, std::move(o)));
            return std::unique_ptr<kv::deployment>{std::move(d)};
          },
          .write_request_types = {capnp::typeId<policies::txn::proto::Prepare>()}};
}

/// What one run measured.
struct row {
  latency_histogram committed;
  /// The committed transactions' latencies summed, for the commit wait's share of them.
  duration committed_total{0};
  std::uint64_t aborted = 0;
  std::uint64_t unknown = 0;
  std::int64_t first_ns = -1;
  std::int64_t last_ns = 0;
  bool bank_held = false;
  std::string error;
};

/// Whether `p` offers the transactions capability.
bool transactional(const policy_variant& p, const bench_topology& where) {
  const auto d = p.deploy(where);
  if (!d) return false;
  const auto& caps = d.value()->describe().capabilities;
  return std::find(caps.begin(), caps.end(), "transactions") != caps.end();
}

/// Runs the bank against `policy`; `waits` (when not null) is cleared once the warm-up's
/// writes are done, so that it counts the clients' commits only.
row run(const policy_variant& policy, const bench_topology& where, const settings& s,
        const delay_model& model, waits* counted = nullptr) {
  row out;
  check::history events;
  std::map<std::int64_t, std::int64_t> invoked;  // per process: its open invocation's time
  workload::txn_group group;
  const workload::txn_work work{.what = workload::txn_work::kind::bank,
                                .keys = s.accounts,
                                .transactions = s.transactions,
                                .think_max = std::chrono::milliseconds{1},
                                .audit = s.audit};
  const client_spawner spawn = [&](coact::sim::world& world, kv::deployment& deployment,
                                   check::recorder& log) -> result<std::size_t> {
    if (counted != nullptr) *counted = {};
    group.clients = s.clients;
    for (std::uint32_t i = 0; i < s.clients; ++i) {
      const std::uint32_t home = where.clients()[i % where.clients().size()].node;
      BOOST_OUTCOME_TRY(world.system(home)->spawn(
          &workload::run_txn_client,
          std::make_unique<kv::recording_client>(deployment.make_client(home), log, i), work,
          i == 0, static_cast<std::int64_t>(i), world.stream("client-" + std::to_string(i)),
          &group));
    }
    return s.clients;
  };
  const auto sink = [&](const check::event& e) {
    events.push_back(e);
    if (e.type == check::event_type::invoke) {
      invoked[e.process] = e.time_ns;
      if (out.first_ns < 0) out.first_ns = e.time_ns;
      return;
    }
    out.last_ns = e.time_ns;
    if (e.type == check::event_type::ok) {
      out.committed.record(static_cast<std::uint64_t>(e.time_ns - invoked[e.process]));
      out.committed_total += duration{e.time_ns - invoked[e.process]};
    } else if (e.type == check::event_type::fail) {
      ++out.aborted;
    } else {
      ++out.unknown;
    }
  };
  const auto ran = run_in_sim(policy, where, spawn, group.done,
                              {.delays = model, .wan_delay_ms = s.wan_ms, .seed = s.seed}, sink);
  if (!ran) {
    out.error = ran.error().message();
    return out;
  }
  const auto bank = check::check_bank(events, s.accounts,
                                      static_cast<std::int64_t>(s.accounts * work.initial_balance));
  out.bank_held = bank && bank.value().valid();
  return out;
}

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

/// The commit-wait table: per TrueTime bound, spanner's mean commit wait over the bank's
/// commits and its ratio to the bound (the paper expects at least 2).
int commit_wait_table(const settings& s, const delay_model& model) {
  const auto where = bench_topology::make(s.nodes.front(), s.dcs.front());
  if (!where) {
    std::fprintf(stderr, "coact-txn-bench: --nodes %u --dcs %u: no such topology\n",
                 s.nodes.front(), s.dcs.front());
    return 2;
  }
  std::printf("%-10s %-19s %-6s\n", "epsilon_ms", "commit_wait_mean_ms", "ratio");
  bool measured = true;
  for (const double e : s.epsilon_ms) {
    const duration epsilon{static_cast<std::int64_t>(e * 1e6)};
    waits seen;
    const row r = run(spanner_with(epsilon, &seen), where.value(), s, model, &seen);
    if (!r.error.empty() || seen.count == 0 || !r.bank_held) {
      std::printf("%-10g failed: %s\n", e, r.error.empty() ? "no commit" : r.error.c_str());
      measured = false;
      continue;
    }
    const double mean_ms =
        static_cast<double>(seen.total.count()) / static_cast<double>(seen.count) / 1e6;
    std::printf("%-10g %-19.3f %-6.2f\n", e, mean_ms, mean_ms / e);
  }
  std::printf(
      "commit wait: from the commit timestamp's choice (at least TT.now().latest) until "
      "TT.after(s); mean over every commit of the bank on %s\n",
      where.value().label().c_str());
  return measured ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"coact-txn-bench: the transactional families side by side (a bank, simulated)"};
  app.add_option("--policies", s.policies,
                 "variants by slug or family (default: every one with transactions)")
      ->delimiter(',');
  app.add_option("--nodes", s.nodes, "replica counts")->delimiter(',')->check(CLI::Range(1, 64));
  app.add_option("--dcs", s.dcs, "datacenter counts")->delimiter(',')->check(CLI::Range(1, 64));
  app.add_option("--clients", s.clients, "clients per run")->check(CLI::Range(1, 1024));
  app.add_option("--transactions", s.transactions, "transactions per client")
      ->check(CLI::Range(1, 1'000'000));
  app.add_option("--accounts", s.accounts, "accounts")->check(CLI::Range(2, 1'000'000));
  app.add_option("--audit", s.audit, "share of audits")->check(CLI::Range(0.0, 1.0));
  app.add_option("--wan-ms", s.wan_ms, "one-way delay between datacenters")
      ->check(CLI::Range(0.0, 10'000.0));
  app.add_option("--delay", s.delay, std::string{"delays within a DC: "} + delay_model_help);
  app.add_option("--seed", s.seed, "the simulation's seed");
  app.add_flag("--commit-wait", s.commit_wait,
               "measure spanner's commit wait against TrueTime's bound (on the first topology)");
  app.add_option("--epsilon-ms", s.epsilon_ms, "TrueTime bounds for --commit-wait")
      ->delimiter(',')
      ->check(CLI::Range(0.001, 1000.0));
  CLI11_PARSE(app, argc, argv);

  const auto model = parse_delay_model(s.delay);
  if (!model) {
    std::fprintf(stderr, "coact-txn-bench: --delay %s: expected one of %s\n", s.delay.c_str(),
                 delay_model_help);
    return 2;
  }
  if (s.commit_wait) return commit_wait_table(s, model.value());
  const auto catalog = policy_catalog();
  std::string unknown;
  const auto chosen = select_policies(catalog, s.policies, &unknown);
  if (!chosen) {
    std::fprintf(stderr, "coact-txn-bench: --policies: no variant is named '%s'\n",
                 unknown.c_str());
    return 2;
  }
  // A capability does not depend on the topology: one look at each variant.
  const auto probe = bench_topology::make(1, 1).value();
  std::vector<const policy_variant*> runs;
  for (const policy_variant* p : chosen.value()) {
    if (transactional(*p, probe)) {
      runs.push_back(p);
    } else if (!s.policies.empty()) {
      std::fprintf(stderr, "coact-txn-bench: %s has no transactions\n", p->slug.c_str());
      return 2;
    }
  }
  std::printf("%-7s %-16s %-20s %9s %9s %9s %8s %8s %10s %7s %5s\n", "runtime", "topology",
              "policy", "p50_ms", "p99_ms", "committed", "abort_%", "unknown", "txn_per_s",
              "wait_%", "bank");
  bool all_held = true;
  for (const std::uint32_t n : s.nodes) {
    for (const std::uint32_t dc : s.dcs) {
      const auto where = bench_topology::make(n, dc);
      if (!where) continue;  // more datacenters than nodes
      for (const policy_variant* p : runs) {
        // spanner's commit waits are reported by the deployment itself.
        waits seen;
        const policy_variant spanner = spanner_with(std::chrono::milliseconds{4}, &seen);
        const row r =
            run(p->family == "spanner" ? spanner : *p, where.value(), s, model.value(), &seen);
        if (!r.error.empty()) {
          std::printf("%-7s %-16s %-20s failed: %s\n", "sim", where.value().label().c_str(),
                      p->name.c_str(), r.error.c_str());
          all_held = false;
          continue;
        }
        const std::uint64_t done = r.committed.count() + r.aborted + r.unknown;
        const double seconds = static_cast<double>(r.last_ns - r.first_ns) / 1e9;
        const double wait_share = r.committed_total.count() > 0
                                      ? 100.0 * static_cast<double>(seen.total.count()) /
                                            static_cast<double>(r.committed_total.count())
                                      : 0.0;
        std::printf(
            "%-7s %-16s %-20s %9.3f %9.3f %9llu %8.1f %8llu %10.0f %7.1f %5s\n", "sim",
            where.value().label().c_str(), p->name.c_str(), ms(r.committed.quantile(0.5)),
            ms(r.committed.quantile(0.99)), static_cast<unsigned long long>(r.committed.count()),
            done > 0 ? 100.0 * static_cast<double>(r.aborted) / static_cast<double>(done) : 0.0,
            static_cast<unsigned long long>(r.unknown),
            seconds > 0 ? static_cast<double>(r.committed.count()) / seconds : 0.0, wait_share,
            r.bank_held ? "held" : "BROKE");
        all_held = all_held && r.bank_held;
      }
    }
  }
  std::printf(
      "latencies of committed transactions in ms (virtual time); abort_%%: transactions "
      "certainly not applied; wait_%%: commit wait's share of the committed transactions' time "
      "(spanner's, epsilon 4 ms); bank: every audit summed to the total\n");
  return all_held ? 0 : 1;
}
