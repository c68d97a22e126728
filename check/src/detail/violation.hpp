#pragma once

#include <string>
#include <utility>

#include "coact/check/history.hpp"
#include "coact/check/write_order.hpp"

namespace coact::check::detail {

/// A violation's one-line reason: the name of its kind, then `text`.
template <class Kind>
[[nodiscard]] std::string reason_for(Kind kind, std::string text) {
  return std::string(to_string(kind)) + ": " + std::move(text);
}

/// A violation of `kind` found at the ok read `read`, with the fields that every
/// read-judging report shares (kind, read, session as session_of names it, process, key,
/// reason) filled in; the caller adds the rest.
template <class Violation, class Kind>
[[nodiscard]] Violation violation_at_read(Kind kind, const operation& read, std::string text) {
  Violation v;
  v.kind = kind;
  v.read = read;
  v.session = session_of(read);
  v.process = read.process;
  v.key = read.key;
  v.reason = reason_for(kind, std::move(text));
  return v;
}

}  // namespace coact::check::detail
