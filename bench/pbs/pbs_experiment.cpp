#include "pbs_experiment.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "coact/actors/recording_client.hpp"
#include "coact/actors/replica.capnp.h"
#include "coact/check/recorder.hpp"
#include "coact/check/staleness.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/policies/quorum/deployment.hpp"
#include "coact/runtime/sim/world.hpp"
#include "run_summary.hpp"

namespace coact::bench {
namespace {

namespace quorum = coact::policies::quorum;
using namespace std::chrono_literals;

constexpr const char* replica_datacenter = "replicas";
constexpr const char* coordinator_datacenter = "coordinator";
/// Far beyond any delay of the models (YMMR's slowest parts have means of 357 ms and
/// 46 ms), so that no request misses a replica and no hint is ever replayed.
constexpr duration replica_timeout = 60s;
constexpr duration client_timeout = 150s;
/// Virtual time after which a stage that has not finished fails.
constexpr duration stage_limit = 24h;
constexpr duration slice = 100ms;
/// The coarse ladder's ends, and the fine grid's offsets per decade.
constexpr double ladder_low_ms = 0.01;
constexpr double ladder_high_ms = 10'000;
constexpr int fine_steps_per_decade = 20;
constexpr double target = 0.999;
/// The offset of the reads "at the acknowledgement": 1 ns after it, so that the staleness
/// checker, which counts writes acknowledged strictly before a read, judges them.
constexpr duration at_ack{1};

quorum::level level_of(std::uint32_t count) {
  return count == 1 ? quorum::level::one : count == 2 ? quorum::level::two : quorum::level::three;
}

duration from_ms(double ms) { return duration{std::llround(ms * 1e6)}; }
double ms_of(duration d) { return static_cast<double>(d.count()) / 1e6; }

/// What one stage's actors share. Lives on the stage's stack while its world runs.
struct stage_state {
  quorum::deployment* deployment = nullptr;
  check::recorder* log = nullptr;
  std::uint32_t home = 0;
  quorum::levels levels;
  std::vector<duration> offsets;
  std::int64_t next_process = 0;
  std::uint64_t running = 0;
};

std::unique_ptr<kv::recording_client> recorded_client(stage_state& s) {
  return std::make_unique<kv::recording_client>(s.deployment->make_quorum_client(s.home, s.levels),
                                                *s.log, s.next_process++);
}

task<void> delayed_read(actor_context& self, std::unique_ptr<kv::recording_client> client,
                        std::string key, duration offset, stage_state* s) {
  co_await self.sleep(offset);
  (void)co_await client->get(self, std::move(key));
  --s->running;
}

/// Writes `trials` keys of its own one after the other; from each acknowledgement, one
/// reader per offset.
task<void> writer(actor_context& self, std::uint32_t id, std::uint64_t trials, stage_state* s) {
  auto client = recorded_client(*s);
  for (std::uint64_t t = 0; t < trials; ++t) {
    const std::string key = "w" + std::to_string(id) + "-" + std::to_string(t);
    if (!co_await client->put(self, key, key)) continue;
    // Spawned at the acknowledgement's instant: virtual time stands still until each
    // reader has started its sleep, so each read is invoked exactly `offset` later.
    for (const duration offset : s->offsets) {
      if (self.system().spawn(&delayed_read, recorded_client(*s), key, offset, s)) ++s->running;
    }
  }
  --s->running;
}

/// One stage's history, from a fresh world.
result<check::history> run_stage(std::uint32_t r, std::uint32_t w, const pbs_options& o,
                                 std::uint64_t trials, std::vector<duration> offsets,
                                 std::uint64_t seed) {
  auto net = std::make_shared<net::sim::network>(coact::prng{seed}.split("net"));
  BOOST_OUTCOME_TRY(net->set_defaults(
      net::sim::pbs_link(o.delays.delays, capnp::typeId<kv::proto::ReplicaWrite>())));
  kv::topology nodes;
  for (std::uint32_t i = 0; i < o.replica_count; ++i) {
    nodes.replicas.push_back({i, "r" + std::to_string(i), replica_datacenter});
  }
  const std::uint32_t home = o.replica_count;
  nodes.replicas.push_back({home, "coordinator", coordinator_datacenter});
  // Declared before the world, which stops its nodes when it goes: the policy's actors
  // and the trials refer to these until then.
  BOOST_OUTCOME_TRY(auto deployment,
                    quorum::deploy(nodes, {.factors = {{replica_datacenter, o.replica_count}},
                                           .defaults = {level_of(r), level_of(w)},
                                           .read_repair = false,
                                           .replica_timeout = replica_timeout,
                                           .client_timeout = client_timeout}));
  std::optional<check::recorder> log;
  stage_state state{.deployment = deployment.get(),
                    .home = home,
                    .levels = {level_of(r), level_of(w)},
                    .offsets = std::move(offsets)};
  coact::sim::world world{seed, net};
  world.set_fault_injection(false);
  state.log = &log.emplace(world.true_clock());
  for (const kv::member& m : nodes.replicas) {
    world.add_node({.name = m.name, .datacenter = m.datacenter}, [&](actor_system& system,
                                                                     coact::sim::node_id n) {
      deployment->boot(system, n);
      if (n != home) return;
      for (std::uint32_t id = 0; id < o.writers; ++id) {
        // Trials split as evenly as they go.
        const std::uint64_t share = trials / o.writers + (id < trials % o.writers ? 1 : 0);
        if (system.spawn(&writer, id, share, &state)) ++state.running;
      }
    });
  }
  const time_point limit = world.now() + stage_limit;
  while (state.running > 0) {
    if (world.now() >= limit) return errc::timeout;
    world.run_until(std::min(limit, world.now() + slice));
  }
  return log->snapshot();
}

/// The reads of `h` by their offset from the acknowledgement of the write they follow.
result<std::map<std::int64_t, visibility_sample>> visibility_of(const check::history& h) {
  BOOST_OUTCOME_TRY(auto report, check::measure_staleness(h, {.delays_ns = {0}}));
  std::map<std::int64_t, visibility_sample> by_offset;
  for (const check::read_staleness& read : report.reads) {
    if (!read.latest) continue;  // a read of a write that was not acknowledged: none here
    const std::int64_t offset_ns = read.read.invoke_ns - read.latest->complete_ns;
    visibility_sample& s = by_offset[offset_ns];
    s.offset_ms = static_cast<double>(offset_ns) / 1e6;
    ++s.reads;
    if (!read.stale()) ++s.fresh;
  }
  return by_offset;
}

/// The smallest offset at which the probability, fitted as a non-decreasing function of
/// the offset (isotonic regression by pooling adjacent violators, each offset weighted by
/// its reads), reaches the target; nothing if it never does. The fit uses every offset's
/// reads, so sampling noise near the target does not move the crossing as far as a raw
/// first crossing would.
std::optional<double> crossing(const std::map<std::int64_t, visibility_sample>& curve) {
  struct block {
    double first_offset_ms;
    double fresh;
    double reads;
  };
  std::vector<block> blocks;
  for (const auto& [offset, s] : curve) {
    if (s.reads == 0) continue;
    blocks.push_back({s.offset_ms, static_cast<double>(s.fresh), static_cast<double>(s.reads)});
    // Merge while the last block's probability falls below the one before it.
    while (blocks.size() >= 2) {
      block& last = blocks.back();
      block& before = blocks[blocks.size() - 2];
      if (before.fresh / before.reads <= last.fresh / last.reads) break;
      before.fresh += last.fresh;
      before.reads += last.reads;
      blocks.pop_back();
    }
  }
  for (const block& b : blocks) {
    if (b.fresh / b.reads >= target) return b.first_offset_ms;
  }
  return std::nullopt;
}

std::vector<duration> coarse_offsets() {
  std::vector<duration> out{at_ack};
  for (double decade = ladder_low_ms; decade < ladder_high_ms; decade *= 10) {
    for (const double m : {1.0, 2.0, 5.0}) out.push_back(from_ms(m * decade));
  }
  out.push_back(from_ms(ladder_high_ms));
  return out;
}

/// At the acknowledgement, then fine steps from `low_ms` to `high_ms`.
std::vector<duration> fine_offsets(double low_ms, double high_ms) {
  std::vector<duration> out{at_ack};
  const double step = std::pow(10.0, 1.0 / fine_steps_per_decade);
  for (double ms = low_ms; ms <= high_ms * (1 + 1e-9); ms *= step) out.push_back(from_ms(ms));
  return out;
}

}  // namespace

result<pbs_measurement> measure_pbs(std::uint32_t r, std::uint32_t w, const pbs_options& o) {
  if (o.replica_count < 1 || o.replica_count > 3 || r < 1 || w < 1 || r > o.replica_count ||
      w > o.replica_count || o.writers == 0 || o.coarse_trials == 0) {
    return errc::invalid_argument;
  }
  pbs_measurement m{.r = r, .w = w};
  std::vector<double> write_latencies;
  std::vector<double> read_latencies;
  std::map<std::int64_t, visibility_sample> curve;
  const auto absorb =
      [&](const check::history& h) -> result<std::map<std::int64_t, visibility_sample>> {
    BOOST_OUTCOME_TRY(auto ops, check::pair_operations(h));
    for (const check::operation& op : ops) {
      const bool read = op.f == check::op_kind::read;
      ++(read ? m.reads : m.writes);
      if (op.outcome != check::event_type::ok) {
        ++m.failed;
        continue;
      }
      (read ? read_latencies : write_latencies)
          .push_back(static_cast<double>(op.complete_ns - op.invoke_ns) / 1e6);
    }
    return visibility_of(h);
  };

  // Both stages sample the same curve: reads at one offset add up.
  const auto add = [&](const std::map<std::int64_t, visibility_sample>& stage) {
    for (const auto& [offset, s] : stage) {
      visibility_sample& c = curve[offset];
      c.offset_ms = s.offset_ms;
      c.reads += s.reads;
      c.fresh += s.fresh;
    }
  };
  BOOST_OUTCOME_TRY(auto coarse_history,
                    run_stage(r, w, o, o.coarse_trials, coarse_offsets(), o.seed));
  BOOST_OUTCOME_TRY(auto coarse, absorb(coarse_history));
  coarse_history.clear();
  add(coarse);
  const auto coarse_crossed = crossing(coarse);
  if (coarse_crossed && *coarse_crossed > ms_of(at_ack) && o.fine_trials > 0) {
    // From the coarse offset below the crossing to a ladder step beyond it (a coarse stage
    // of few trials may cross early).
    const auto at = coarse.find(std::llround(*coarse_crossed * 1e6));
    const double below_ms = std::prev(at)->second.offset_ms;
    const double low_ms = below_ms <= ms_of(at_ack) ? ladder_low_ms / 10 : below_ms;
    BOOST_OUTCOME_TRY(
        auto fine_history,
        run_stage(r, w, o, o.fine_trials, fine_offsets(low_ms, 2.5 * *coarse_crossed), o.seed + 1));
    BOOST_OUTCOME_TRY(auto fine, absorb(fine_history));
    add(fine);
  }
  m.at_commit = curve[at_ack.count()];
  if (const auto crossed = crossing(curve)) {
    // Consistent from the acknowledgement on: a t-visibility of 0.
    m.t_visibility_999_ms = *crossed <= ms_of(at_ack) ? 0 : *crossed;
    m.t_visibility_found = true;
  }
  for (auto& [offset, s] : curve) m.curve.push_back(s);
  m.write_p999_ms = quantile(write_latencies, 0.999);
  m.read_p999_ms = quantile(read_latencies, 0.999);
  return m;
}

}  // namespace coact::bench
