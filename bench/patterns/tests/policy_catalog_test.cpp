// The catalog's names: every variant has a unique slug of [a-z0-9-], runs are named after
// them, a variant that promises linearizable histories has a descriptor that says so, and
// --policies selects by slug, family or name and refuses an entry that names nothing.
#include "policy_catalog.hpp"

#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "policy_selection.hpp"
#include "run_slug.hpp"

using namespace coact::bench;

namespace {

std::vector<std::string> slugs_of(const std::vector<const policy_variant*>& variants) {
  std::vector<std::string> out;
  for (const policy_variant* v : variants) out.push_back(v->slug);
  return out;
}

}  // namespace

// Proves the slugs are unique and made of lowercase letters, digits and dashes (no dash
// at either end or twice in a row), and the examples the documentation gives exist.
TEST_CASE("every variant has a unique slug of [a-z0-9-]", "[bench]") {
  const auto catalog = policy_catalog();
  const std::regex format{"[a-z0-9]+(-[a-z0-9]+)*"};
  std::set<std::string> seen;
  for (const policy_variant& v : catalog) {
    INFO(v.name);
    CHECK(std::regex_match(v.slug, format));
    CHECK(seen.insert(v.slug).second);
  }
  for (const char* documented :
       {"single", "strong", "quorum-one-one", "quorum-quorum-quorum",
        "read-concern-linearizable-wmajority", "dynamo-eventual", "dynamo-consistent"}) {
    CHECK(seen.contains(documented));
  }
}

// Proves a run's slug names its runtime, topology and variant, in [a-z0-9-].
TEST_CASE("runs are named after runtime, topology and variant", "[bench]") {
  const auto catalog = policy_catalog();
  CHECK(run_slug("sim", bench_topology::make(3, 1).value(), catalog.at(1)) == "sim-3n-1dc-strong");
  CHECK(run_slug("tcp", bench_topology::make(5, 2).value(), catalog.back()) ==
        "tcp-5n-2dc-spanner");
}

// Proves the variants that promise linearizable histories are those whose descriptor says
// "linearizable" of all their operations: single, strong, read_concern linearizable
// w:majority and dynamo's consistent reads (dynamo's descriptor promises linearizable
// writes and consistent reads, so its eventual variant does not qualify).
TEST_CASE("linearizable variants are those their descriptors promise", "[bench]") {
  const auto where = bench_topology::make(3, 1).value();
  std::vector<std::string> linearizable;
  for (const policy_variant& v : policy_catalog()) {
    const auto deployed = v.deploy(where);
    REQUIRE(deployed);
    const std::string& promise = deployed.value()->describe().guarantees;
    INFO(v.slug << ": " << promise);
    if (v.linearizable) {
      linearizable.push_back(v.slug);
      CHECK(promise.find("linearizable") != std::string::npos);
    }
  }
  CHECK(linearizable == std::vector<std::string>{"single", "strong",
                                                 "read-concern-linearizable-wmajority",
                                                 "dynamo-consistent"});
}

// Proves --policies takes slugs, families and names (as before slugs existed), in catalog
// order whatever the order given, and refuses an unknown entry naming it.
TEST_CASE("policies are selected by slug, family or name", "[bench]") {
  const auto catalog = policy_catalog();
  std::string unknown;
  CHECK(select_policies(catalog, {}, &unknown).value().size() == catalog.size());
  CHECK(slugs_of(select_policies(catalog, {"dynamo-consistent", "strong"}, &unknown).value()) ==
        std::vector<std::string>{"strong", "dynamo-consistent"});
  CHECK(slugs_of(select_policies(catalog, {"dynamo"}, &unknown).value()) ==
        std::vector<std::string>{"dynamo-eventual", "dynamo-consistent"});
  CHECK(slugs_of(select_policies(catalog, {"quorum R=ONE W=ONE"}, &unknown).value()) ==
        std::vector<std::string>{"quorum-one-one"});
  const auto refused = select_policies(catalog, {"strong", "quorum-two-two"}, &unknown);
  REQUIRE(!refused);
  CHECK(refused.error() == coact::errc::invalid_argument);
  CHECK(unknown == "quorum-two-two");
}
