#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/message.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"

namespace coact::replication {

/// How a leader-following client retries one operation.
struct retry_options {
  /// Requests sent for one operation, at most.
  std::uint32_t attempts_max = 10;
  /// How long one request waits for its answer.
  duration attempt_timeout = std::chrono::milliseconds{500};
  /// How long one operation may take in all.
  duration deadline = std::chrono::seconds{3};
  /// The pause before the next request when no leader is known or a request failed.
  duration retry_backoff = std::chrono::milliseconds{50};
  /// Whether a write is sent again after an attempt that may have appended it (its token
  /// makes it apply once). If not, the operation ends there with errc::timeout: a family
  /// that reports the uncommitted entries it rolls back (read_concern) would otherwise
  /// report a write rolled back whose second copy committed under another leader.
  bool retry_maybe_applied = true;
};

/// What a member's answer to one attempt means.
struct verdict {
  enum class kind : std::uint8_t {
    /// Answered: the operation is done (or certainly failed, as the answer says).
    done,
    /// Refused before anything was done: the member does not lead (`leader`: the one it
    /// knows of), or cannot serve now. Another attempt is made.
    refused,
    /// The write may have been appended and its outcome is not known. Another attempt is
    /// made (the token makes it apply once). For a read, the same as refused.
    unknown,
  };
  kind what = kind::done;
  std::optional<std::uint32_t> leader;
};

/// The client side of a replication group: it sends each operation to the member it
/// believes leads, follows not-leader hints, and retries within attempts_max requests and
/// the deadline, pausing retry_backoff between them. Writes carry the client's id and a
/// sequence number (next_sequence()), the same in every attempt, so that the group applies
/// each write once however often it is retried.
///
/// submit() fails with kv_errc::unavailable when the operation certainly had no effect
/// (every attempt was refused before anything was appended: the minority side of a
/// partition, or no leader elected in time), and with errc::timeout when a write may have
/// been appended and its outcome could not be learned ("maybe applied": recorded as
/// unknown).
class leader_client {
 public:
  /// Finds a member's actor (its current reference) by node.
  using locator = std::function<actor_ref(std::uint32_t node)>;

  /// `id` must be unique among the clients of one group and not 0; the first attempt
  /// goes to members[id % size].
  leader_client(std::vector<std::uint32_t> members, std::uint64_t id, retry_options options);

  [[nodiscard]] std::uint64_t id() const noexcept { return id_; }
  /// The token number of this client's next write.
  [[nodiscard]] std::uint64_t next_sequence() noexcept { return ++sequence_; }
  /// Requests sent so far, over all operations (one per attempt: a measure of retries).
  [[nodiscard]] std::uint64_t requests_sent() const noexcept { return requests_sent_; }

  /// Sends `build()` (a fresh request each attempt, asked with `reply_type` as the reply
  /// expected) until `judge` calls an answer done; returns that answer. `write`: whether
  /// the request may change state (a read is never "maybe applied").
  [[nodiscard]] task<result<envelope>> submit(actor_context& self, const locator& where,
                                              const std::function<envelope()>& build,
                                              std::uint64_t reply_type,
                                              const std::function<verdict(const envelope&)>& judge,
                                              bool write);

 private:
  void next_member() noexcept { leader_ = (leader_ + 1) % members_.size(); }

  std::vector<std::uint32_t> members_;
  std::uint64_t id_;
  retry_options options_;
  std::uint64_t sequence_ = 0;
  std::size_t leader_;  // index in members_ of the member believed to lead
  std::uint64_t requests_sent_ = 0;
};

}  // namespace coact::replication
