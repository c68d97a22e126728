// The hint store: one hint per (node, key), the newest; replays marked in flight; a
// delivered hint forgotten unless a newer one replaced it; a full store drops and counts.
#include "coact/policies/quorum/hints.hpp"

#include <catch2/catch.hpp>

namespace quorum = coact::policies::quorum;
using coact::kv::version;

TEST_CASE("hints keep the newest write per node and key", "[policies][quorum]") {
  quorum::hints store{10};
  CHECK(store.add({.node = 2, .key = "x", .value = "old", .version = {10, 0}}));
  CHECK(store.add({.node = 2, .key = "x", .value = "new", .version = {20, 1}}));
  CHECK(store.add({.node = 2, .key = "x", .value = "older", .version = {5, 0}}));
  CHECK(store.add({.node = 1, .key = "x", .value = "other", .version = {7, 0}}));
  CHECK(store.size() == 2);
  const auto batch = store.start_replay(10);
  REQUIRE(batch.size() == 2);
  CHECK(batch[0].node == 1);
  CHECK(batch[1].node == 2);
  CHECK(batch[1].value == "new");
  CHECK(batch[1].version == version{20, 1});
  // Both are in flight: a second replay starts none.
  CHECK(store.start_replay(10).empty());
}

TEST_CASE("a delivered hint is forgotten unless a newer one arrived", "[policies][quorum]") {
  quorum::hints store{10};
  CHECK(store.add({.node = 2, .key = "x", .value = "a", .version = {10, 0}}));
  CHECK(store.add({.node = 2, .key = "y", .value = "b", .version = {11, 0}}));
  REQUIRE(store.start_replay(10).size() == 2);
  CHECK(store.add({.node = 2, .key = "y", .value = "c", .version = {12, 0}}));
  store.replayed(2, "x", {10, 0}, true);
  store.replayed(2, "y", {11, 0}, true);
  CHECK(store.size() == 1);
  const auto again = store.start_replay(10);
  REQUIRE(again.size() == 1);
  CHECK(again[0].value == "c");
  store.replayed(2, "y", {12, 0}, false);
  CHECK(store.size() == 1);
  REQUIRE(store.start_replay(1).size() == 1);
}

TEST_CASE("a full hint store drops new hints and counts them", "[policies][quorum]") {
  quorum::hints store{2};
  CHECK(store.add({.node = 0, .key = "a", .value = "1", .version = {1, 0}}));
  CHECK(store.add({.node = 0, .key = "b", .value = "1", .version = {1, 0}}));
  CHECK_FALSE(store.add({.node = 0, .key = "c", .value = "1", .version = {1, 0}}));
  // A newer write of a key already hinted still replaces it.
  CHECK(store.add({.node = 0, .key = "a", .value = "2", .version = {2, 0}}));
  CHECK(store.size() == 2);
  CHECK(store.dropped() == 1);
  CHECK(store.start_replay(1).size() == 1);
}
