// The read-concern replica set on a network that duplicates messages: a client's write
// request delivered twice is applied once, so w:majority writes keep linearizability (with
// linearizable reads) and the session guarantees (with majority reads). Seeds print on
// failure and replay exactly with COACT_SIM_SEED.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

#include "coact/policies/read_concern/read_concern.capnp.h"
#include "family.hpp"

using namespace read_concern_test;
namespace proto = rc::proto;
using coact::actor_context;
using coact::task;

// Proves that duplicated requests do not break linearizability: linearizable reads and
// w:majority writes (and cas) stay linearizable in every seed while the network delivers
// one message in ten twice, on top of partitions, loss, reordering and the primary crashed,
// paused and cut off.
SCENARIO("linearizable reads with majority writes stay linearizable when requests duplicate",
         "[read_concern][sim][duplication]") {
  GIVEN("four linearizable sessions with cas, under faults, on a duplicating network") {
    const auto sessions = same(4, concerns(rc::read_level::linearizable, rc::write_level::majority,
                                           rc::read_preference::primary));
    auto sc = replica_set(sessions);
    sc.nodes.links = lnkd_links(0.02, 0.1);
    sc.work = work(sessions, 0.5, 0.3, 80, 2);
    const primary_faults faults{
        .crash_at = {400ms, 1000ms}, .cut_at = {700ms}, .pause_at = {250ms, 850ms}};
    THEN("every seed's history is linearizable") {
      std::uint64_t duplicated = 0;
      for (const std::uint64_t seed : seeds(20)) {
        INFO(rerun_hint(seed));
        const auto out = run(sc, faults, seed);
        check_linearizable(out.report.history);
        // Needed: duplicates, which this scenario is about.
        CHECK(out.report.network.duplicated > 0);
        duplicated += out.report.network.duplicated;
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
    const auto at = [](rc::read_preference preference) {
      return concerns(rc::read_level::majority, rc::write_level::majority, preference);
    };
    const std::vector sessions{at(rc::read_preference::secondary),
                               at(rc::read_preference::secondary), at(rc::read_preference::nearest),
                               at(rc::read_preference::primary)};
    auto sc = replica_set(sessions);
    // One message in ten takes 20 ms on average: a second copy can arrive after the
    // session's next write.
    sc.nodes.links = lnkd_links(0.02, 0.1);
    sc.nodes.links.delay =
        nsim::delay_distribution::mixture(
            {{.weight = 0.9, .distribution = nsim::delay_distribution::lnkd_ssd()},
             {.weight = 0.1, .distribution = nsim::delay_distribution::exponential(0.05).value()}})
            .value();
    sc.work = work(sessions, 0.5, 0, 80, 2);
    const primary_faults faults{.crash_at = {400ms, 1000ms}, .cut_at = {700ms}};
    THEN("no session guarantee is broken in any seed") {
      std::size_t reads = 0;
      for (const std::uint64_t seed : seeds(20)) {
        INFO(rerun_hint(seed));
        const auto out = run(sc, faults, seed);
        const auto report = check_sessions(out.report.history);
        // Needed: duplicates, which this scenario is about.
        CHECK(out.report.network.duplicated > 0);
        reads += report.read_count;
      }
      // Needed: reads to check.
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
    const workload::scenario sc{
        .deploy = deploy({}),
        .nodes = nodes(1, {.delay = nsim::delay_distribution::constant(1.0).value()}),
        .length = 2000ms};
    auto made = workload::simulation::make(sc, 7);
    REQUIRE(made);
    workload::simulation& s = *made.value();
    auto other = policy(s).make_client(s.client(0));
    auto reader = policy(s).make_client(s.client(0), {.read = rc::read_level::linearizable});
    duplicate_run run{.set = &policy(s), .other = other.get(), .reader = reader.get()};
    REQUIRE(s.world().system(s.client(0))->spawn(&duplicate_client, &run));
    s.run_for(sc.length);
    made.value().reset();

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
