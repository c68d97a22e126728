#include "coact/runtime/frame_allocator.hpp"

#include <array>
#include <cstdlib>
#include <new>

namespace coact {
namespace {

constexpr std::size_t granule_bytes = 64;
constexpr std::size_t class_count = 32;  // frames up to 2 KiB are recycled
constexpr std::size_t cached_per_class_max = 1024;

struct free_node {
  free_node* next;
};

/// Per-thread free lists, one per 64-byte size class. Freed on thread exit.
struct frame_cache {
  std::array<free_node*, class_count> heads{};
  std::array<std::size_t, class_count> counts{};
  /// Frames freed after this thread's cache died (static destructors) bypass it.
  bool dead = false;

  frame_cache() = default;
  frame_cache(const frame_cache&) = delete;
  frame_cache& operator=(const frame_cache&) = delete;
  ~frame_cache() {
    for (auto* head : heads) {
      while (head != nullptr) {
        auto* next = head->next;
        ::operator delete(head);
        head = next;
      }
    }
    heads.fill(nullptr);
    dead = true;
  }
};

thread_local frame_cache cache;

std::size_t size_class(std::size_t bytes) { return (bytes + granule_bytes - 1) / granule_bytes; }

}  // namespace

void* frame_allocator::allocate(std::size_t bytes) {
  const std::size_t c = size_class(bytes);
  if (c < class_count && !cache.dead) {
    if (auto* node = cache.heads[c]) {
      cache.heads[c] = node->next;
      --cache.counts[c];
      return node;
    }
    return ::operator new(c * granule_bytes);
  }
  return ::operator new(bytes);
}

void frame_allocator::deallocate(void* frame, std::size_t bytes) noexcept {
  const std::size_t c = size_class(bytes);
  if (c < class_count && !cache.dead && cache.counts[c] < cached_per_class_max) {
    auto* node = static_cast<free_node*>(frame);
    node->next = cache.heads[c];
    cache.heads[c] = node;
    ++cache.counts[c];
    return;
  }
  ::operator delete(frame);
}

}  // namespace coact
