#pragma once

// How the strong family enters workload scenarios in its tests: its deployment with timers
// for the simulator, the elections it reports, clients whose errors and requests are
// counted, random replica crashes, running until every client is done, and the seeds.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "coact/check/linearizability.hpp"
#include "coact/policies/strong/deployment.hpp"
#include "coact/policies/strong/raft_client.hpp"
#include "coact/workload/simulation.hpp"
#include "sim_seeds.hpp"

namespace strong_test {

namespace strong = coact::policies::strong;
namespace workload = coact::workload;
namespace nsim = coact::net::sim;
namespace sim = coact::sim;
using namespace std::chrono_literals;
using coact::time_point;
using coact::test::seeds;

inline std::string rerun_hint(std::uint64_t seed) {
  return coact::test::rerun_hint(seed, "build/dev/tests/policies/strong/strong_tests");
}

/// Timers scaled to the simulated network's sub-millisecond delays.
inline strong::options test_policy() {
  return {
      .timing = {.election_timeout_min = 10ms,
                 .election_timeout_max = 20ms,
                 .heartbeat_period = 3ms},
      .client = {.attempts_max = 8,
                 .attempt_timeout = 25ms,
                 .deadline = 150ms,
                 .retry_backoff = 4ms},
  };
}

/// An election won, as the policy's observer reported it.
struct election {
  time_point at;
  sim::node_id node;
  std::uint64_t term;
};

using elections = std::vector<election>;

/// Deploys the policy with `o`, its replicas durable on their simulated disks, each
/// election won appended to `*won` (which must outlive the simulation).
inline workload::deploy_function deploy(strong::options o, elections* won) {
  return [o, won](sim::world& w, const coact::kv::topology& nodes)
             -> coact::result<std::unique_ptr<coact::kv::deployment>> {
    strong::options with = o;
    with.seed = w.seed();
    with.storage = coact::kv::simulated_disks(w);
    with.on_leader = [&w, won](std::uint32_t node, std::uint64_t term) {
      won->push_back({.at = w.now(), .node = node, .term = term});
    };
    return strong::deploy(nodes, std::move(with));
  };
}

/// The node that won the latest election, if any.
inline std::optional<sim::node_id> leader(const elections& won) {
  if (won.empty()) return std::nullopt;
  return won.back().node;
}

/// What one client saw beyond the history: its errors by code, and the requests its
/// raft_client had sent by its last answer (the client itself ends with its work).
struct client_count {
  std::map<std::error_code, int> errors;
  std::uint64_t requests_sent = 0;
};

/// Each client's counts, in the order the clients were made.
struct client_counts {
  std::deque<client_count> each;

  [[nodiscard]] std::uint64_t requests_sent() const {
    std::uint64_t sent = 0;
    for (const auto& c : each) sent += c.requests_sent;
    return sent;
  }
};

/// A raft_client counted in `*out` after each answer.
class counted_client final : public coact::kv::client {
 public:
  counted_client(std::unique_ptr<coact::kv::client> inner, client_count* out)
      : inner_(std::move(inner)), raft_(&dynamic_cast<const strong::raft_client&>(*inner_)),
        out_(out) {}

  coact::task<coact::result<coact::kv::read_result>> get(coact::actor_context& self,
                                                         std::string key) override {
    co_return count(co_await inner_->get(self, std::move(key)));
  }
  coact::task<coact::result<coact::kv::write_result>> put(coact::actor_context& self,
                                                          std::string key,
                                                          std::string value) override {
    co_return count(co_await inner_->put(self, std::move(key), std::move(value)));
  }
  coact::task<coact::result<coact::kv::write_result>> cas(coact::actor_context& self,
                                                          std::string key,
                                                          std::optional<std::string> expected,
                                                          std::string value) override {
    co_return count(
        co_await inner_->cas(self, std::move(key), std::move(expected), std::move(value)));
  }
  [[nodiscard]] std::string name() const override { return inner_->name(); }

 private:
  template <class Result>
  Result count(Result r) {
    if (!r) ++out_->errors[r.error()];
    out_->requests_sent = raft_->requests_sent();
    return r;
  }

  std::unique_ptr<coact::kv::client> inner_;
  const strong::raft_client* raft_;
  client_count* out_;
};

/// Each client's work: `operations` requests, a share `get` of them gets, `cas` cases
/// (each a get, then a cas expecting what it returned), the rest puts, on `keys` keys chosen
/// uniformly, each after a pause of up to `think_max`; counted in `*counts` (which must outlive the
/// simulation).
inline workload::work mix(client_counts* counts, std::uint32_t operations,
                          coact::duration think_max = 3ms, double get = 0.4, double cas = 0.25,
                          std::uint64_t keys = 3) {
  return {.requests = {.read = get,
                       .update = 1 - get - cas,
                       .distribution = workload::request_distribution::uniform,
                       .compare_and_set = cas},
          .record_count = keys,
          .operations = operations,
          .think_max = think_max,
          .make_client = [counts](coact::kv::deployment& d, sim::node_id home) {
            counts->each.emplace_back();
            return std::unique_ptr<coact::kv::client>{
                std::make_unique<counted_client>(d.make_client(home), &counts->each.back())};
          }};
}

/// Replica crashes at random from `seed`: exponential gaps of mean `mean_between` from
/// 30 ms until `until`, each replica of `replicas` restarted 10-100 ms later, with what it
/// synced. A replica already down is left down.
inline workload::nemesis random_crashes(workload::nemesis faults, std::uint64_t seed,
                                        std::size_t replicas, coact::duration mean_between,
                                        time_point until) {
  coact::prng random = coact::prng{seed}.split("crashes");
  const double mean_ns = static_cast<double>(mean_between.count());
  std::vector<time_point> up_at(replicas);
  time_point t{30ms};
  for (;;) {
    t = t + coact::duration{static_cast<std::int64_t>(random.exponential(1.0 / mean_ns))};
    if (t >= until) break;
    const auto node = static_cast<sim::node_id>(random.below(replicas));
    const coact::duration down{random.between(10'000'000, 100'000'000)};
    if (t <= up_at[node]) continue;
    faults.crash(t, down, node);
    up_at[node] = t + down;
  }
  return faults;
}

/// Runs `s` until its `clients` started clients are done, or virtual time `limit`; whether
/// they all are.
inline bool run_until_done(workload::simulation& s, std::size_t clients,
                           time_point limit = time_point{20s}) {
  while (s.clients_done() < clients && s.world().now() < limit) s.run_for(10ms);
  return s.clients_done() == clients;
}

inline bool linearizable(const coact::check::history& h) {
  auto report = coact::check::check_linearizability(h);
  REQUIRE(report);
  INFO(report.value().explanation);
  REQUIRE(report.value().outcome != coact::check::verdict::unknown);
  return report.value().outcome == coact::check::verdict::linearizable;
}

}  // namespace strong_test
