#include "oplog.hpp"

#include <cassert>
#include <iterator>
#include <utility>

namespace coact::policies::read_concern {

std::uint64_t oplog::term_at(std::uint64_t index) const noexcept {
  assert(index <= last_index());
  return index == 0 ? 0 : entries_[index - 1].term;
}

const entry& oplog::at(std::uint64_t index) const noexcept {
  assert(index >= 1 && index <= last_index());
  return entries_[index - 1];
}

std::uint64_t oplog::first_of_term(std::uint64_t index) const noexcept {
  const std::uint64_t term = term_at(index);
  while (index > 1 && entries_[index - 2].term == term) --index;
  return index;
}

void oplog::append(entry e) {
  assert(e.term >= term_at(last_index()));
  entries_.push_back(std::move(e));
}

std::vector<entry> oplog::truncate_after(std::uint64_t index) {
  if (index >= last_index()) return {};
  const auto first = entries_.begin() + static_cast<std::ptrdiff_t>(index);
  std::vector<entry> removed{std::make_move_iterator(first),
                             std::make_move_iterator(entries_.end())};
  entries_.erase(first, entries_.end());
  return removed;
}

}  // namespace coact::policies::read_concern
