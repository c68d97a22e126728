#pragma once

#include <capnp/generated-header-support.h>

#include <type_traits>
#include <utility>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/message.hpp"

namespace coact {

/// A handler for messages of Cap'n Proto type T, for dispatch. Made by on<T>(f).
template <class T, class F>
struct handler {
  F f;
};

/// Handles messages of type T with `f`, called as f(envelope&, T::Reader) or f(envelope&).
template <class T, class F>
[[nodiscard]] handler<T, std::decay_t<F>> on(F&& f) {
  return {std::forward<F>(f)};
}

namespace detail {
template <class T, class F>
bool try_handle(envelope& e, handler<T, F>& h) {
  if (!e.is<T>()) return false;
  if constexpr (std::is_invocable_v<F&, envelope&, typename T::Reader>) {
    h.f(e, e.get<T>());
  } else {
    h.f(e);
  }
  return true;
}
}  // namespace detail

/// Gives `e` to the first handler of its type, in order. A message no handler takes is
/// refused (actor_context::reject): an ask is answered with errc::malformed_message, a
/// tell is counted as a dead letter. Returns whether a handler took it.
template <class... T, class... F>
bool dispatch(actor_context& self, envelope& e, handler<T, F>... handlers) {
  if ((detail::try_handle(e, handlers) || ...)) return true;
  self.reject(e);
  return false;
}

}  // namespace coact
