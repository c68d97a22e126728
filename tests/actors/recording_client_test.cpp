// The recording client writes each operation of the client it wraps into a history as
// its documentation says: ok with what was read or written, its version and node; fail
// when the operation certainly did not happen (any failed read, a refused write); info
// when its outcome is unknown (a write that timed out or missed its level).
#include "coact/actors/recording_client.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "coact/actors/kv_errc.hpp"
#include "coact/check/history.hpp"
#include "coact/runtime/sim/world.hpp"

using coact::actor_context;
using coact::result;
using coact::task;
using coact::check::datum;
using coact::check::event_type;
using coact::check::op_kind;
namespace kv = coact::kv;
namespace sim = coact::sim;

namespace {

/// A client that answers each call as told: with `error` if set, else with `read` or
/// `write`. Without `cas_supported` it leaves cas to client's default (unsupported).
class scripted_client final : public kv::client {
 public:
  std::error_code error;
  kv::read_result read;
  kv::write_result write;
  bool cas_supported = true;
  std::vector<std::string> calls;  // "get k", "put k v", "cas k v"

  task<result<kv::read_result>> get(actor_context&, std::string key) override {
    calls.push_back("get " + key);
    if (error) co_return result<kv::read_result>{error};
    co_return read;
  }
  task<result<kv::write_result>> put(actor_context&, std::string key, std::string value) override {
    calls.push_back("put " + key + " " + value);
    if (error) co_return result<kv::write_result>{error};
    co_return write;
  }
  task<result<kv::write_result>> cas(actor_context& self, std::string key,
                                     std::optional<std::string> expected,
                                     std::string value) override {
    if (!cas_supported) co_return co_await client::cas(self, key, expected, value);
    calls.push_back("cas " + key + " " + value);
    if (error) co_return result<kv::write_result>{error};
    co_return write;
  }
  [[nodiscard]] std::string name() const override { return "scripted"; }
};

/// Runs the script: each call made through `client` after setting what `inner` answers.
task<void> script(actor_context& self, kv::recording_client* client, scripted_client* inner) {
  using kv::kv_errc;
  inner->read = {.value = "v1", .version = {7, 2}, .node = "n1"};
  (void)co_await client->get(self, "a");
  inner->read = {.value = std::nullopt, .version = {}, .node = "n2"};
  (void)co_await client->get(self, "b");
  inner->error = coact::errc::timeout;
  (void)co_await client->get(self, "c");

  inner->error = {};
  inner->write = {.version = {9, 1}, .matched = true, .node = "n1"};
  (void)co_await client->put(self, "a", "w1");
  inner->error = kv_errc::unavailable;
  (void)co_await client->put(self, "a", "w2");
  inner->error = coact::errc::timeout;
  (void)co_await client->put(self, "a", "w3");
  inner->error = kv_errc::level_unmet;
  (void)co_await client->put(self, "a", "w4");

  inner->error = {};
  inner->write = {.version = {4, 3}, .matched = false, .node = "n3"};
  (void)co_await client->cas(self, "a", "old", "c1");
  inner->error = kv_errc::not_leader;
  (void)co_await client->cas(self, "a", std::nullopt, "c2");
  inner->error = coact::errc::timeout;
  (void)co_await client->cas(self, "a", "x", "c3");
  inner->error = {};
  inner->cas_supported = false;
  (void)co_await client->cas(self, "a", "x", "c4");
}

}  // namespace

TEST_CASE("a recording client records ok, fail and info as documented", "[actors]") {
  sim::world w{1};
  coact::check::recorder log{w.true_clock()};
  auto owned = std::make_unique<scripted_client>();
  scripted_client* inner = owned.get();
  kv::recording_client client{std::move(owned), log, 7, "s1"};
  CHECK(client.name() == "scripted");
  CHECK(&client.inner() == inner);
  w.add_node({.name = "client"}, [&](coact::actor_system& system, sim::node_id) {
    (void)system.spawn(&script, &client, inner);
  });
  w.run_until(coact::time_point{std::chrono::seconds{1}});

  const auto h = log.snapshot();
  REQUIRE(h.size() == 22);
  CHECK(inner->calls == std::vector<std::string>{"get a", "get b", "get c", "put a w1", "put a w2",
                                                 "put a w3", "put a w4", "cas a c1", "cas a c2",
                                                 "cas a c3"});
  for (const auto& e : h) {
    CHECK(e.process == 7);
    CHECK(e.session == "s1");
  }
  for (std::size_t i = 0; i < h.size(); i += 2) {
    INFO("operation " << i / 2);
    CHECK(h[i].type == event_type::invoke);
    CHECK(h[i].f == h[i + 1].f);
    CHECK(h[i].key == h[i + 1].key);
    CHECK_FALSE(h[i].version);
    CHECK(h[i].node.empty());
  }
  const auto paired = coact::check::pair_operations(h);
  REQUIRE(paired);
  CHECK(paired.value().size() == 11);

  // Reads: ok with value, version and node; an absent value has no version; a failed
  // read changed nothing.
  CHECK(h[1].type == event_type::ok);
  CHECK(h[1].value == datum{std::string{"v1"}});
  CHECK(h[1].version == 7U);
  CHECK(h[1].node == "n1");
  CHECK(h[3].type == event_type::ok);
  CHECK(h[3].value == datum{});
  CHECK_FALSE(h[3].version);
  CHECK(h[3].node == "n2");
  CHECK(h[5].type == event_type::fail);

  // Writes: the value on every event; fail only when certainly not applied.
  CHECK(h[6].value == datum{std::string{"w1"}});
  CHECK(h[7].type == event_type::ok);
  CHECK(h[7].value == datum{std::string{"w1"}});
  CHECK(h[7].version == 9U);
  CHECK(h[7].node == "n1");
  CHECK(h[9].type == event_type::fail);
  CHECK(h[9].value == datum{std::string{"w2"}});
  CHECK(h[11].type == event_type::info);
  CHECK(h[11].value == datum{std::string{"w3"}});
  CHECK(h[13].type == event_type::info);

  // Compare-and-set: expected and new value; a compare that did not match is ok with
  // matched false and the version found.
  CHECK(h[14].f == op_kind::cas);
  CHECK(h[14].expected == datum{std::string{"old"}});
  CHECK(h[14].value == datum{std::string{"c1"}});
  CHECK(h[15].type == event_type::ok);
  CHECK_FALSE(h[15].matched);
  CHECK(h[15].version == 4U);
  CHECK(h[15].node == "n3");
  CHECK(h[17].type == event_type::fail);
  CHECK(h[17].expected == datum{});
  CHECK(h[19].type == event_type::info);
  CHECK(h[21].type == event_type::fail);  // unsupported: nothing was tried
  CHECK(h[21].value == datum{std::string{"c4"}});
}
