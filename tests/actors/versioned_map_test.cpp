// The replica's map is last-writer-wins: a write is stored only when its version is
// strictly newer, by counter and then by writer node.
#include "coact/actors/versioned_map.hpp"

#include <catch2/catch.hpp>

namespace kv = coact::kv;

TEST_CASE("a versioned map keeps the newest version of each key", "[actors]") {
  kv::versioned_map map;
  CHECK(map.find("k") == nullptr);
  CHECK(map.apply("k", "v1", {.counter = 10, .writer = 1}));
  CHECK(map.apply("k", "v2", {.counter = 20, .writer = 1}));
  CHECK_FALSE(map.apply("k", "old", {.counter = 15, .writer = 9}));
  REQUIRE(map.find("k") != nullptr);
  CHECK(map.find("k")->value == "v2");
  CHECK(map.find("k")->version == kv::version{.counter = 20, .writer = 1});
  CHECK(map.apply("other", "x", {.counter = 1, .writer = 0}));
  CHECK(map.size() == 2);
  CHECK(map.entries().begin()->first == "k");
}

TEST_CASE("a versioned map breaks counter ties by writer and ignores equal versions", "[actors]") {
  kv::versioned_map map;
  CHECK(map.apply("k", "from-2", {.counter = 5, .writer = 2}));
  CHECK_FALSE(map.apply("k", "from-1", {.counter = 5, .writer = 1}));
  CHECK(map.find("k")->value == "from-2");
  CHECK(map.apply("k", "from-3", {.counter = 5, .writer = 3}));
  CHECK(map.find("k")->value == "from-3");
  // The same version again (a duplicate or a replay) changes nothing.
  CHECK_FALSE(map.apply("k", "other", {.counter = 5, .writer = 3}));
  CHECK(map.find("k")->value == "from-3");
}
