#include <capnp/any.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "coact/runtime/message.hpp"
#include "detail/arena_builder.hpp"
#include "detail/envelope_node.hpp"
#include "detail/system_core.hpp"

namespace coact {
namespace detail {

struct reused_builder;

struct builder_slot {
  builder_slot* next = nullptr;
  alignas(arena_builder) unsigned char space[sizeof(arena_builder)];
  /// Set on a thread's reused builder (see reused_builder below), whose messages are built
  /// one after another into its long segment and copied out when sealed.
  reused_builder* reused = nullptr;
  /// builder()'s root pointer (see slot_root).
  capnp::AnyPointer::Builder root = nullptr;

  arena_builder& builder() noexcept {
    return *std::launder(reinterpret_cast<arena_builder*>(space));
  }
};

/// Where nodes go home. A node released on another thread than the one that
/// allocated it is handed back in batches through `returned`, a lock-free stack, so a
/// one-way flood between two shards recycles its nodes instead of calling malloc and
/// free across threads. Homes are never freed while the process runs (a few per
/// thread), so a late return always finds its home; once the owning thread has exited,
/// `returned` holds the orphan mark and returns are deleted instead.
struct node_home {
  std::atomic<envelope_node*> returned{nullptr};
};

/// Words of the reused builder's segment. Cap'n Proto has no way to reset a builder, so
/// one builder takes message after message, each after the last in this segment, and is
/// made anew (its used words zeroed) when half of it is used: an arena's setup and
/// teardown, which cost more than building a small message, are paid once per hundreds.
constexpr std::size_t reused_segment_words = 8192;

/// The thread's reused builder. One message at a time: a message built while another
/// is still open takes a pooled builder of its own. `busy` is atomic because a message
/// may be sealed on another thread than the one that opened it (a message built on one
/// thread and handed to an actor on another); the thread that owns the builder only
/// takes it when it is not busy, so the two never use it at once.
struct reused_builder {
  builder_slot slot;
  capnp::word* segment = nullptr;
  std::atomic<bool> busy{false};
  bool built = false;  // slot.builder() is constructed

  reused_builder() {
    slot.reused = this;
    segment = static_cast<capnp::word*>(std::calloc(reused_segment_words, sizeof(capnp::word)));
    if (segment == nullptr) throw std::bad_alloc{};
  }
  reused_builder(const reused_builder&) = delete;
  reused_builder& operator=(const reused_builder&) = delete;
  ~reused_builder() {
    if (built) slot.builder().~arena_builder();
    std::free(segment);
  }

  /// A fresh builder over the zeroed segment; `used` words of it were dirty.
  void renew(std::size_t used) {
    if (built) slot.builder().~arena_builder();
    std::memset(static_cast<void*>(segment), 0, used * sizeof(capnp::word));
    new (slot.space) arena_builder(kj::arrayPtr(segment, reused_segment_words));
    built = true;
    slot.root = slot.builder().getRoot<capnp::AnyPointer>();
  }
};

namespace {

constexpr std::size_t pooled_nodes_max = std::size_t{1} << 17;  // ~30 MiB at most
constexpr std::size_t pooled_builders_max = 64;
constexpr std::size_t return_batch_max = 64;

envelope_node* const orphan_mark = reinterpret_cast<envelope_node*>(std::uintptr_t{1});

/// Every home ever created, so that the memory they retain stays reachable.
struct home_registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<node_home>> homes;

  node_home* create() {
    std::lock_guard lock{mutex};
    homes.push_back(std::make_unique<node_home>());
    return homes.back().get();
  }
};

home_registry& registry() {
  static home_registry instance;
  return instance;
}

/// Pushes the chain head..tail onto its home; deletes it if the home's thread is gone.
void give_back(node_home* home, envelope_node* head, envelope_node* tail) noexcept {
  envelope_node* top = home->returned.load(std::memory_order_relaxed);
  do {
    if (top == orphan_mark) {
      while (head != nullptr) delete std::exchange(head, head->next);
      return;
    }
    tail->next = top;
  } while (!home->returned.compare_exchange_weak(top, head, std::memory_order_release,
                                                 std::memory_order_relaxed));
}

/// This thread's free list of nodes, and the batch it is collecting for another home.
struct node_pool {
  node_home* home = registry().create();
  envelope_node* head = nullptr;
  std::size_t count = 0;
  node_home* batch_home = nullptr;
  envelope_node* batch_head = nullptr;
  envelope_node* batch_tail = nullptr;
  std::size_t batch_count = 0;
  bool dead = false;

  node_pool() = default;
  node_pool(const node_pool&) = delete;
  node_pool& operator=(const node_pool&) = delete;
  ~node_pool() {
    flush();
    envelope_node* returned = home->returned.exchange(orphan_mark, std::memory_order_acquire);
    while (returned != nullptr) delete std::exchange(returned, returned->next);
    while (head != nullptr) delete std::exchange(head, head->next);
    dead = true;
  }

  envelope_node* pop() noexcept {
    if (dead) return nullptr;
    if (head == nullptr) {
      head = home->returned.exchange(nullptr, std::memory_order_acquire);
      for (envelope_node* n = head; n != nullptr; n = n->next) ++count;
    }
    envelope_node* n = head;
    if (n != nullptr) {
      head = n->next;
      --count;
    }
    return n;
  }

  void push(envelope_node* n) noexcept {
    if (dead) {
      delete n;
    } else if (n->home == home) {
      if (count == pooled_nodes_max) {
        delete n;
        return;
      }
      n->next = head;
      head = n;
      ++count;
    } else {
      if (batch_home != n->home) {
        flush();
        batch_home = n->home;
        batch_tail = n;
      }
      n->next = batch_head;
      batch_head = n;
      if (++batch_count == return_batch_max) flush();
    }
  }

  void flush() noexcept {
    if (batch_head != nullptr) give_back(batch_home, batch_head, batch_tail);
    batch_home = nullptr;
    batch_head = batch_tail = nullptr;
    batch_count = 0;
  }
};

/// A bounded per-thread free list of builders (they never leave their thread for long).
struct builder_pool {
  builder_slot* head = nullptr;
  std::size_t count = 0;
  bool dead = false;

  builder_pool() = default;
  builder_pool(const builder_pool&) = delete;
  builder_pool& operator=(const builder_pool&) = delete;
  ~builder_pool() {
    while (head != nullptr) delete std::exchange(head, head->next);
    dead = true;
  }
  builder_slot* pop() noexcept {
    builder_slot* b = head;
    if (b != nullptr) {
      head = b->next;
      --count;
    }
    return b;
  }
  void push(builder_slot* b) noexcept {
    if (dead || count == pooled_builders_max) {
      delete b;
      return;
    }
    b->next = head;
    head = b;
    ++count;
  }
};

/// Owns the thread's reused builder. At thread exit a builder still busy (a message
/// built here and not yet sealed elsewhere) is left to that message rather than freed.
struct reused_holder {
  reused_builder* builder = nullptr;

  reused_holder() = default;
  reused_holder(const reused_holder&) = delete;
  reused_holder& operator=(const reused_holder&) = delete;
  ~reused_holder() {
    if (builder != nullptr && !builder->busy.load(std::memory_order_acquire)) delete builder;
  }
};

/// A default error_code costs a call into the library (system_category()): copy this one.
const std::error_code no_error{};

thread_local node_pool nodes;
thread_local builder_pool builders;
thread_local reused_holder reused;
thread_local errc unanswered = errc::no_reply;
thread_local std::vector<unanswered_ask>* unanswered_sink = nullptr;

}  // namespace

void set_unanswered_error(errc e) noexcept { unanswered = e; }
errc unanswered_error() noexcept { return unanswered; }
void set_unanswered_sink(std::vector<unanswered_ask>* sink) noexcept { unanswered_sink = sink; }

envelope_node* acquire_node() {
  envelope_node* node = nodes.pop();
  if (node == nullptr) {
    node = new envelope_node;
    node->home = nodes.home;
    std::memset(static_cast<void*>(node->segment), 0, sizeof(node->segment));
  }
  node->next = nullptr;
  node->system = nullptr;
  node->target = {};
  node->sender = {};
  node->correlation = 0;
  node->type_id = 0;
  node->error = no_error;
  node->kind = message_kind::tell;
  node->ctl = control::none;
  node->replied = false;
  // No payload: root() reads a null root, i.e. a default struct.
  node->flat = nullptr;
  node->payload_words = 0;
  return node;
}

void release_node(envelope_node* node) noexcept {
  if (node->kind == message_kind::ask && !node->replied && node->system != nullptr &&
      !node->system->closed()) {
    if (unanswered == errc::no_reply && unanswered_sink != nullptr) {
      unanswered_sink->push_back({node->system, node->sender, node->target, node->correlation});
    } else {
      node->system->reply_error(node, unanswered);
    }
  }
  if (node->flat != nullptr) std::free(node->flat);
  nodes.push(node);
}

void set_node_type(envelope_node* node, std::uint64_t type_id) noexcept { node->type_id = type_id; }

builder_slot* open_builder(envelope_node* node) {
  if (reused.builder == nullptr) {
    reused.builder = new reused_builder;
    reused.builder->renew(0);
  }
  reused_builder& r = *reused.builder;
  if (!r.busy.load(std::memory_order_acquire)) {
    r.busy.store(true, std::memory_order_relaxed);
    // A null root: initRoot then takes fresh words after the last message's, instead of
    // first zeroing that message's objects (it was copied out when sealed).
    std::memset(static_cast<void*>(r.segment), 0, sizeof(capnp::word));
    return &r.slot;
  }
  builder_slot* slot = builders.pop();
  if (slot == nullptr) slot = new builder_slot;
  // Until sealed, the builder may write anywhere in the segment.
  node->zero_segment();
  node->segment_words_dirty = first_segment_words;
  new (slot->space) arena_builder(kj::arrayPtr(node->segment, first_segment_words));
  slot->root = slot->builder().getRoot<capnp::AnyPointer>();
  return slot;
}

capnp::AnyPointer::Builder& slot_root(builder_slot* slot) noexcept { return slot->root; }

namespace {

/// The reused builder `r`, back for the next message after one that used `used` words of
/// its segment; renewed when half used up or when a message spilled beyond its segment.
void release_reused(reused_builder& r, std::size_t used) noexcept {
  if (r.slot.builder().spilled() || used > reused_segment_words / 2) r.renew(used);
  r.busy.store(false, std::memory_order_release);
}

/// Copies the message into one heap block (its segments, when it spilled over several, or
/// a payload larger than the inline segment) so that the receiver reads it in place.
capnp::word* flatten(const capnp::AnyStruct::Reader& root, std::size_t words) {
  auto* flat = static_cast<capnp::word*>(std::calloc(words, sizeof(capnp::word)));
  if (flat == nullptr) throw std::bad_alloc{};
  capnp::copyToUnchecked(root, kj::arrayPtr(flat, words));
  return flat;
}

/// Seals a message of the reused builder: its words, which start at the struct the
/// root pointer points to and end where the segment's use ends, are copied behind a new
/// root pointer (pointers inside are relative: the words move as they are). Returns how
/// many words of the segment are in use after it.
std::size_t seal_reused(envelope_node* node, reused_builder& r) {
  arena_builder& builder = r.slot.builder();
  if (builder.spilled()) {
    const auto root = builder.getRoot<capnp::AnyStruct>().asReader();
    const std::size_t words = root.totalSize().wordCount + 1;
    node->flat = flatten(root, words);
    node->payload_words = static_cast<std::uint32_t>(words);
    return builder.first_segment_words_used();
  }
  std::uint64_t root;
  std::memcpy(&root, r.segment, sizeof root);
  // A struct pointer: offset in bits 2-31 (from the word after it), then its data words
  // and pointers.
  const auto offset = static_cast<std::int32_t>(static_cast<std::uint32_t>(root) & ~3u) >> 2;
  const std::size_t data = (root >> 32) & 0xffff;
  const std::size_t pointers = root >> 48;
  std::size_t start = 1;
  std::size_t used = 1;  // an empty struct's pointer points at itself: it is the payload
  if (data != 0 || pointers != 0) {
    start = static_cast<std::size_t>(1 + offset);
    // A struct without pointers is the whole of its message: no need to ask the arena
    // where the segment's use ends.
    used = pointers == 0 ? start + data : builder.first_segment_words_used();
  }
  const std::size_t words = 1 + (used - start);
  capnp::word* out = node->segment;
  if (words > first_segment_words) {
    out = static_cast<capnp::word*>(std::malloc(words * sizeof(capnp::word)));
    if (out == nullptr) throw std::bad_alloc{};
    node->flat = out;
  } else {
    node->segment_words_dirty =
        std::max(node->segment_words_dirty, static_cast<std::uint16_t>(words));
  }
  const std::uint64_t moved = start == used ? root : (root & ~std::uint64_t{0xffff'fffc});
  std::memcpy(static_cast<void*>(out), &moved, sizeof moved);
  std::memcpy(static_cast<void*>(out + 1), r.segment + start, (words - 1) * sizeof(capnp::word));
  node->payload_words = static_cast<std::uint32_t>(words);
  return used;
}

}  // namespace

void discard_builder(builder_slot* slot) noexcept {
  if (slot->reused != nullptr) {
    release_reused(*slot->reused, slot->builder().first_segment_words_used());
    return;
  }
  slot->builder().~arena_builder();
  builders.push(slot);
}

void seal(envelope_node* node, builder_slot* slot) {
  arena_builder& builder = slot->builder();
  if (slot->reused != nullptr) {
    reused_builder& r = *slot->reused;
    std::size_t used = 0;
    try {
      used = seal_reused(node, r);
    } catch (...) {
      release_reused(r, builder.first_segment_words_used());
      throw;
    }
    release_reused(r, used);
    return;
  }
  node->segment_words_dirty = static_cast<std::uint16_t>(builder.first_segment_words_used());
  if (builder.spilled()) {
    const auto root = builder.getRoot<capnp::AnyStruct>().asReader();
    const std::size_t words = root.totalSize().wordCount + 1;
    try {
      node->flat = flatten(root, words);
    } catch (...) {
      discard_builder(slot);
      throw;
    }
    node->payload_words = static_cast<std::uint32_t>(words);
  } else {
    node->payload_words = node->segment_words_dirty;
  }
  discard_builder(slot);
}

}  // namespace detail

message_kind envelope::kind() const noexcept { return node_->kind; }
actor_ref envelope::sender() const noexcept { return node_->sender; }
actor_ref envelope::target() const noexcept { return node_->target; }
std::uint64_t envelope::correlation() const noexcept { return node_->correlation; }

void envelope::discard() noexcept {
  if (node_ == nullptr) return;
  node_->replied = true;
  reset();
}

envelope envelope::clone() const {
  detail::envelope_node* copy = detail::acquire_node();
  // The copy belongs to no system until it is sent or received: the original's may be
  // gone by then (a crashed simulated node).
  copy->target = node_->target;
  copy->sender = node_->sender;
  copy->correlation = node_->correlation;
  copy->type_id = node_->type_id;
  copy->error = node_->error;
  copy->kind = node_->kind;
  copy->ctl = node_->ctl;
  copy->replied = node_->replied;
  copy->payload_words = node_->payload_words;
  if (node_->flat != nullptr) {
    auto* flat = static_cast<capnp::word*>(std::malloc(node_->payload_words * sizeof(capnp::word)));
    if (flat == nullptr) {
      copy->replied = true;  // a copy that never existed answers nobody
      detail::release_node(copy);
      throw std::bad_alloc{};
    }
    std::memcpy(flat, node_->flat, node_->payload_words * sizeof(capnp::word));
    copy->flat = flat;
  } else {
    std::memcpy(copy->segment, node_->segment, node_->payload_words * sizeof(capnp::word));
    copy->segment_words_dirty =
        std::max(copy->segment_words_dirty, static_cast<std::uint16_t>(node_->payload_words));
  }
  return envelope{copy};
}
std::uint64_t envelope::type_id() const noexcept { return node_->type_id; }
capnp::AnyPointer::Reader envelope::root() const {
  if (node_->payload_words == 0) return {};
  return capnp::readMessageUnchecked<capnp::AnyPointer>(node_->payload());
}

}  // namespace coact
