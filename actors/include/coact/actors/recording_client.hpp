#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "coact/actors/kv_client.hpp"
#include "coact/actors/transaction.hpp"
#include "coact/check/recorder.hpp"

namespace coact::kv {

/// A client that records every operation of another into a history: the invocation, then
/// ok (with the value read or written, its version and node), fail (certainly not
/// applied: a refused write, any failed read) or info (outcome unknown: a write that timed
/// out or missed its level). One process of the history, one operation at a time.
///
/// Transactions (when the inner client has them; else kv_errc::unsupported) are recorded
/// as Jepsen's `txn` operations: a read as `["r", k, v]`, a write as `["w", k, v]`, an
/// append as `["append", k, x]`, and an add as the read and the write it did. A value that
/// is a whole integer is recorded as one; reads record lists when reads_as_lists is set
/// (list-append histories: a key's elements, separated by spaces).
class recording_client final : public client, public transactional {
 public:
  /// `log` must outlive this client. `session` names the client's session in the history
  /// (empty: none).
  recording_client(std::unique_ptr<client> inner, check::recorder& log, std::int64_t process,
                   std::string session = {});

  task<result<read_result>> get(actor_context& self, std::string key) override;
  task<result<write_result>> put(actor_context& self, std::string key, std::string value) override;
  task<result<write_result>> cas(actor_context& self, std::string key,
                                 std::optional<std::string> expected, std::string value) override;
  task<result<txn_result>> transact(actor_context& self, std::vector<txn_op> ops) override;
  [[nodiscard]] std::string name() const override { return inner_->name(); }

  [[nodiscard]] client& inner() noexcept { return *inner_; }
  /// Whether a transaction's reads record lists (see above).
  void reads_as_lists(bool lists) noexcept { lists_ = lists; }

 private:
  void record(check::event_type type, check::op_kind f, const std::string& key, check::datum value,
              check::datum expected, const std::optional<kv::version>& v, const std::string& node,
              bool matched);

  std::unique_ptr<client> inner_;
  check::recorder* log_;
  std::int64_t process_;
  std::string session_;
  bool lists_ = false;
};

}  // namespace coact::kv
