// Partitions: each kind cuts exactly its links, healing restores them (and only them),
// cut messages are lost and counted, and a scheduled partition starts and ends at the
// right virtual times.
#include "coact/net/sim/partition.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "coact/net/sim/network.hpp"

using namespace std::chrono_literals;
using coact::duration;
using coact::time_point;
using coact::net::sim::network;
using coact::net::sim::node_id;
using coact::net::sim::partition;
namespace sim = coact::sim;

namespace {

constexpr node_id node_count = 4;
using link_set = std::set<std::pair<node_id, node_id>>;

/// Nodes 0 and 1 in "east", 2 in "west", 3 in "north".
std::string datacenter(node_id n) { return n < 2 ? "east" : n == 2 ? "west" : "north"; }

/// Every directed link between distinct nodes that `net` cuts now.
link_set cut_links(const network& net) {
  link_set out;
  for (node_id from = 0; from < node_count; ++from) {
    for (node_id to = 0; to < node_count; ++to) {
      if (from != to && net.cuts(from, to)) out.insert({from, to});
    }
  }
  return out;
}

}  // namespace

// Proves each kind of partition cuts exactly the links it names, and healing restores all.
TEST_CASE("each partition kind cuts exactly its links", "[net][sim]") {
  network net{coact::prng{1}, &datacenter};
  REQUIRE(cut_links(net).empty());
  const auto check_kind = [&](partition p, const link_set& expected) {
    const auto id = net.block(std::move(p));
    REQUIRE(id);
    CHECK(cut_links(net) == expected);
    CHECK(net.heal(id.value()));
    CHECK(cut_links(net).empty());
    CHECK_FALSE(net.heal(id.value()));
  };
  SECTION("one way") { check_kind(partition::one_way(0, 2), {{0, 2}}); }
  SECTION("symmetric") { check_kind(partition::between(1, 3), {{1, 3}, {3, 1}}); }
  SECTION("isolate") {
    check_kind(partition::isolate(2), {{2, 0}, {2, 1}, {2, 3}, {0, 2}, {1, 2}, {3, 2}});
  }
  SECTION("datacenter split: east against the rest") {
    check_kind(partition::split({"east"}),
               {{0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 0}, {2, 1}, {3, 0}, {3, 1}});
  }
  SECTION("datacenter split: east and west against north") {
    check_kind(partition::split({"east", "west"}),
               {{0, 3}, {1, 3}, {2, 3}, {3, 0}, {3, 1}, {3, 2}});
  }
  SECTION("datacenters apart") {
    check_kind(partition::datacenters_apart(),
               {{0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 0}, {2, 1}, {2, 3}, {3, 0}, {3, 1}, {3, 2}});
  }
}

// Proves overlapping partitions heal independently: a link stays cut while any partition
// still cuts it, and heal_all restores everything.
TEST_CASE("overlapping partitions heal one at a time or all at once", "[net][sim]") {
  network net{coact::prng{1}};
  const auto a = net.block(partition::isolate(0)).value();
  const auto b = net.block(partition::one_way(0, 1)).value();
  CHECK(net.partitions_in_effect() == 2);
  CHECK(net.heal(a));
  CHECK(cut_links(net) == link_set{{0, 1}});
  CHECK(net.heal(b));
  CHECK(cut_links(net).empty());
  (void)net.block(partition::between(0, 1)).value();
  (void)net.block(partition::between(2, 3)).value();
  net.heal_all();
  CHECK(cut_links(net).empty());
  CHECK(net.counters().partitions_started == 4);
  CHECK(net.counters().partitions_healed == 4);
}

// Proves a message on a cut link is lost and counted as lost to the partition, while the
// other direction of a one-way cut still carries messages.
TEST_CASE("a cut link loses its messages", "[net][sim]") {
  network net{coact::prng{1}};
  (void)net.block(partition::one_way(0, 1)).value();
  std::vector<duration> arrivals;
  net.plan(0, 1, 0, time_point{}, arrivals);
  CHECK(arrivals.empty());
  net.plan(1, 0, 0, time_point{}, arrivals);
  CHECK(arrivals == std::vector<duration>{1ms});
  CHECK(net.counters().planned == 2);
  CHECK(net.counters().lost_to_partition == 1);
  CHECK(net.counters().delivered == 1);
}

// Proves a datacenter partition needs datacenters, and datacenters_of reads the world's.
TEST_CASE("datacenter partitions need the nodes' datacenters", "[net][sim]") {
  network net{coact::prng{1}};
  CHECK(net.block(partition::split({"east"})).error() == coact::errc::invalid_argument);
  CHECK(net.block(partition::datacenters_apart()).error() == coact::errc::invalid_argument);
  sim::world w{1};
  w.add_node({.name = "a", .datacenter = "east"}, nullptr);
  w.add_node({.name = "b", .datacenter = "west"}, nullptr);
  w.add_node({.name = "c", .datacenter = "east"}, nullptr);
  net.set_datacenters(coact::net::sim::datacenters_of(w));
  REQUIRE(net.block(partition::split({"west"})));
  CHECK(net.cuts(0, 1));
  CHECK(net.cuts(1, 2));
  CHECK_FALSE(net.cuts(0, 2));
}

// Proves a scheduled partition is in effect from its start to exactly start + heal_after
// in virtual time, and a partition healed before its start never starts.
TEST_CASE("a scheduled partition starts and ends on time", "[net][sim]") {
  auto net = std::make_shared<network>(coact::prng{7}.split("net"));
  sim::world w{7, net};
  w.add_node({.name = "a"}, nullptr);
  w.add_node({.name = "b"}, nullptr);
  REQUIRE(net->partition_at(w, time_point{100ms}, 50ms, partition::between(0, 1)));
  const auto cancelled = net->partition_at(w, time_point{120ms}, 10ms, partition::isolate(1));
  REQUIRE(cancelled);
  CHECK(net->partition_at(w, time_point{1ms}, -1ms, partition::isolate(0)).error() ==
        coact::errc::invalid_argument);
  CHECK(net->heal(cancelled.value()));
  // Actions at the same instant run in the order scheduled: after the start and the heal.
  // Per instant: both directions cut, and how many partitions are in effect.
  using observation = std::tuple<std::int64_t, bool, std::size_t>;
  std::vector<observation> seen;
  for (const auto t : {99'999us, 100'000us, 125'000us, 149'999us, 150'000us}) {
    w.at(time_point{t}, [&, t] {
      seen.emplace_back(duration{t}.count(), net->cuts(0, 1) && net->cuts(1, 0),
                        net->partitions_in_effect());
    });
  }
  w.run_until(time_point{duration::max()});
  const std::vector<observation> expected{{99'999'000, false, 0},
                                          {100'000'000, true, 1},
                                          {125'000'000, true, 1},
                                          {149'999'000, true, 1},
                                          {150'000'000, false, 0}};
  CHECK(seen == expected);
  CHECK(net->counters().partitions_started == 1);
  CHECK(net->counters().partitions_healed == 1);
}
