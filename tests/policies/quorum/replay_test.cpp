// A quorum run in the simulator replays byte for byte from its seed (faults included), so
// a failing seed printed by the other tests reproduces exactly.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "coact/check/history_json.hpp"
#include "family.hpp"

using namespace quorum_test;
using quorum::level;

namespace {

std::string run(std::uint64_t seed) {
  const quorum::levels levels{.read = level::quorum, .write = level::quorum};
  auto r = workload::run({.deploy = deploy({.defaults = levels}, true),
                          .nodes = {.links = slow_tail_links(0.03)},
                          .work = mix(levels, 30),
                          .faults = workload::nemesis{}.crash(time_point{20ms}, 40ms, 0),
                          .length = 2s},
                         seed);
  REQUIRE(r);
  std::ostringstream out;
  coact::check::write_json_lines(out, r.value().history);
  return out.str();
}

}  // namespace

TEST_CASE("a quorum run replays its history byte for byte", "[policies][quorum][sim]") {
  const std::string first = run(7);
  CHECK(!first.empty());
  CHECK(run(7) == first);
  CHECK(run(8) != first);
}
