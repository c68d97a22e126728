#pragma once

#include <compare>
#include <cstdint>

namespace coact::policies::read_concern {

/// A position in the replica set's oplog: the term of the primary that wrote the entry and
/// the entry's index (from 1; {0, 0} is before the first entry). Positions order by term,
/// then index, as MongoDB's optimes do: along one member's oplog that is index order, and
/// a position of a later term is later than any of an earlier one. A session carries the
/// latest position it has seen as its causal token.
struct op_time {
  std::uint64_t term = 0;
  std::uint64_t index = 0;
  friend auto operator<=>(const op_time&, const op_time&) = default;
};

}  // namespace coact::policies::read_concern
