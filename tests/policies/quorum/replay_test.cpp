// A quorum run in the simulator replays byte for byte from its seed (faults included), so
// a failing seed printed by the other tests reproduces exactly.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "cluster.hpp"
#include "coact/check/history_json.hpp"

using namespace quorum_test;
using quorum::level;

namespace {

std::string run(std::uint64_t seed) {
  const quorum::levels levels{.read = level::quorum, .write = level::quorum};
  cluster c{seed, {.policy = {.defaults = levels}, .durable = true, .links = slow_tail(0.03)}};
  c.start_workload({}, levels);
  c.world().at(coact::time_point{20ms}, [&] { c.world().crash(c.replica(0)); });
  c.world().at(coact::time_point{60ms}, [&] { c.world().restart(c.replica(0)); });
  c.run_for(2s);
  std::ostringstream out;
  coact::check::write_json_lines(out, c.history());
  return out.str();
}

}  // namespace

TEST_CASE("a quorum run replays its history byte for byte", "[policies][quorum][sim]") {
  const std::string first = run(7);
  CHECK(!first.empty());
  CHECK(run(7) == first);
  CHECK(run(8) != first);
}
