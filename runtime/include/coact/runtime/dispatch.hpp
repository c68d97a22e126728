#pragma once

#include <capnp/generated-header-support.h>

#include <system_error>
#include <type_traits>
#include <utility>

#include "coact/runtime/errc.hpp"
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

/// Refuses a message the running actor does not handle: an ask is answered with
/// `reason`, any other message is counted as a dead letter with it. Only for a message
/// the running actor received, on its shard.
void reject(envelope& e, std::error_code reason = errc::malformed_message);

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

/// Gives `e`, a message the running actor received, to the first handler of its type, in
/// order. A message no handler takes is refused (reject): an ask is answered with
/// errc::malformed_message, a tell is counted as a dead letter. Returns whether a handler
/// took it.
template <class... T, class... F>
bool dispatch(envelope& e, handler<T, F>... handlers) {
  if ((detail::try_handle(e, handlers) || ...)) return true;
  reject(e);
  return false;
}

}  // namespace coact
