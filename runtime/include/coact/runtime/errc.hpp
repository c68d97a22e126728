#pragma once

#include <system_error>

namespace coact {

/// Every operating failure the runtime reports. One category, one line per value.
enum class errc : int {
  /// The deadline of an ask or a receive passed before an answer arrived.
  timeout = 1,
  /// The target actor has stopped, or stopped before it answered.
  actor_gone,
  /// A bounded mailbox or queue is full; the message was not accepted.
  overloaded,
  /// A message could not be decoded, or had an unexpected type.
  malformed_message,
  /// The node hosting the target cannot be reached.
  node_unreachable,
  /// The actor received the request but dropped it without replying.
  no_reply,
  /// The actor system is shutting down and accepts no new work.
  shutting_down,
  /// The actor stopped because a handler threw an exception.
  actor_failed,
  /// The actor was stopped on request (kill, or a linked actor's failure).
  killed,
  /// A supervisor exceeded its restart intensity and gave up.
  restart_limit,
  /// A message exceeds the configured maximum size.
  message_too_large,
  /// An argument or configuration value is invalid.
  invalid_argument,
  /// A file or text (a history, a configuration) does not follow its format.
  parse_error,
  /// A peer's handshake was refused (wrong cluster, version or secret, or malformed).
  handshake_refused,
  /// No actor is registered under the name looked up on that node.
  name_unbound,
};

/// The category of coact::errc; name "coact".
[[nodiscard]] const std::error_category& error_category() noexcept;

[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace coact

template <>
struct std::is_error_code_enum<coact::errc> : std::true_type {};
