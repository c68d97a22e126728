// The seed variables every simulator test reads: a block FIRST:COUNT or one seed N, and
// the messages that name the variable when a value is bad.
#include "sim_seeds.hpp"

#include <catch2/catch.hpp>

using coact::test::parse_seed_block;

namespace {

std::string refusal(std::string_view text, bool single = false) {
  try {
    (void)parse_seed_block("COACT_SIM_SEEDS", text, single);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("a seed block reads FIRST:COUNT", "[workload]") {
  const auto b = parse_seed_block("COACT_SIM_SEEDS", "5000:100", false);
  CHECK(b.first == 5000);
  CHECK(b.count == 100);
  CHECK(parse_seed_block("COACT_SIM_SEED", "7", true).first == 7);
  CHECK(parse_seed_block("COACT_SIM_SEEDS", "18446744073709551615:1", false).count == 1);
}

TEST_CASE("a bad seed block fails, naming the variable", "[workload]") {
  CHECK(refusal("5000") == "COACT_SIM_SEEDS=5000: expected FIRST:COUNT (e.g. 5000:100)");
  CHECK(refusal("x:3") ==
        "COACT_SIM_SEEDS=x:3: expected FIRST:COUNT, two decimal numbers (e.g. 5000:100)");
  CHECK(refusal("1:-3").find("two decimal numbers") != std::string::npos);
  CHECK(refusal("1:").find("two decimal numbers") != std::string::npos);
  CHECK(refusal("1:0") == "COACT_SIM_SEEDS=1:0: COUNT must be at least 1");
  CHECK(refusal("18446744073709551615:2") ==
        "COACT_SIM_SEEDS=18446744073709551615:2: FIRST + COUNT - 1 is beyond 2^64 - 1");
  CHECK(refusal("18446744073709551616:1") ==
        "COACT_SIM_SEEDS=18446744073709551616:1: a number is beyond 2^64 - 1");
  CHECK(refusal("7x", true) == "COACT_SIM_SEEDS=7x: expected a seed, a decimal number (e.g. 7)");
}
