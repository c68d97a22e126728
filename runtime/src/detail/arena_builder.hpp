#pragma once

#include <capnp/message.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace coact::detail {

/// A Cap'n Proto builder whose first segment is an envelope's inline, pre-zeroed
/// buffer; only messages that outgrow it allocate further segments. It leaves the
/// inline buffer as it is when destroyed: the sealed message may live on in it.
class arena_builder final : public capnp::MessageBuilder {
 public:
  explicit arena_builder(kj::ArrayPtr<capnp::word> first) noexcept : first_(first) {}
  arena_builder(const arena_builder&) = delete;
  arena_builder& operator=(const arena_builder&) = delete;
  ~arena_builder() noexcept(false) override;

  kj::ArrayPtr<capnp::word> allocateSegment(unsigned minimum_words) override;

  /// Words of the inline segment the message has taken so far.
  [[nodiscard]] std::uint32_t first_segment_words_used();

  /// Whether the message spilled beyond the inline segment.
  [[nodiscard]] bool spilled() const noexcept { return !extra_.empty(); }

 private:
  kj::ArrayPtr<capnp::word> first_;
  bool first_taken_ = false;
  std::vector<kj::ArrayPtr<capnp::word>> extra_;
  std::size_t extra_words_ = 0;
};

}  // namespace coact::detail
