// The catalog: every variant has a unique slug of [a-z0-9-], and deploys on a small
// topology as the family it names.
#include "coact/policies/catalog.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

namespace kv = coact::kv;

TEST_CASE("catalog: slugs are unique and made of [a-z0-9-]", "[policies][catalog]") {
  std::set<std::string> seen;
  for (const auto& v : coact::policies::catalog()) {
    INFO(v.slug);
    CHECK_FALSE(v.slug.empty());
    CHECK(v.slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string::npos);
    CHECK(seen.insert(v.slug).second);
    CHECK(coact::policies::find_variant(v.slug) == &v);
  }
  CHECK(seen.count("strong") == 1);
  CHECK(seen.count("quorum-one-one") == 1);
  CHECK(coact::policies::find_variant("no-such-variant") == nullptr);
}

TEST_CASE("catalog: every variant deploys as its family", "[policies][catalog]") {
  const kv::topology where{.replicas = {{.node = 0, .name = "a", .datacenter = "dc1"},
                                        {.node = 1, .name = "b", .datacenter = "dc1"},
                                        {.node = 2, .name = "c", .datacenter = "dc1"}}};
  for (const auto& v : coact::policies::catalog()) {
    INFO(v.slug);
    auto d = v.deploy(where, {.seed = 7});
    REQUIRE(d);
    CHECK(d.value()->describe().family == v.family);
    CHECK_FALSE(v.write_request_types.empty());
  }
}
