#pragma once

#include <optional>
#include <string>

#include "coact/actors/kv_client.hpp"
#include "coact/actors/replica.capnp.h"
#include "coact/policies/quorum/level.hpp"
#include "coact/policies/quorum/quorum.capnp.h"
#include "coact/policies/quorum/unmet_level.hpp"

namespace coact::policies::quorum::detail {

// The Cap'n Proto forms of the quorum types, declared in the same order.
static_assert(static_cast<int>(proto::Level::EACH_QUORUM) == static_cast<int>(level::each_quorum));

/// The level a message names; empty for a value this code does not know (from a peer).
[[nodiscard]] inline std::optional<level> level_of(proto::Level l) noexcept {
  if (static_cast<int>(l) > static_cast<int>(level::each_quorum)) return std::nullopt;
  return static_cast<level>(l);
}

[[nodiscard]] inline proto::Level to_proto(level l) noexcept {
  return static_cast<proto::Level>(l);
}

[[nodiscard]] inline kv::version version_of(kv::proto::Version::Reader v) noexcept {
  return {.counter = v.getCounter(), .writer = v.getWriter()};
}

inline void set_version(kv::proto::Version::Builder b, kv::version v) noexcept {
  b.setCounter(v.counter);
  b.setWriter(v.writer);
}

[[nodiscard]] inline std::optional<unmet_level> unmet_of(proto::Unmet::Reader u) noexcept {
  const auto l = level_of(u.getLevel());
  if (!l) return std::nullopt;
  return unmet_level{.wanted = *l, .needed = u.getNeeded(), .answered = u.getAnswered()};
}

inline void set_unmet(proto::Unmet::Builder b, const unmet_level& u) noexcept {
  b.setLevel(to_proto(u.wanted));
  b.setNeeded(u.needed);
  b.setAnswered(u.answered);
}

[[nodiscard]] inline std::string text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

}  // namespace coact::policies::quorum::detail
