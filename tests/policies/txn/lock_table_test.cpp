// txn-2pc's lock table: shared locks coexist, an exclusive lock excludes every other
// owner, a lone shared holder upgrades, and releasing frees exactly the owner's locks.
#include "coact/policies/txn/lock_table.hpp"

#include <catch2/catch.hpp>

using coact::policies::txn::lock_table;
using coact::policies::txn::txn_id;

namespace {
constexpr txn_id t1{1, 1};
constexpr txn_id t2{2, 1};
constexpr txn_id t3{3, 1};
}  // namespace

TEST_CASE("shared locks coexist and exclude an exclusive one", "[txn][locks]") {
  lock_table locks;
  CHECK(locks.acquire("a", t1, false));
  CHECK(locks.acquire("a", t2, false));
  CHECK_FALSE(locks.acquire("a", t3, true));
  CHECK_FALSE(locks.acquire("a", t1, true));  // not alone: no upgrade
  locks.release(t2);
  CHECK(locks.acquire("a", t1, true));  // alone now: upgrades
  CHECK_FALSE(locks.acquire("a", t2, false));
  locks.release(t1);
  CHECK(locks.empty());
}

TEST_CASE("an exclusive lock excludes readers and writers until released", "[txn][locks]") {
  lock_table locks;
  CHECK(locks.acquire("a", t1, true));
  CHECK(locks.acquire("a", t1, false));  // its own
  CHECK(locks.acquire("b", t1, false));
  CHECK_FALSE(locks.acquire("a", t2, false));
  CHECK_FALSE(locks.acquire("a", t2, true));
  CHECK(locks.acquire("b", t2, false));
  const auto held = locks.held(t1);
  REQUIRE(held.size() == 2);
  CHECK(held[0] == std::pair<std::string, bool>{"a", true});
  CHECK(held[1] == std::pair<std::string, bool>{"b", false});
  locks.release(t1);
  CHECK(locks.acquire("a", t2, true));
  CHECK_FALSE(locks.acquire("b", t3, true));  // t2 still reads it
  locks.release(t2);
  CHECK(locks.empty());
}
