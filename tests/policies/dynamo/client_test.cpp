// The dynamo client and replicas without random faults: writes get the partition's write
// sequence as their version, cas decides against the value at the leader, replicas
// other than the leader redirect to it, and a leader cut off from its partition stops
// answering consistent reads while its eventually consistent reads go on, stale.
#include "coact/policies/dynamo/client.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

#include "coact/actors/kv_errc.hpp"
#include "coact/actors/replication/command.hpp"
#include "coact/net/sim/network.hpp"
#include "coact/policies/dynamo/deployment.hpp"
#include "coact/policies/dynamo/dynamo.capnp.h"
#include "coact/policies/dynamo/partition_replica.hpp"
#include "coact/policies/dynamo/replica_status.hpp"
#include "coact/runtime/sim/world.hpp"

using namespace std::chrono_literals;
using coact::actor_context;
using coact::task;
using coact::time_point;
namespace dynamo = coact::policies::dynamo;
namespace kv = coact::kv;
namespace nsim = coact::net::sim;
namespace proto = coact::policies::dynamo::proto;
namespace sim = coact::sim;

namespace {

constexpr std::uint32_t replica_count = 3;
constexpr sim::node_id client_node = replica_count;

/// Three replica nodes and one client node on a 1 ms network, the policy booted.
struct small_cluster {
  std::shared_ptr<nsim::network> network =
      std::make_shared<nsim::network>(coact::prng{7}.split("net"));
  std::unique_ptr<sim::world> world = std::make_unique<sim::world>(7, network);
  std::unique_ptr<dynamo::deployment> policy;

  small_cluster() {
    kv::topology t;
    for (std::uint32_t n = 0; n < replica_count; ++n)
      t.replicas.push_back({n, "r" + std::to_string(n), ""});
    dynamo::options o;
    o.partition_count = 1;
    o.storage = [this](std::uint32_t node, const std::string& file) {
      return kv::sim_file(world->disk(node), file);
    };
    policy = dynamo::deploy(t, o).value();
    for (std::uint32_t n = 0; n < replica_count; ++n) {
      world->add_node({.name = "r" + std::to_string(n)},
                      [this](coact::actor_system& s, sim::node_id node) { policy->boot(s, node); });
    }
    world->add_node({.name = "client"}, nullptr);
  }
  small_cluster(const small_cluster&) = delete;
  small_cluster& operator=(const small_cluster&) = delete;
  ~small_cluster() { world.reset(); }

  template <class F, class... Args>
  void spawn_on(sim::node_id node, F&& body, Args&&... args) {
    REQUIRE(world->system(node)->spawn(std::forward<F>(body), std::forward<Args>(args)...));
  }
};

/// The node that leads partition 0, as its replicas report it (asked from `self`).
task<std::optional<std::uint32_t>> leader_of(actor_context& self,
                                             const dynamo::deployment* policy) {
  for (std::uint32_t node = 0; node < replica_count; ++node) {
    auto s = co_await dynamo::query_status(
        self, policy->directory().get(node, dynamo::directory_role(0)), 50ms);
    if (s && s.value().role == dynamo::replica_role::leader) co_return node;
  }
  co_return std::nullopt;
}

struct basics {
  bool done = false;
  kv::version first;
  std::optional<kv::read_result> consistent;
  std::optional<kv::write_result> wrong_cas;
  std::optional<kv::write_result> right_cas;
  std::optional<kv::write_result> fresh_cas;
  std::vector<std::optional<std::string>> at_replicas;
  std::error_code outside;
};

task<void> run_basics(actor_context& self, dynamo::deployment* policy, basics* out) {
  auto c = policy->connect(client_node, {});
  co_await self.sleep(500ms);
  auto w = co_await c->put(self, "k", "v1");
  REQUIRE(w);
  out->first = w.value().version;
  auto r = co_await c->get(self, "k", true);
  if (r) out->consistent = r.value();
  auto wrong = co_await c->cas(self, "k", "v0", "never");
  if (wrong) out->wrong_cas = wrong.value();
  auto right = co_await c->cas(self, "k", "v1", "v2");
  if (right) out->right_cas = right.value();
  auto fresh = co_await c->cas(self, "fresh", std::nullopt, "x");
  if (fresh) out->fresh_cas = fresh.value();
  co_await self.sleep(50ms);
  for (std::uint32_t node = 0; node < replica_count; ++node) {
    auto at = co_await c->get_from(self, "k", node);
    out->at_replicas.push_back(at ? at.value().value : std::optional<std::string>{"<error>"});
  }
  auto elsewhere = co_await c->get_from(self, "k", client_node);
  out->outside = elsewhere ? std::error_code{} : elsewhere.error();
  out->done = true;
}

/// A put request as a client with id `client` sends its write number `sequence`.
coact::message<proto::Write> put_request(const std::string& key, const std::string& value,
                                         std::uint64_t client, std::uint64_t sequence) {
  coact::message<proto::Write> put;
  coact::replication::write_command(put->initCommand(),
                                    {.what = coact::replication::command::kind::put,
                                     .client = client,
                                     .sequence = sequence,
                                     .key = key,
                                     .value = value});
  return put;
}

struct redirects {
  bool done = false;
  std::optional<std::uint32_t> leader;
  proto::Outcome put_outcome = proto::Outcome::OK;
  proto::Outcome get_outcome = proto::Outcome::OK;
  std::int64_t put_hint = -2;
};

task<void> run_redirects(actor_context& self, dynamo::deployment* policy, redirects* out) {
  co_await self.sleep(500ms);
  out->leader = co_await leader_of(self, policy);
  if (!out->leader) co_return;
  const std::uint32_t follower = (*out->leader + 1) % replica_count;
  const auto ref = policy->directory().get(follower, dynamo::directory_role(0));
  auto p = co_await self.ask<proto::Answer>(ref, put_request("k", "v", 0, 0), 50ms);
  REQUIRE(p);
  out->put_outcome = p.value().get<proto::Answer>().getOutcome();
  out->put_hint = p.value().get<proto::Answer>().getLeaderHint();
  coact::message<proto::Get> get;
  get->setKey("k");
  get->setConsistent(true);
  auto g = co_await self.ask<proto::Answer>(ref, std::move(get), 50ms);
  REQUIRE(g);
  out->get_outcome = g.value().get<proto::Answer>().getOutcome();
  out->done = true;
}

/// What the cut-off leader's own node saw of its replica.
struct cut_off {
  bool done = false;
  std::optional<proto::Outcome> consistent;  // empty: no answer within the deadline
  std::optional<std::string> eventual;
};

task<void> read_locally(actor_context& self, dynamo::deployment* policy, std::uint32_t node,
                        cut_off* out) {
  const auto ref = policy->directory().get(node, dynamo::directory_role(0));
  coact::message<proto::Get> get;
  get->setKey("k");
  get->setConsistent(true);
  auto g = co_await self.ask<proto::Answer>(ref, std::move(get), 600ms);
  if (g) out->consistent = g.value().get<proto::Answer>().getOutcome();
  coact::message<proto::Get> eventual;
  eventual->setKey("k");
  auto e = co_await self.ask<proto::Answer>(ref, std::move(eventual), 50ms);
  if (e && e.value().get<proto::Answer>().getOutcome() == proto::Outcome::OK) {
    out->eventual = std::string{e.value().get<proto::Answer>().getValue().cStr()};
  }
  out->done = true;
}

struct majority_side {
  bool wrote = false;
  std::optional<std::string> read_after;
  std::optional<std::uint32_t> leader;
};

/// Writes `value` (trying again after an error: while the partition elects a leader, every
/// attempt of one put can fail), reads it back consistently and looks for the leader.
task<void> write_on_majority_side(actor_context& self, dynamo::deployment* policy,
                                  std::string value, majority_side* out) {
  auto c = policy->connect(client_node, {.consistent_read = true});
  if (self.now() < time_point{500ms}) co_await self.sleep(time_point{500ms} - self.now());
  for (int attempt = 0; attempt < 5 && !out->wrote; ++attempt) {
    out->wrote = (co_await c->put(self, "k", value)).has_value();
  }
  auto r = co_await c->get(self, "k");
  if (r) out->read_after = r.value().value;
  out->leader = co_await leader_of(self, policy);
}

/// The id of the client that run_duplicate plays: on no node, so no deployment's client
/// has it.
constexpr std::uint64_t raw_client = 0xffff'ffff'0000'0001U;

struct duplicate {
  bool done = false;
  std::optional<proto::Outcome> first;
  kv::version first_version;
  std::optional<kv::write_result> between;
  std::optional<proto::Outcome> second;
  kv::version second_version;
  std::optional<kv::read_result> read_after;
};

/// One put delivered twice to the leader, as a duplicating network would deliver it,
/// with another client's put to the same key between the two deliveries; then a
/// consistent read.
task<void> run_duplicate(actor_context& self, dynamo::deployment* policy, duplicate* out) {
  co_await self.sleep(500ms);
  const auto leader = co_await leader_of(self, policy);
  REQUIRE(leader);
  const auto ref = policy->directory().get(*leader, dynamo::directory_role(0));
  auto first = co_await self.ask<proto::Answer>(ref, put_request("k", "once", raw_client, 1), 50ms);
  REQUIRE(first);
  out->first = first.value().get<proto::Answer>().getOutcome();
  out->first_version = {.counter = first.value().get<proto::Answer>().getVersion().getCounter()};
  auto other = policy->connect(client_node, {.consistent_read = true});
  auto between = co_await other->put(self, "k", "later");
  if (between) out->between = between.value();
  auto second =
      co_await self.ask<proto::Answer>(ref, put_request("k", "once", raw_client, 1), 50ms);
  if (second) {
    out->second = second.value().get<proto::Answer>().getOutcome();
    out->second_version = {.counter =
                               second.value().get<proto::Answer>().getVersion().getCounter()};
  }
  auto read = co_await other->get(self, "k");
  if (read) out->read_after = read.value();
  out->done = true;
}

struct lost_answer {
  bool done = false;
  kv::version before;
  std::optional<kv::write_result> retried;
  std::optional<kv::read_result> read_after;
  std::uint64_t leader_last_seq = 0;
};

/// A put whose answers from the leader are lost for 150 ms, longer than the request
/// timeout: the client sends it again, with the same token, until the leader's answer
/// gets through. Then a consistent read, and the leader's log length.
task<void> run_lost_answer(actor_context& self, small_cluster* cluster, lost_answer* out) {
  // Passed over for less time than the answers are lost: the retries reach the leader.
  auto c =
      cluster->policy->connect(client_node, {.consistent_read = true, .suspect_timeout = 50ms});
  co_await self.sleep(500ms);
  auto before = co_await c->put(self, "k", "v0");
  REQUIRE(before);
  out->before = before.value().version;
  const auto leader = co_await leader_of(self, cluster->policy.get());
  REQUIRE(leader);
  REQUIRE(cluster->network->partition_at(*cluster->world, cluster->world->now(), 150ms,
                                         nsim::partition::one_way(*leader, client_node)));
  auto retried = co_await c->put(self, "k", "v1");
  if (retried) out->retried = retried.value();
  auto read = co_await c->get(self, "k");
  if (read) out->read_after = read.value();
  auto status = co_await dynamo::query_status(
      self, cluster->policy->directory().get(*leader, dynamo::directory_role(0)), 50ms);
  if (status) out->leader_last_seq = status.value().last_seq;
  out->done = true;
}

/// How long each operation took, in virtual time, once the client knows the leader.
struct costs {
  bool done = false;
  coact::duration write{};
  coact::duration cas{};
  coact::duration consistent_read{};
  coact::duration eventual_read{};
  std::string nearest_node;
};

task<void> measure_costs(actor_context& self, dynamo::deployment* policy, costs* out) {
  auto c = policy->connect(client_node, {});
  co_await self.sleep(500ms);
  // Each co_await on its own line: GCC 12 evaluates a co_await inside a Catch macro (or
  // any && or ?:) more than once.
  auto first = co_await c->put(self, "k", "v0");
  REQUIRE(first);
  time_point began = self.now();
  auto put = co_await c->put(self, "k", "v1");
  out->write = self.now() - began;
  began = self.now();
  auto cas = co_await c->cas(self, "k", "v1", "v2");
  out->cas = self.now() - began;
  began = self.now();
  auto consistent = co_await c->get(self, "k", true);
  out->consistent_read = self.now() - began;
  began = self.now();
  auto eventual = co_await c->get(self, "k", false);
  out->eventual_read = self.now() - began;
  REQUIRE((put && cas && consistent && eventual));
  auto near = policy->connect(1, {.eventual_target = dynamo::read_target::nearest});
  auto r = co_await near->get(self, "k");
  if (r) out->nearest_node = r.value().node;
  out->done = true;
}

}  // namespace

// Proves the cost in round trips on a network where every message takes 1 ms: a write, a
// cas and a consistent read take two (client to leader, leader to one replica), an
// eventually consistent read one; and a client that reads nearest reads its own node.
SCENARIO("writes and consistent reads cost two round trips, eventual reads one", "[dynamo][sim]") {
  GIVEN("three replicas of one partition, 1 ms links") {
    small_cluster cluster;
    costs out;
    cluster.spawn_on(client_node, &measure_costs, cluster.policy.get(), &out);
    cluster.world->run_until(time_point{2s});
    REQUIRE(out.done);
    THEN("each operation takes its round trips and nothing more") {
      CHECK(out.write == 4ms);
      CHECK(out.cas == 4ms);
      CHECK(out.consistent_read == 4ms);
      CHECK(out.eventual_read == 2ms);
      CHECK(out.nearest_node == "r1");
    }
  }
}

// Proves versions are the partition's write sequence, consistent reads see the last
// write, cas compares against the leader's value in log order, every replica gets the
// write, and a node outside the partition is refused.
SCENARIO("the client writes, compares and reads a partition", "[dynamo][sim]") {
  GIVEN("three replicas of one partition and a client") {
    small_cluster cluster;
    basics out;
    cluster.spawn_on(client_node, &run_basics, cluster.policy.get(), &out);
    cluster.world->run_until(time_point{3s});
    REQUIRE(out.done);
    THEN("a consistent read returns the put, with its version") {
      REQUIRE(out.consistent);
      CHECK(out.consistent->value == "v1");
      CHECK(out.consistent->version == out.first);
      // The new leader's no-op comes first.
      CHECK(out.first.counter >= 2);
    }
    THEN("a cas matches only the value the key holds") {
      REQUIRE(out.wrong_cas);
      CHECK_FALSE(out.wrong_cas->matched);
      CHECK(out.wrong_cas->version == out.first);
      REQUIRE(out.right_cas);
      CHECK(out.right_cas->matched);
      CHECK(out.right_cas->version.counter > out.first.counter + 1);
      REQUIRE(out.fresh_cas);
      CHECK(out.fresh_cas->matched);
    }
    THEN("every replica serves the last write") {
      CHECK(out.at_replicas == std::vector<std::optional<std::string>>(3, "v2"));
      CHECK(out.outside == kv::kv_errc::unavailable);
    }
  }
}

// Proves a follower refuses writes and consistent reads with not_leader and names the
// leader.
SCENARIO("a follower redirects to the leader", "[dynamo][sim]") {
  GIVEN("an elected partition") {
    small_cluster cluster;
    redirects out;
    cluster.spawn_on(client_node, &run_redirects, cluster.policy.get(), &out);
    cluster.world->run_until(time_point{2s});
    REQUIRE(out.done);
    THEN("the follower answers not_leader with the leader's node") {
      CHECK(out.put_outcome == proto::Outcome::NOT_LEADER);
      CHECK(out.get_outcome == proto::Outcome::NOT_LEADER);
      CHECK(out.put_hint == std::int64_t{*out.leader});
    }
  }
}

// Proves a leader isolated from its partition never answers a consistent read (it cannot
// get the majority confirmation) while the majority elects a new leader and takes writes,
// and that the old leader still answers eventually consistent reads, stale, until healed.
SCENARIO("a cut-off leader stops answering consistent reads", "[dynamo][sim]") {
  GIVEN("the leader of the partition isolated after a first write") {
    small_cluster cluster;
    majority_side before;
    cluster.spawn_on(client_node, &write_on_majority_side, cluster.policy.get(), "old", &before);
    cluster.world->run_until(time_point{1s});
    REQUIRE(before.wrote);
    REQUIRE(before.leader);
    const std::uint32_t old_leader = *before.leader;
    REQUIRE(cluster.network->block(nsim::partition::isolate(old_leader)));

    cut_off local;
    cluster.spawn_on(old_leader, &read_locally, cluster.policy.get(), old_leader, &local);
    majority_side after;
    cluster.spawn_on(client_node, &write_on_majority_side, cluster.policy.get(), "new", &after);
    cluster.world->run_until(time_point{2500ms});
    REQUIRE(local.done);
    THEN("the majority side writes at a new leader and reads its write") {
      CHECK(after.wrote);
      CHECK(after.read_after == "new");
      REQUIRE(after.leader);
      CHECK(*after.leader != old_leader);
    }
    THEN("the old leader gives no consistent answer, and a stale eventual one") {
      CHECK(local.consistent != proto::Outcome::OK);
      CHECK(local.eventual == "old");
    }
  }
}

// Proves a write request delivered twice takes effect once: its second delivery, after
// another client's write to the key, neither brings the older value back nor takes a
// new version, and is answered as the first was.
SCENARIO("a put delivered twice takes effect once", "[dynamo][sim]") {
  GIVEN("a put at the leader, another client's put to its key, then the first put again") {
    small_cluster cluster;
    duplicate out;
    cluster.spawn_on(client_node, &run_duplicate, cluster.policy.get(), &out);
    cluster.world->run_until(time_point{2s});
    REQUIRE(out.done);
    THEN("a consistent read sees the later write, and the copy gets the first answer") {
      CHECK(out.first == proto::Outcome::OK);
      REQUIRE(out.between);
      CHECK(out.between->version.counter > out.first_version.counter);
      REQUIRE(out.read_after);
      CHECK(out.read_after->value == "later");
      CHECK(out.second == proto::Outcome::OK);
      CHECK(out.second_version == out.first_version);
    }
  }
}

// Proves a client sends a write again after its request timed out, with the same token,
// and that the partition applies it once: the write succeeds with the version of its one
// log entry.
SCENARIO("a write whose answer is lost is retried and applied once", "[dynamo][sim]") {
  GIVEN("the leader's answers to the client lost for 150 ms, from a put on") {
    small_cluster cluster;
    lost_answer out;
    cluster.spawn_on(client_node, &run_lost_answer, &cluster, &out);
    cluster.world->run_until(time_point{3s});
    REQUIRE(out.done);
    THEN("the put succeeds, and the log holds it once, right after the write before it") {
      REQUIRE(out.retried);
      CHECK(out.retried->version.counter == out.before.counter + 1);
      REQUIRE(out.read_after);
      CHECK(out.read_after->value == "v1");
      CHECK(out.read_after->version == out.retried->version);
      CHECK(out.leader_last_seq == out.retried->version.counter);
    }
  }
}
