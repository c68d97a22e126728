#include "detail/arena_builder.hpp"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace coact::detail {

arena_builder::~arena_builder() noexcept(false) {
  for (auto segment : extra_) std::free(segment.begin());
}

std::uint32_t arena_builder::first_segment_words_used() {
  if (!first_taken_) return 0;
  // The inline segment is the first one unless the message's first object outgrew it.
  for (auto segment : getSegmentsForOutput()) {
    if (segment.begin() == first_.begin()) return static_cast<std::uint32_t>(segment.size());
  }
  return static_cast<std::uint32_t>(first_.size());
}

kj::ArrayPtr<capnp::word> arena_builder::allocateSegment(unsigned minimum_words) {
  if (!first_taken_ && minimum_words <= first_.size()) {
    first_taken_ = true;
    return first_;
  }
  // Grow geometrically, as MallocMessageBuilder does, so big messages take few segments.
  const std::size_t words =
      std::max<std::size_t>(minimum_words, std::max<std::size_t>(64, extra_words_ + first_.size()));
  void* memory = std::calloc(words, sizeof(capnp::word));
  if (memory == nullptr) throw std::bad_alloc{};
  auto segment = kj::arrayPtr(static_cast<capnp::word*>(memory), words);
  extra_.push_back(segment);
  extra_words_ += words;
  return segment;
}

}  // namespace coact::detail
