// Placement: each key gets its datacenters' factors of replicas, consecutive on each
// datacenter's ring, the same every time; with factor = members, every member.
#include "coact/policies/quorum/placement.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

namespace quorum = coact::policies::quorum;

namespace {

coact::kv::topology nodes_in(const std::vector<std::string>& datacenters) {
  coact::kv::topology t;
  for (std::uint32_t i = 0; i < datacenters.size(); ++i) {
    t.replicas.push_back(
        {.node = i, .name = "n" + std::to_string(i), .datacenter = datacenters[i]});
  }
  return t;
}

}  // namespace

TEST_CASE("a key's replicas follow each datacenter's factor", "[policies][quorum]") {
  const quorum::placement p{nodes_in({"dc1", "dc2", "dc1", "dc1", "dc1", "dc2", "dc1"}),
                            {{"dc1", 3}, {"dc2", 1}}};
  std::map<std::size_t, int> load;
  for (int k = 0; k < 200; ++k) {
    const std::string key = "key" + std::to_string(k);
    const auto replicas = p.replicas_of(key);
    CHECK(replicas == p.replicas_of(key));
    REQUIRE(replicas.size() == 4);
    std::set<std::size_t> distinct(replicas.begin(), replicas.end());
    CHECK(distinct.size() == 4);
    int in_dc1 = 0;
    for (const std::size_t r : replicas) {
      in_dc1 += p.topology().replicas[r].datacenter == "dc1";
      ++load[r];
    }
    CHECK(in_dc1 == 3);
  }
  // Every member holds some keys.
  CHECK(load.size() == 7);
}

TEST_CASE("with factors equal to the members, every member holds every key", "[policies][quorum]") {
  const quorum::placement p{nodes_in({"dc1", "dc1", "dc1"}), {{"dc1", 3}}};
  for (const char* key : {"", "a", "b", "some longer key"}) {
    const auto replicas = p.replicas_of(key);
    CHECK(std::set<std::size_t>(replicas.begin(), replicas.end()) ==
          std::set<std::size_t>{0, 1, 2});
  }
}
