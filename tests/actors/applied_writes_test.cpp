// The applied-write table: a write is known by its client's token until a rollback cuts its
// entry off, after which it is fresh again.
#include "coact/actors/replication/applied_writes.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace replication = coact::replication;

// Proves undo_after() forgets exactly the writes of the entries after the cut: the client's
// earlier write is its last again, and a client left with none is unknown (undo_after did not
// compile until a family used it: std::erase_if on a std::map gives its predicate const
// elements).
TEST_CASE("applied writes: undo_after forgets the writes of the entries cut off",
          "[actors][replication]") {
  using status = replication::applied_writes<std::string>::status;
  replication::applied_writes<std::string> writes;
  writes.record(1, 1, 2, "a", 0);
  writes.record(1, 2, 4, "b", 0);
  writes.record(2, 1, 5, "c", 0);
  REQUIRE(writes.of(1, 2) == status::last);

  writes.undo_after(3);
  CHECK(writes.of(1, 2) == status::fresh);
  CHECK(writes.of(1, 1) == status::last);
  CHECK(writes.last(1) == "a");
  CHECK(writes.of(2, 1) == status::fresh);
}
