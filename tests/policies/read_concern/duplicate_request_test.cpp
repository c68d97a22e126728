// The read-concern replica set on a network that duplicates messages: a client's write
// request delivered twice is applied once, so w:majority writes keep linearizability (with
// linearizable reads) and the session guarantees (with majority reads). Seeds print on
// failure and replay exactly with COACT_SIM_SEED.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

#include "coact/actors/log_storage.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/check/session_guarantees.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/policies/read_concern/read_concern.capnp.h"
#include "coact/runtime/sim/world.hpp"
#include "replica_set.hpp"

using namespace std::chrono_literals;
namespace check = coact::check;
namespace kv = coact::kv;
namespace nsim = coact::net::sim;
namespace proto = coact::policies::read_concern::proto;
namespace rc = coact::policies::read_concern;
namespace rt = coact::test::read_concern;
namespace sim = coact::sim;
using coact::actor_context;
using coact::task;

namespace {

rt::session_plan session(rc::read_level read, rc::read_preference preference) {
  return {.options = {.read = read, .write = rc::write_level::majority, .preference = preference}};
}

}  // namespace

// Proves that duplicated requests do not break linearizability: linearizable reads and
// w:majority writes (and cas) stay linearizable in every seed while the network delivers
// one message in ten twice, on top of partitions, loss, reordering and the primary crashed,
// paused and cut off.
SCENARIO("linearizable reads with majority writes stay linearizable when requests duplicate",
         "[read_concern][sim][duplication]") {
  GIVEN("four linearizable sessions with cas, under faults, on a duplicating network") {
    rt::scenario s;
    for (int i = 0; i < 4; ++i) {
      s.sessions.push_back(session(rc::read_level::linearizable, rc::read_preference::primary));
    }
    s.duplication = 0.1;
    s.cas_share = 0.3;
    s.keys = 2;
    s.crash_primary_at = {400ms, 1000ms};
    s.cut_primary_at = {700ms};
    s.pause_primary_at = {250ms, 850ms};
    THEN("every seed's history is linearizable") {
      std::uint64_t duplicated = 0;
      for (const std::uint64_t seed : rt::seeds(20)) {
        INFO(rt::rerun_hint(seed));
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        rt::check_linearizable(out.history);
        CHECK(out.network.duplicated > 0);
        duplicated += out.network.duplicated;
      }
      WARN("linearizable/majority on a duplicating network: " << duplicated
                                                              << " messages delivered twice");
    }
  }
}

// Proves that duplicated requests do not break the session guarantees of majority/majority
// causal sessions reading from secondaries while the primary crashes and fails over.
SCENARIO("majority/majority sessions keep their guarantees when requests duplicate",
         "[read_concern][sim][duplication]") {
  GIVEN("four majority sessions reading from secondaries, under faults, on a duplicating network") {
    rt::scenario s;
    s.sessions = {
        session(rc::read_level::majority, rc::read_preference::secondary),
        session(rc::read_level::majority, rc::read_preference::secondary),
        session(rc::read_level::majority, rc::read_preference::nearest),
        session(rc::read_level::majority, rc::read_preference::primary),
    };
    s.duplication = 0.1;
    // One message in ten takes 20 ms on average: a second copy can arrive after the
    // session's next write.
    s.delay =
        nsim::delay_distribution::mixture(
            {{.weight = 0.9, .distribution = nsim::delay_distribution::lnkd_ssd()},
             {.weight = 0.1, .distribution = nsim::delay_distribution::exponential(0.05).value()}})
            .value();
    s.keys = 2;
    s.crash_primary_at = {400ms, 1000ms};
    s.cut_primary_at = {700ms};
    THEN("no session guarantee is broken in any seed") {
      std::size_t reads = 0;
      for (const std::uint64_t seed : rt::seeds(20)) {
        INFO(rt::rerun_hint(seed));
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        const auto report = rt::check_sessions(out.history);
        CHECK(out.network.duplicated > 0);
        reads += report.read_count;
      }
      CHECK(reads > 0);
    }
  }
}

namespace {

/// What the direct test's client saw.
struct duplicate_run {
  const rc::deployment* set = nullptr;
  kv::client* other = nullptr;   // another client's session
  kv::client* reader = nullptr;  // a linearizable session
  std::optional<std::uint64_t> first_version;
  std::optional<std::uint64_t> duplicate_version;
  std::optional<std::string> read_after_duplicate;
  bool later_write_ok = false;
  std::optional<proto::Status> stale_copy_status;
  std::optional<std::string> read_after_stale_copy;
};

/// The request a client with id `client` sends as its write number `sequence`.
coact::message<proto::ClientWrite> write_request(const std::string& key, const std::string& value,
                                                 std::uint64_t client, std::uint64_t sequence) {
  coact::message<proto::ClientWrite> m;
  m->setKey(key);
  m->setValue(value);
  m->setConcern(proto::WriteConcern::MAJORITY);
  m->setWaitMs(200);
  m->setClient(client);
  m->setSequence(sequence);
  return m;
}

/// Asks the primary of the moment with `m`; the reply's status and version, if it answered.
task<std::optional<std::pair<proto::Status, std::uint64_t>>> ask_primary(
    actor_context& self, const rc::deployment& set, coact::message<proto::ClientWrite> m) {
  std::optional<std::uint32_t> primary;
  std::uint64_t term = 0;
  for (std::uint32_t n = 0; n < 3; ++n) {
    const auto status = set.status().get(n);
    if (status && status->role == rc::member_role::primary && status->term >= term) {
      primary = n;
      term = status->term;
    }
  }
  if (!primary) co_return std::nullopt;
  auto reply = co_await self.ask<proto::ClientReply>(
      set.directory().get(*primary, rc::member_directory_role), std::move(m), 300ms);
  if (!reply) co_return std::nullopt;
  const auto r = reply.value().get<proto::ClientReply>();
  co_return std::pair{r.getStatus(), r.getVersion().getIndex()};
}

task<void> duplicate_client(actor_context& self, duplicate_run* run) {
  constexpr std::uint64_t client = 1000;  // above every session id the deployment hands out
  co_await self.sleep(300ms);             // an elected primary
  if (auto a = co_await ask_primary(self, *run->set, write_request("k", "first", client, 1))) {
    if (a->first == proto::Status::OK) run->first_version = a->second;
  }
  (void)co_await run->other->put(self, "k", "second");
  // The network's second copy of the first request, after the other client's write.
  if (auto a = co_await ask_primary(self, *run->set, write_request("k", "first", client, 1))) {
    if (a->first == proto::Status::OK) run->duplicate_version = a->second;
  }
  if (auto r = co_await run->reader->get(self, "k")) run->read_after_duplicate = r.value().value;
  // The client's next write, then a late copy of its first one.
  if (auto a = co_await ask_primary(self, *run->set, write_request("k", "third", client, 2))) {
    run->later_write_ok = a->first == proto::Status::OK;
  }
  if (auto a = co_await ask_primary(self, *run->set, write_request("k", "first", client, 1))) {
    run->stale_copy_status = a->first;
  }
  if (auto r = co_await run->reader->get(self, "k")) run->read_after_stale_copy = r.value().value;
}

}  // namespace

// Proves, without randomness in the outcome, that a primary applies a write request once
// however often it is delivered: a put delivered twice, with another client's put to the
// same key between the two deliveries, is answered the first time's version the second
// time and leaves the later put in place for a linearizable read; a copy that arrives after
// the client's next write changes nothing either.
SCENARIO("a write request delivered twice is applied once", "[read_concern][duplication]") {
  GIVEN("a replica set on 1 ms links without faults, and a client that sends one put twice") {
    auto network = std::make_shared<nsim::network>(coact::prng{7}.split("net"));
    REQUIRE(network->set_defaults({.delay = nsim::delay_distribution::constant(1.0).value()}));
    auto world = std::make_unique<sim::world>(7, network);
    sim::world& w = *world;
    kv::topology topology;
    for (std::uint32_t n = 0; n < 3; ++n) {
      topology.replicas.push_back({.node = n, .name = "m" + std::to_string(n), .datacenter = "dc"});
    }
    rc::options opts;
    opts.seed = 7;
    opts.storage = kv::simulated_disks(w);
    auto deployed = rc::deploy(topology, opts);
    REQUIRE(deployed);
    rc::deployment& d = *deployed.value();
    for (std::uint32_t n = 0; n < 3; ++n) {
      w.add_node({.name = "m" + std::to_string(n), .datacenter = "dc"},
                 [&d](coact::actor_system& system, sim::node_id node) { d.boot(system, node); });
    }
    auto other = d.make_client(3);
    auto reader = d.make_client(3, {.read = rc::read_level::linearizable});
    duplicate_run run{.set = &d, .other = other.get(), .reader = reader.get()};
    w.add_node({.name = "client", .datacenter = "dc"},
               [&run](coact::actor_system& system, sim::node_id) {
                 (void)system.spawn(&duplicate_client, &run);
               });
    w.run_until(coact::time_point{2000ms});
    world.reset();

    THEN("the second delivery gets the first answer and changes nothing") {
      REQUIRE(run.first_version);
      CHECK(run.duplicate_version == run.first_version);
      CHECK(run.read_after_duplicate == std::optional<std::string>{"second"});
      REQUIRE(run.later_write_ok);
      REQUIRE(run.stale_copy_status);
      CHECK(*run.stale_copy_status != proto::Status::OK);
      CHECK(run.read_after_stale_copy == std::optional<std::string>{"third"});
    }
  }
}
