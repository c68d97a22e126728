#pragma once

#include <cstddef>

namespace coact {

/// Recycles coroutine frames per thread so that spawning actors and calling nested
/// tasks costs no malloc in steady state. Frames freed on another thread than the one
/// that allocated them simply join that thread's free lists (each list is bounded).
struct frame_allocator {
  [[nodiscard]] static void* allocate(std::size_t bytes);
  static void deallocate(void* frame, std::size_t bytes) noexcept;
};

}  // namespace coact
