#include <capnp/any.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "coact/runtime/message.hpp"
#include "detail/arena_builder.hpp"
#include "detail/envelope_node.hpp"
#include "detail/system_core.hpp"

namespace coact {
namespace detail {

struct builder_slot {
  builder_slot* next = nullptr;
  alignas(arena_builder) unsigned char space[sizeof(arena_builder)];

  arena_builder& builder() noexcept {
    return *std::launder(reinterpret_cast<arena_builder*>(space));
  }
};

namespace {

constexpr std::size_t pooled_nodes_max = 8192;
constexpr std::size_t pooled_builders_max = 64;

/// A per-thread free list, bounded, freed at thread exit. A node freed on another
/// thread than the one that took it joins that thread's list.
template <class Node>
struct free_list {
  Node* head = nullptr;
  std::size_t count = 0;
  std::size_t count_max;
  bool dead = false;

  explicit free_list(std::size_t max) : count_max(max) {}
  free_list(const free_list&) = delete;
  free_list& operator=(const free_list&) = delete;
  ~free_list() {
    while (head != nullptr) delete std::exchange(head, head->next);
    dead = true;
  }

  Node* pop() noexcept {
    Node* n = head;
    if (n != nullptr) {
      head = n->next;
      --count;
    }
    return n;
  }
  void push(Node* n) noexcept {
    if (dead || count == count_max) {
      delete n;
      return;
    }
    n->next = head;
    head = n;
    ++count;
  }
};

thread_local free_list<envelope_node> nodes{pooled_nodes_max};
thread_local free_list<builder_slot> builders{pooled_builders_max};
thread_local errc unanswered = errc::no_reply;

}  // namespace

void set_unanswered_error(errc e) noexcept { unanswered = e; }
errc unanswered_error() noexcept { return unanswered; }

envelope_node* acquire_node() {
  envelope_node* node = nodes.pop();
  if (node == nullptr) {
    node = new envelope_node;
    std::memset(static_cast<void*>(node->segment), 0, sizeof(node->segment));
  }
  node->next = nullptr;
  node->system = nullptr;
  node->target = {};
  node->sender = {};
  node->correlation = 0;
  node->type_id = 0;
  node->error = {};
  node->kind = message_kind::tell;
  node->ctl = control::none;
  node->replied = false;
  // No payload: the zeroed segment reads as a null root, i.e. a default struct.
  node->data = node->segment;
  node->flat = nullptr;
  node->payload_words = 0;
  return node;
}

void release_node(envelope_node* node) noexcept {
  if (node->kind == message_kind::ask && !node->replied && node->system != nullptr &&
      !node->system->closed()) {
    node->system->reply_error(node, unanswered);
  }
  std::free(node->flat);
  std::memset(static_cast<void*>(node->segment), 0, sizeof(node->segment));
  nodes.push(node);
}

void set_node_type(envelope_node* node, std::uint64_t type_id) noexcept {
  node->type_id = type_id;
}

builder_slot* open_builder(envelope_node* node) {
  builder_slot* slot = builders.pop();
  if (slot == nullptr) slot = new builder_slot;
  new (slot->space) arena_builder(kj::arrayPtr(node->segment, first_segment_words));
  return slot;
}

capnp::MessageBuilder& slot_builder(builder_slot* slot) noexcept { return slot->builder(); }

void discard_builder(builder_slot* slot) noexcept {
  slot->builder().~arena_builder();
  builders.push(slot);
}

void seal(envelope_node* node, builder_slot* slot) {
  arena_builder& builder = slot->builder();
  if (builder.spilled()) {
    // Rare: copy the segments into one block so that the receiver reads it in place.
    const auto root = builder.getRoot<capnp::AnyStruct>().asReader();
    const std::size_t words = root.totalSize().wordCount + 1;
    auto* flat = static_cast<capnp::word*>(std::calloc(words, sizeof(capnp::word)));
    if (flat == nullptr) {
      discard_builder(slot);
      throw std::bad_alloc{};
    }
    capnp::copyToUnchecked(root, kj::arrayPtr(flat, words));
    node->flat = flat;
    node->data = flat;
    node->payload_words = words;
  } else {
    node->data = node->segment;
    node->payload_words = first_segment_words;
  }
  discard_builder(slot);
}

}  // namespace detail

message_kind envelope::kind() const noexcept { return node_->kind; }
actor_ref envelope::sender() const noexcept { return node_->sender; }
std::uint64_t envelope::type_id() const noexcept { return node_->type_id; }
capnp::AnyPointer::Reader envelope::root() const {
  return capnp::readMessageUnchecked<capnp::AnyPointer>(node_->data);
}

}  // namespace coact
