#pragma once

#include <capnp/message.h>

#include <cstddef>
#include <vector>

namespace coact::detail {

/// A Cap'n Proto builder whose first segment is the envelope's inline, pre-zeroed
/// buffer; only messages that outgrow it allocate. It knows its size without walking
/// the arena, which keeps the size check off the hot path.
class arena_builder final : public capnp::MessageBuilder {
 public:
  explicit arena_builder(kj::ArrayPtr<capnp::word> first) noexcept : first_(first) {}
  arena_builder(const arena_builder&) = delete;
  arena_builder& operator=(const arena_builder&) = delete;
  ~arena_builder() noexcept(false) override;

  kj::ArrayPtr<capnp::word> allocateSegment(unsigned minimum_words) override;

  /// Words handed out for segments beyond the inline one.
  [[nodiscard]] std::size_t extra_words() const noexcept { return extra_words_; }

 private:
  kj::ArrayPtr<capnp::word> first_;
  bool first_taken_ = false;
  std::vector<kj::ArrayPtr<capnp::word>> extra_;
  std::size_t extra_words_ = 0;
};

}  // namespace coact::detail
