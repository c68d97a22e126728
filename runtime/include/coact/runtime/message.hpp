#pragma once

#include <capnp/any.h>
#include <capnp/generated-header-support.h>
#include <capnp/message.h>

#include <cstdint>
#include <system_error>
#include <utility>

#include "coact/runtime/actor_ref.hpp"

namespace coact {

/// How an envelope is to be handled by the receiving side.
enum class message_kind : std::uint8_t { tell, ask, reply, system };

namespace detail {
struct envelope_node;
/// Takes a recycled node from this thread's pool (or allocates one).
[[nodiscard]] envelope_node* acquire_node();
/// Returns a node to this thread's pool; an unanswered ask is first answered with an
/// error so that its asker does not wait for its deadline.
void release_node(envelope_node* node) noexcept;
void set_node_type(envelope_node* node, std::uint64_t type_id) noexcept;

/// A Cap'n Proto builder writing into a node's inline segment; recycled per thread.
/// It lives only while a message is being built: a sealed message is plain words.
struct builder_slot;
[[nodiscard]] builder_slot* open_builder(envelope_node* node);
/// The root pointer of the slot's message, found once per builder rather than per
/// message: Cap'n Proto's getRoot is a call into the library, and its result, returned
/// through the stack, stalled each message's first store to it.
[[nodiscard]] capnp::AnyPointer::Builder& slot_root(builder_slot* slot) noexcept;
/// Finishes a message: its payload becomes one contiguous run of words (in place when it
/// fits the inline segment, else a heap copy), and the builder goes back to the pool.
void seal(envelope_node* node, builder_slot* slot);
void discard_builder(builder_slot* slot) noexcept;
}  // namespace detail

/// One received message, owned. Move-only; destroying it recycles its memory.
/// If it is an ask that was never replied to, destroying it answers the asker with
/// errc::no_reply (or errc::actor_gone when the receiving actor is stopping).
class envelope {
 public:
  envelope() = default;
  explicit envelope(detail::envelope_node* node) noexcept : node_(node) {}
  envelope(envelope&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  envelope& operator=(envelope&& other) noexcept {
    if (this != &other) {
      reset();
      node_ = std::exchange(other.node_, nullptr);
    }
    return *this;
  }
  envelope(const envelope&) = delete;
  envelope& operator=(const envelope&) = delete;
  ~envelope() { reset(); }

  [[nodiscard]] explicit operator bool() const noexcept { return node_ != nullptr; }
  [[nodiscard]] message_kind kind() const noexcept;
  /// The actor that sent it; invalid for messages sent from outside any actor.
  [[nodiscard]] actor_ref sender() const noexcept;
  /// The actor it is addressed to.
  [[nodiscard]] actor_ref target() const noexcept;
  /// Pairs an ask with its reply; 0 for tells.
  [[nodiscard]] std::uint64_t correlation() const noexcept;
  /// A copy with its own memory: header and payload (a network that duplicates messages
  /// delivers both). Only for messages that have been sent (they have a target).
  [[nodiscard]] envelope clone() const;
  /// Frees the message without answering its asker, as a network that loses it does:
  /// the asker learns nothing until its deadline.
  void discard() noexcept;
  /// The Cap'n Proto type id of the payload's root struct (capnp::typeId<T>()).
  [[nodiscard]] std::uint64_t type_id() const noexcept;
  /// The payload's root, readable as any struct type.
  [[nodiscard]] capnp::AnyPointer::Reader root() const;

  template <class T>
  [[nodiscard]] bool is() const noexcept {
    return type_id() == capnp::typeId<T>();
  }
  /// The payload as T; only valid if is<T>().
  template <class T>
  [[nodiscard]] typename T::Reader get() const {
    return root().template getAs<T>();
  }

  [[nodiscard]] detail::envelope_node* node() const noexcept { return node_; }
  [[nodiscard]] detail::envelope_node* release() noexcept { return std::exchange(node_, nullptr); }

 private:
  void reset() noexcept {
    if (node_ != nullptr) detail::release_node(std::exchange(node_, nullptr));
  }
  detail::envelope_node* node_ = nullptr;
};

/// A message being built, of Cap'n Proto struct type T. It is written into a per-thread
/// recycled envelope (inline segment of 128 bytes), so a small message costs no malloc
/// in steady state. Sending moves it to the receiver by pointer: no copy, no encoding;
/// only a message that outgrows the inline segment is flattened into one heap block.
template <class T>
class message {
 public:
  message()
      : env_(detail::acquire_node()), slot_(detail::open_builder(env_.node())),
        root_(detail::slot_root(slot_).template initAs<T>()) {
    detail::set_node_type(env_.node(), capnp::typeId<T>());
  }
  message(message&& other) noexcept
      : env_(std::move(other.env_)), slot_(std::exchange(other.slot_, nullptr)),
        root_(other.root_) {}
  message& operator=(message&&) = delete;
  message(const message&) = delete;
  message& operator=(const message&) = delete;
  ~message() {
    if (slot_ != nullptr) detail::discard_builder(slot_);
  }

  /// The root struct, to fill in before sending.
  [[nodiscard]] typename T::Builder& builder() noexcept { return root_; }
  [[nodiscard]] typename T::Builder* operator->() noexcept { return &root_; }

  /// Hands the built message over for sending.
  [[nodiscard]] envelope take() && {
    detail::seal(env_.node(), std::exchange(slot_, nullptr));
    return std::move(env_);
  }

 private:
  envelope env_;
  detail::builder_slot* slot_;
  typename T::Builder root_;
};

/// Builds a message of type T in one expression: `fill` is called with its root builder.
/// For example `self.reply(e, make_message<Pong>([&](auto b) { b.setN(n); }))`.
template <class T, class Fill>
[[nodiscard]] message<T> make_message(Fill&& fill) {
  message<T> m;
  std::forward<Fill>(fill)(m.builder());
  return m;
}

}  // namespace coact
