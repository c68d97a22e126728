// The dynamo layout: keys hash the same on every platform and spread over every
// partition; partition p lives on replica nodes p, p+1, p+2; bad topologies and timings
// are refused.
#include "coact/policies/dynamo/partitioning.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

#include "coact/policies/dynamo/deployment.hpp"

namespace dynamo = coact::policies::dynamo;
namespace kv = coact::kv;
using namespace std::chrono_literals;

namespace {

kv::topology nodes(std::uint32_t count) {
  kv::topology t;
  for (std::uint32_t n = 0; n < count; ++n)
    t.replicas.push_back({10 + n, "n" + std::to_string(n), ""});
  return t;
}

}  // namespace

// Proves the hash is FNV-1a (fixed values), so a key's partition does not depend on the
// platform, and that keys spread over every partition.
TEST_CASE("keys hash to partitions the same everywhere", "[dynamo]") {
  const auto layout = dynamo::partitioning::make(nodes(5), 0);
  REQUIRE(layout);
  CHECK(layout.value().count() == 5);
  // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c.
  CHECK(layout.value().partition_of("a") == 0xaf63dc4c8601ec8cULL % 5);
  const auto seven = dynamo::partitioning::make(nodes(5), 7);
  REQUIRE(seven);
  CHECK(seven.value().partition_of("hello") == 0xa430d84680aabd0bULL % 7);
  std::set<std::uint32_t> used;
  for (int i = 0; i < 200; ++i) used.insert(seven.value().partition_of("key" + std::to_string(i)));
  CHECK(used.size() == 7);
}

// Proves the placement: three consecutive replica nodes per partition, wrapping around,
// and each node in the partitions that name it.
TEST_CASE("partition p lives on replica nodes p, p+1 and p+2", "[dynamo]") {
  const auto made = dynamo::partitioning::make(nodes(4), 6);
  REQUIRE(made);
  const auto& layout = made.value();
  CHECK(layout.replicas(0) == std::array<std::uint32_t, 3>{10, 11, 12});
  CHECK(layout.replicas(3) == std::array<std::uint32_t, 3>{13, 10, 11});
  CHECK(layout.replicas(5) == std::array<std::uint32_t, 3>{11, 12, 13});
  for (std::uint32_t node = 10; node < 14; ++node) {
    for (std::uint32_t p = 0; p < layout.count(); ++p) {
      const auto r = layout.replicas(p);
      const bool holds = std::find(r.begin(), r.end(), node) != r.end();
      const auto on = layout.partitions_on(node);
      CHECK(holds == (std::find(on.begin(), on.end(), p) != on.end()));
    }
  }
  CHECK(layout.partitions_on(99).empty());
  CHECK(layout.name_of(12) == "n2");
}

// Proves a deployment is refused on fewer than three replica nodes, repeated nodes, or
// timings that would elect a leader before a heartbeat could reach it.
TEST_CASE("bad topologies and timings are refused", "[dynamo]") {
  CHECK(dynamo::partitioning::make(nodes(2), 0).error() == coact::errc::invalid_argument);
  kv::topology twice = nodes(3);
  twice.replicas[2].node = twice.replicas[0].node;
  CHECK(dynamo::deploy(twice, {}).error() == coact::errc::invalid_argument);
  CHECK(dynamo::deploy(nodes(3), {}).has_value());

  dynamo::options slow_heartbeat;
  slow_heartbeat.timing.heartbeat_period = slow_heartbeat.timing.election_timeout_min;
  CHECK(dynamo::deploy(nodes(3), slow_heartbeat).error() == coact::errc::invalid_argument);
  dynamo::options inverted;
  inverted.timing.election_timeout_max = inverted.timing.election_timeout_min - 1ms;
  CHECK(dynamo::deploy(nodes(3), inverted).error() == coact::errc::invalid_argument);
  dynamo::options no_heartbeat;
  no_heartbeat.timing.heartbeat_period = 0ms;
  CHECK(dynamo::deploy(nodes(3), no_heartbeat).error() == coact::errc::invalid_argument);
}

// Proves the descriptor names the family, its availability class and its cost.
TEST_CASE("the deployment describes its guarantees and cost", "[dynamo]") {
  auto deployed = dynamo::deploy(nodes(3), {});
  REQUIRE(deployed);
  const auto& d = deployed.value()->describe();
  CHECK(d.family == "dynamo");
  CHECK(d.under_partition == kv::availability::unavailable);
  CHECK_FALSE(d.round_trips.empty());
  CHECK(deployed.value()->make_client(0)->name() == "dynamo eventual");
}
