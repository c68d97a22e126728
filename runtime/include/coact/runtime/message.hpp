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
[[nodiscard]] capnp::MessageBuilder& node_builder(envelope_node* node) noexcept;
void set_node_type(envelope_node* node, std::uint64_t type_id) noexcept;
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

/// A message being built, of Cap'n Proto struct type T. Its first segment comes from a
/// per-thread recycled arena, so a small message costs no malloc in steady state.
/// Sending moves it to the receiver by pointer: no copy, no encoding.
template <class T>
class message {
 public:
  message()
      : env_(detail::acquire_node()),
        root_(detail::node_builder(env_.node()).template initRoot<T>()) {
    detail::set_node_type(env_.node(), capnp::typeId<T>());
  }

  /// The root struct, to fill in before sending.
  [[nodiscard]] typename T::Builder& builder() noexcept { return root_; }
  [[nodiscard]] typename T::Builder* operator->() noexcept { return &root_; }

  /// Hands the built message over for sending.
  [[nodiscard]] envelope take() && noexcept { return std::move(env_); }

 private:
  envelope env_;
  typename T::Builder root_;
};

}  // namespace coact
