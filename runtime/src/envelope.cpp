#include <cstring>

#include "coact/runtime/message.hpp"
#include "detail/envelope_node.hpp"
#include "detail/system_core.hpp"

namespace coact {
namespace detail {
namespace {

constexpr std::size_t pooled_nodes_max = 8192;

/// Per-thread recycled envelopes. A node freed on another thread than the one that
/// took it joins that thread's pool; each pool is bounded and freed at thread exit.
struct node_pool {
  envelope_node* head = nullptr;
  std::size_t count = 0;
  bool dead = false;

  node_pool() = default;
  node_pool(const node_pool&) = delete;
  node_pool& operator=(const node_pool&) = delete;
  ~node_pool() {
    while (head != nullptr) delete std::exchange(head, head->next);
    dead = true;
  }
};

thread_local node_pool pool;
thread_local errc unanswered = errc::no_reply;

}  // namespace

void set_unanswered_error(errc e) noexcept { unanswered = e; }
errc unanswered_error() noexcept { return unanswered; }

envelope_node* acquire_node() {
  envelope_node* node;
  if (pool.head != nullptr) {
    node = pool.head;
    pool.head = node->next;
    --pool.count;
  } else {
    node = new envelope_node;
    // Cap'n Proto requires a zeroed segment; arena_builder re-zeroes it when destroyed,
    // so a recycled node stays zeroed.
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
  new (node->builder_space) arena_builder(kj::arrayPtr(node->segment, first_segment_words));
  return node;
}

void release_node(envelope_node* node) noexcept {
  if (node->kind == message_kind::ask && !node->replied && node->system != nullptr &&
      !node->system->closed()) {
    node->system->reply_error(node, unanswered);
  }
  node->builder().~arena_builder();
  if (!pool.dead && pool.count < pooled_nodes_max) {
    node->next = pool.head;
    pool.head = node;
    ++pool.count;
  } else {
    delete node;
  }
}

capnp::MessageBuilder& node_builder(envelope_node* node) noexcept { return node->builder(); }

void set_node_type(envelope_node* node, std::uint64_t type_id) noexcept {
  node->type_id = type_id;
}

std::size_t envelope_node::payload_bytes() {
  if (builder().extra_words() == 0) return sizeof(segment);  // an upper bound, cheaply
  std::size_t words = 0;
  for (auto segment : builder().getSegmentsForOutput()) words += segment.size();
  return words * sizeof(capnp::word);
}

}  // namespace detail

message_kind envelope::kind() const noexcept { return node_->kind; }
actor_ref envelope::sender() const noexcept { return node_->sender; }
std::uint64_t envelope::type_id() const noexcept { return node_->type_id; }
capnp::AnyPointer::Reader envelope::root() const {
  return node_->builder().getRoot<capnp::AnyPointer>().asReader();
}

}  // namespace coact
