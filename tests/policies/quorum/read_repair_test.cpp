// Blocking read repair: two quorum reads one after the other never go backwards, even at
// W=ONE where reads may be stale, because a read answers only once its level holds the
// value it returns. Without read repair the same workload does go backwards.
#include <catch2/catch.hpp>

#include <optional>
#include <utility>

#include "coact/check/linearizability.hpp"
#include "family.hpp"

using namespace quorum_test;
using coact::check::operation;
using quorum::level;

namespace {

/// A pair of ok reads of one key, the later invoked after the earlier completed, where the
/// later returned an older version; empty if there is none.
std::optional<std::pair<operation, operation>> backwards_read(const coact::check::history& h) {
  auto ops = coact::check::pair_operations(h);
  REQUIRE(ops);
  std::vector<const operation*> reads;
  for (const operation& op : ops.value()) {
    if (op.f == coact::check::op_kind::read && op.outcome == coact::check::event_type::ok) {
      reads.push_back(&op);
    }
  }
  for (const operation* earlier : reads) {
    for (const operation* later : reads) {
      if (later->key != earlier->key || later->invoke_ns <= earlier->complete_ns) continue;
      if (later->version.value_or(0) < earlier->version.value_or(0)) {
        return std::pair{*earlier, *later};
      }
    }
  }
  return std::nullopt;
}

/// Four clients at R=QUORUM W=ONE over three durable replicas, links with a slow tail, 2%
/// loss, and replica 1 crashed from 30 ms to 90 ms.
coact::check::history run(std::uint64_t seed, bool read_repair) {
  const quorum::levels levels{.read = level::quorum, .write = level::one};
  auto r = workload::run({.deploy = deploy({.defaults = levels, .read_repair = read_repair}, true),
                          .nodes = {.links = slow_tail_links(0.02)},
                          .work = mix(levels, 40, 0.7, 1),
                          .faults = workload::nemesis{}.crash(time_point{30ms}, 60ms, 1)},
                         seed);
  REQUIRE(r);
  return std::move(r).value().history;
}

}  // namespace

SCENARIO("with blocking read repair, successive quorum reads never go backwards",
         "[policies][quorum][sim]") {
  GIVEN("R=QUORUM W=ONE with read repair on (the default)") {
    THEN("no read returns an older version than a read that completed before it began") {
      for (const std::uint64_t seed : seeds(15)) {
        INFO(rerun_hint(seed));
        const auto backwards = backwards_read(run(seed, true));
        if (backwards) {
          INFO(coact::check::describe(backwards->first)
               << " then " << coact::check::describe(backwards->second));
          CHECK_FALSE(backwards);
        }
      }
    }
  }
}

SCENARIO("without read repair, successive quorum reads go backwards",
         "[policies][quorum][sim][phenomenon]") {
  GIVEN("the same workload with read repair off") {
    THEN("some seed's reads go backwards") {
      // Reads went backwards in 27 of seeds 1000-1199 (about 1 in 7): 150 seeds miss them
      // with a probability below 1e-6 even at 1 in 11.
      std::optional<std::uint64_t> caught;
      for (const std::uint64_t seed : search_seeds(150)) {
        if (backwards_read(run(seed, false))) {
          caught = seed;
          break;
        }
      }
      REQUIRE(caught);
      WARN("reads went backwards without read repair in " << rerun_hint(*caught));
    }
  }
}
