#include "coact/runtime/wire.hpp"

#include <capnp/message.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "detail/envelope_node.hpp"

namespace coact {

wire_header header_of(const envelope& e) noexcept {
  const detail::envelope_node& n = *e.node();
  wire_header h;
  h.kind = n.kind;
  h.control = n.ctl;
  h.target = n.target;
  h.sender = n.sender;
  h.correlation = n.correlation;
  h.type_id = n.type_id;
  if (n.error) {
    if (n.error.category() == error_category()) {
      h.error = error_domain::coact;
      h.error_value = n.error.value();
    } else if (n.error.category() == std::generic_category() ||
               n.error.category() == std::system_category()) {
      h.error = error_domain::generic;
      h.error_value = n.error.value();
    } else {
      h.error = error_domain::coact;
      h.error_value = static_cast<std::int32_t>(errc::actor_failed);
    }
  }
  return h;
}

std::span<const capnp::word> payload_words(const envelope& e) noexcept {
  const detail::envelope_node& n = *e.node();
  return {n.payload(), n.payload_words};
}

namespace {

/// Levels of structs and lists a payload may nest, as Cap'n Proto's readers allow.
constexpr int payload_depth_max = 64;

/// The check of a payload received as words (see the second envelope_from_wire): follows
/// every pointer from the root as Cap'n Proto's bounds-checking reader would, and charges
/// each object's words to a budget of the payload's own size, so that no traversal of what
/// passes reaches more words than were received (a cycle or overlapping pointers run out).
/// Elements of no size (voids, empty structs) take no words: they are charged to a budget
/// of their own, one per byte received, or a short payload could claim any number of them.
class payload_check {
 public:
  explicit payload_check(std::span<const capnp::word> words) noexcept
      : words_(words), budget_(words.size()), empty_budget_(words.size() * sizeof(capnp::word)) {}

  /// Whether the pointer at word `at` is null, or a struct or list pointer whose target is
  /// inside the payload, as is everything it points to, within `depth` more levels.
  bool pointer(std::uint64_t at, int depth) noexcept {
    const std::uint64_t p = load(at);
    if (p == 0) return true;
    if (depth == 0) return false;
    // Bits 2-31: the offset in words from the end of the pointer, signed.
    const std::int64_t target = static_cast<std::int64_t>(at) + 1 +
                                (static_cast<std::int32_t>(static_cast<std::uint32_t>(p)) >> 2);
    if (target < 0) return false;
    const auto start = static_cast<std::uint64_t>(target);
    switch (p & 3) {
      case 0:  // a struct: data words in bits 32-47, pointers in 48-63
        return object(start, (p >> 32) & 0xffff, p >> 48, depth - 1);
      case 1:
        return list(start, (p >> 32) & 7, p >> 35, depth - 1);
      default:  // a far pointer or a capability: not in a payload sealed by coact
        return false;
    }
  }

 private:
  /// A struct at `start`: bounds, charge, then its pointers.
  bool object(std::uint64_t start, std::uint64_t data, std::uint64_t pointers, int depth) noexcept {
    return start + data + pointers <= words_.size() && charge(data + pointers) &&
           each_pointer(start + data, pointers, depth);
  }

  /// A list at `start` of `count` elements of size code `size` (bits 32-34 of its pointer).
  bool list(std::uint64_t start, std::uint64_t size, std::uint64_t count, int depth) noexcept {
    if (size == 7) {
      // Structs: `count` words after a tag, which is shaped as a struct pointer whose
      // offset is the number of elements and whose sizes are each element's.
      if (start + 1 + count > words_.size() || !charge(count + 1)) return false;
      const std::uint64_t tag = load(start);
      if ((tag & 3) != 0) return false;
      const std::uint64_t elements = static_cast<std::uint32_t>(tag) >> 2;
      const std::uint64_t data = (tag >> 32) & 0xffff;
      const std::uint64_t pointers = tag >> 48;
      const std::uint64_t element_words = data + pointers;
      if (elements * element_words > count) return false;
      // Each element is a level of its own, as to Cap'n Proto's readers.
      if (elements != 0 && depth == 0) return false;
      if (element_words == 0) return charge_empty(elements);
      for (std::uint64_t e = 0; e < elements && pointers != 0; ++e) {
        if (!each_pointer(start + 1 + e * element_words + data, pointers, depth - 1)) return false;
      }
      return true;
    }
    // Bits per element of the other size codes: void, bit, 1, 2, 4 and 8 bytes, pointer.
    constexpr std::uint64_t bits[7] = {0, 1, 8, 16, 32, 64, 64};
    const std::uint64_t words = (count * bits[size] + 63) / 64;
    if (start + words > words_.size() || !charge(words)) return false;
    if (size == 0 && !charge_empty(count)) return false;
    return size != 6 || each_pointer(start, count, depth);
  }

  bool each_pointer(std::uint64_t first, std::uint64_t count, int depth) noexcept {
    for (std::uint64_t i = 0; i < count; ++i) {
      if (!pointer(first + i, depth)) return false;
    }
    return true;
  }

  bool charge(std::uint64_t words) noexcept {
    if (words > budget_) return false;
    budget_ -= words;
    return true;
  }

  bool charge_empty(std::uint64_t elements) noexcept {
    if (elements > empty_budget_) return false;
    empty_budget_ -= elements;
    return true;
  }

  std::uint64_t load(std::uint64_t at) const noexcept {
    std::uint64_t v;
    std::memcpy(&v, &words_[at], sizeof v);
    return v;  // the wire is little-endian, as is every machine coact builds for
  }

  std::span<const capnp::word> words_;
  std::uint64_t budget_;
  std::uint64_t empty_budget_;
};

bool header_valid(const wire_header& header) noexcept {
  return header.kind <= message_kind::system && header.error <= error_domain::generic &&
         header.control <= system_control::down;
}

/// A new envelope with `header` and no payload yet. Until it is delivered it answers
/// nobody if dropped: the sender's node handles its own losses.
envelope received(const wire_header& header) {
  envelope e{detail::acquire_node()};
  detail::envelope_node& n = *e.node();
  n.kind = header.kind;
  n.ctl = header.control;
  n.target = header.target;
  n.sender = header.sender;
  n.correlation = header.correlation;
  n.type_id = header.type_id;
  if (header.error == error_domain::coact) {
    n.error = std::error_code{header.error_value, error_category()};
  } else if (header.error == error_domain::generic) {
    n.error = std::error_code{header.error_value, std::generic_category()};
  }
  n.replied = true;
  return e;
}

}  // namespace

result<envelope> envelope_from_wire(const wire_header& header, capnp::AnyPointer::Reader payload) {
  if (!header_valid(header)) return errc::malformed_message;
  std::size_t words = 0;
  try {
    // The checked read: every pointer of the payload is followed, within the reader's
    // bounds and traversal limit, before anything reads it unchecked.
    if (!payload.isNull() && !payload.isStruct()) return errc::malformed_message;
    words = payload.targetSize().wordCount + 1;  // + the root pointer
  } catch (const kj::Exception&) {
    return errc::malformed_message;
  }

  envelope e = received(header);
  detail::envelope_node& n = *e.node();
  capnp::word* out = n.segment;
  if (words > detail::first_segment_words) {
    out = static_cast<capnp::word*>(std::calloc(words, sizeof(capnp::word)));
    if (out == nullptr) throw std::bad_alloc{};
    n.flat = out;
  } else {
    // The copy goes through a builder, which needs zeroes; and if it fails half way the
    // words it wrote are dirty (a builder over stale words follows stale pointers).
    n.zero_segment();
    n.segment_words_dirty = static_cast<std::uint16_t>(words);
  }
  try {
    if (!payload.isNull()) {
      capnp::copyToUnchecked(payload.getAs<capnp::AnyStruct>(), kj::arrayPtr(out, words));
    }
  } catch (const kj::Exception&) {
    return errc::malformed_message;
  }
  n.payload_words = static_cast<std::uint32_t>(words);
  n.replied = false;
  return e;
}

result<envelope> envelope_from_wire(const wire_header& header,
                                    std::span<const capnp::word> payload) {
  if (!header_valid(header)) return errc::malformed_message;
  if (!payload.empty()) {
    std::uint64_t root;
    std::memcpy(&root, payload.data(), sizeof root);
    if ((root & 3) != 0 || !payload_check{payload}.pointer(0, payload_depth_max)) {
      return errc::malformed_message;
    }
  }

  envelope e = received(header);
  detail::envelope_node& n = *e.node();
  capnp::word* out = n.segment;
  if (payload.size() > detail::first_segment_words) {
    out = static_cast<capnp::word*>(std::malloc(payload.size() * sizeof(capnp::word)));
    if (out == nullptr) throw std::bad_alloc{};
    n.flat = out;
  } else {
    // Copied whole: no zeroes needed, only the record of what is dirty.
    n.segment_words_dirty =
        std::max(n.segment_words_dirty, static_cast<std::uint16_t>(payload.size()));
  }
  if (!payload.empty()) {
    std::memcpy(static_cast<void*>(out), payload.data(), payload.size() * sizeof(capnp::word));
  }
  n.payload_words = static_cast<std::uint32_t>(payload.size());
  n.replied = false;
  return e;
}

}  // namespace coact
