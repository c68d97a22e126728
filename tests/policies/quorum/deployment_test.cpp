// The deployment: options it refuses, the descriptor it gives for a few level choices,
// and the clients it makes.
#include "coact/policies/quorum/deployment.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace quorum = coact::policies::quorum;
using quorum::level;

namespace {

coact::kv::topology three_and_two() {
  return {{{0, "a", "dc1"}, {1, "b", "dc1"}, {2, "c", "dc1"}, {3, "d", "dc2"}, {4, "e", "dc2"}}};
}

bool refused(coact::kv::topology nodes, quorum::options o) {
  auto d = quorum::deploy(std::move(nodes), std::move(o));
  return !d && d.error() == coact::errc::invalid_argument;
}

}  // namespace

TEST_CASE("a deployment refuses impossible options", "[policies][quorum]") {
  CHECK(refused({}, {}));
  CHECK(refused({{{0, "a", "dc1"}, {0, "b", "dc1"}}}, {}));
  CHECK(refused(three_and_two(), {.factors = {{"dc1", 4}}}));
  CHECK(refused(three_and_two(), {.factors = {{"dc1", 0}, {"dc2", 1}}}));
  CHECK(refused(three_and_two(), {.factors = {{"dc3", 1}}}));
  CHECK(refused(three_and_two(), {.replica_timeout = coact::duration{0}}));
  CHECK(refused(three_and_two(), {.hint_replays_max = 0}));
  CHECK(quorum::deploy(three_and_two(), {.factors = {{"dc1", 2}, {"dc2", 1}}}));
}

TEST_CASE("a deployment describes its guarantees and cost", "[policies][quorum]") {
  auto strong = quorum::deploy(three_and_two(), {});
  REQUIRE(strong);
  const auto& d = strong.value()->describe();
  CHECK(d.family == "quorum");
  CHECK(d.under_partition == coact::kv::availability::unavailable);
  CHECK(d.guarantees.find("R=QUORUM W=QUORUM N=5 (dc1:3, dc2:2): R+W>N") == 0);
  CHECK(d.guarantees.find("blocking read repair") != std::string::npos);
  CHECK(d.round_trips.find("1 RTT") != std::string::npos);

  auto weak =
      quorum::deploy(three_and_two(), {.defaults = {level::one, level::one}, .read_repair = false});
  REQUIRE(weak);
  CHECK(weak.value()->describe().under_partition == coact::kv::availability::total);
  CHECK(weak.value()->describe().guarantees.find("R+W<=N") != std::string::npos);
  CHECK(weak.value()->describe().guarantees.find("read repair") == std::string::npos);

  // LOCAL_QUORUM on both sides overlaps only within a datacenter.
  auto local =
      quorum::deploy(three_and_two(), {.defaults = {level::local_quorum, level::local_quorum}});
  REQUIRE(local);
  CHECK(local.value()->describe().guarantees.find("R+W<=N") != std::string::npos);
  auto abd = quorum::deploy(
      three_and_two(), {.defaults = {level::local_quorum, level::each_quorum}, .write_back = true});
  REQUIRE(abd);
  CHECK(abd.value()->describe().guarantees.find("linearizable") != std::string::npos);
}

TEST_CASE("a deployment's clients name their levels", "[policies][quorum]") {
  auto d = quorum::deploy(three_and_two(), {.defaults = {level::one, level::all}});
  REQUIRE(d);
  CHECK(d.value()->make_client(3)->name() == "quorum R=ONE W=ALL");
  const auto c = d.value()->make_quorum_client(9, {level::local_quorum, level::each_quorum}, "dc2");
  CHECK(c->name() == "quorum R=LOCAL_QUORUM W=EACH_QUORUM");
  CHECK(c->defaults().write == level::each_quorum);
}
