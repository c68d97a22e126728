#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/policies/txn/lock_table.hpp"
#include "coact/policies/txn/txn.capnp.h"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/task.hpp"

namespace coact::policies::txn::detail {

/// Two-phase commit's first phase as every coordinator runs it: the participants a
/// transaction touches, their votes, and what follows from them.
class ballot {
 public:
  /// Asks every participant that owns a key of `t` to prepare it (coordinated by node
  /// `coordinator`), and collects the votes: all of them, or until the first no or the
  /// first participant that cannot answer within `timeout`.
  static task<ballot> collect(actor_context& self, proto::Transaction::Reader t,
                              std::uint32_t coordinator, const std::vector<std::uint32_t>& groups,
                              const kv::directory& directory, duration timeout);

  /// Whether every participant voted yes.
  [[nodiscard]] bool unanimous() const noexcept { return !refused_; }
  /// The highest prepare timestamp voted (spanner; 0 otherwise).
  [[nodiscard]] std::uint64_t timestamp() const noexcept;
  /// Tells every participant asked the decision (and the commit timestamp, spanner's).
  void tell(actor_context& self, txn_id id, bool commit, std::uint64_t timestamp = 0) const;
  /// The client's answer: what was read when `committed`, else the first refusal (or
  /// unavailable, when the votes were yes but the decision was abort).
  [[nodiscard]] message<proto::Outcome> outcome(std::uint32_t coordinator, unsigned ops,
                                                bool committed) const;

 private:
  std::vector<actor_ref> targets_;
  std::vector<envelope> yes_;
  std::optional<std::pair<proto::Refusal, std::string>> refused_;
};

}  // namespace coact::policies::txn::detail
